"""The two ways in: DVCQG (a session call, then JSON posts naming a service) and a provincial LGSP
(a token, then /Document/SyncDocument and /Document/UpdateDocumentTraces).

Both read every answer the same way: HTTP 2xx and a JSON object with an `error_code`; the
protocol file says which codes mean done, "already exists" (then: update) or "log in again".
Anything else (a 500, an HTML page, garbage, silence past the timeout) raises SyncError, so the
record is failed and retried, never lost. What is kept of an answer is only what the protocol
names: its error_code and its message field, cut to MESSAGE_CHARS; never the body of an answer
that is not the portal's (any server may sit at an address: its words are not ours to show).
Every SyncError carries a `reason` (UNREACHABLE, TIMEOUT…) that the pages say in their own words.
"""
import hashlib
import json
import threading
import urllib.error
import urllib.request
from dataclasses import dataclass

from .connection import DVCQG, LGSP
from .protocol import protocol

READ_LIMIT = 64 * 1024  # bytes read of an answer
MESSAGE_CHARS = 200  # what is kept of a portal's message field
CODE_CHARS = 20  # ... and of its error_code

OK = "ok"
EXISTS = "exists"

# Why a call failed (SyncError.reason): what the admin's test and the clerk's panel may say.
UNREACHABLE = "unreachable"  # no connection (refused, no route, bad name, TLS)
TIMEOUT = "timeout"          # no answer within the timeout
REFUSED = "refused"          # the credentials, the session or the token were refused
PROTOCOL = "protocol"        # an answer that is not the portal's protocol (not JSON, no error_code, no session)
HTTP = "http"                # an HTTP status other than 2xx (`status` holds it)
PORTAL = "portal"            # a protocol answer with an error code (its message kept, cut)
OTHER = "other"              # anything else (our own data, a missing setting)


class SyncError(Exception):
    """The remote refused, or could not be reached, or answered what we cannot read.

    `reason` is one of the categories above, `status` the HTTP status when there was one, and
    `answer` only the portal's own message field (cut), never an answer's body."""

    def __init__(self, message, answer="", reason=OTHER, status=None):
        super().__init__(message)
        self.answer = answer or ""
        self.reason = reason
        self.status = status


class AuthError(SyncError):
    """The session or token was refused (log in again, once)."""

    def __init__(self, message, answer="", reason=REFUSED, status=None):
        super().__init__(message, answer, reason, status)


def portal_message(data):
    """The protocol's message field of a parsed answer, one line, cut to MESSAGE_CHARS."""
    message = data.get("message") or data.get("error_message") or data.get("msg") or ""
    text = " ".join(str(message).split())
    return text if len(text) <= MESSAGE_CHARS else text[:MESSAGE_CHARS] + " …"


def portal_code(data):
    code = data.get("error_code", data.get("errorCode"))
    return None if code is None else " ".join(str(code).split())[:CODE_CHARS]


def summary(data):
    """What is kept of a protocol answer: "error_code X: message" (both cut), or ""."""
    code, message = portal_code(data), portal_message(data)
    return (f"error_code {code}: {message}" if code is not None else message).strip(" :")


@dataclass
class Answer:
    outcome: str  # OK | EXISTS
    data: dict
    text: str  # summary(data): never the raw body


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A redirect is answered as its own HTTP status: the token and the headers never follow it elsewhere."""

    def redirect_request(self, *args, **kwargs):
        return None


_opener = urllib.request.build_opener(_NoRedirect)


def post_json(url, body, headers, timeout):
    """POST `body` as JSON; return (HTTP status, answer text). Raise SyncError when nothing usable came back."""
    data = json.dumps(body, ensure_ascii=False).encode("utf-8")
    request = urllib.request.Request(url, data=data, method="POST", headers={
        "Content-Type": "application/json; charset=utf-8", "Accept": "application/json",
        "User-Agent": "mot-cua-xa", **headers})
    try:
        with _opener.open(request, timeout=timeout) as response:  # the admin-set URL, no redirect followed
            return response.status, response.read(READ_LIMIT).decode("utf-8", "replace")
    except urllib.error.HTTPError as error:
        return error.code, ""  # its body is not the portal's protocol: never kept
    except TimeoutError as error:
        raise SyncError(f"no answer within {timeout:g} s ({url})", reason=TIMEOUT) from error
    except urllib.error.URLError as error:
        reason = TIMEOUT if isinstance(error.reason, TimeoutError) else UNREACHABLE
        raise SyncError(f"cannot reach {url}: {_local_error(error.reason)}", reason=reason) from error
    except (OSError, ValueError) as error:
        raise SyncError(f"cannot reach {url}: {_local_error(error)}", reason=UNREACHABLE) from error


def _local_error(error):
    """Our side's words for a failed connection (its class and errno), cut."""
    text = " ".join(str(error).split())
    return f"{type(error).__name__}: {text[:120]}"


def read_answer(status, text):
    """The answer as a JSON object (401/403 are a refused token; other non-2xx, non-JSON: SyncError)."""
    if status in (401, 403):
        raise AuthError(f"HTTP {status}: token or session refused", status=status)
    if not 200 <= status < 300:
        raise SyncError(f"HTTP {status}", reason=HTTP, status=status)
    try:
        data = json.loads(text)
    except ValueError as error:
        raise SyncError("the answer is not JSON", reason=PROTOCOL, status=status) from error
    if not isinstance(data, dict):
        raise SyncError("the answer is not a JSON object", reason=PROTOCOL, status=status)
    return data


def judge(data):
    """OK or EXISTS, by the protocol's codes and messages; raise AuthError / SyncError otherwise."""
    rules = protocol()["answers"]
    code = data.get("error_code", data.get("errorCode"))
    message = str(data.get("message") or data.get("error_message") or data.get("msg") or "")
    if code is None:
        raise SyncError("the answer has no error_code", reason=PROTOCOL)
    code = str(code).strip()
    if code in rules["exists_codes"] or any(m in message.lower() for m in rules["exists_messages"]):
        return EXISTS
    if code in rules["ok_codes"]:
        return OK
    if code in rules["auth_codes"]:
        raise AuthError(summary(data), portal_message(data))
    raise SyncError(summary(data), portal_message(data), reason=PORTAL)


def session_from(data):
    for key in protocol()["answers"]["session_keys"]:
        value = data.get(key)
        if isinstance(value, str) and value:
            return value
    raise AuthError("the login answer holds no session or token", reason=PROTOCOL)


_sessions = {}
_lock = threading.Lock()


class Adapter:
    """Shared by both: the session cache, one re-login when a session is refused."""

    def __init__(self, connection):
        self.connection = connection

    @property
    def _cache_key(self):
        c = self.connection
        secret = hashlib.sha256(c.secret.encode()).hexdigest()
        return (c.adapter, c.auth_url, c.username, secret, c.unit_code)

    def session(self, fresh=False):
        with _lock:
            if not fresh and self._cache_key in _sessions:
                return _sessions[self._cache_key]
        token = self.login()
        with _lock:
            _sessions[self._cache_key] = token
        return token

    def forget_session(self):
        with _lock:
            _sessions.pop(self._cache_key, None)

    def login(self):
        """Ask for a session / token; return it or raise."""
        c = self.connection
        if not c.auth_url:
            raise SyncError("the login address is not set")
        status, text = post_json(c.auth_url, self.login_body(), self.headers(), c.timeout)
        data = read_answer(status, text)
        code = data.get("error_code")
        if code is not None and str(code) not in protocol()["answers"]["ok_codes"]:
            raise AuthError(f"login refused: {summary(data)}", portal_message(data))
        return session_from(data)

    def call(self, what, data, extra=None):
        """Post `data` for `what` ("dossier" or "history"); one re-login if the session was refused."""
        try:
            return self._post(self.session(), what, data, extra)
        except AuthError:
            self.forget_session()
            try:
                return self._post(self.session(fresh=True), what, data, extra)
            except AuthError as error:
                self.forget_session()
                raise SyncError(f"refused again after a new login: {error}", error.answer,
                                reason=REFUSED, status=error.status) from error

    def _post(self, token, what, data, extra):
        url, body, headers = self.request(token, what, data, extra or {})
        status, text = post_json(url, body, headers, self.connection.timeout)
        parsed = read_answer(status, text)
        return Answer(judge(parsed), parsed, summary(parsed))

    def push_dossier(self, payload, updating):
        return self.call("dossier", [payload], {"isUpdating": bool(updating)})

    def push_history(self, rows):
        return self.call("history", rows)

    def headers(self):
        return {"dstcode": self.connection.unit_code} if self.connection.unit_code else {}


class DvcqgAdapter(Adapter):
    """DVCQG: a session from the login address, then every post to one address naming its `service`."""

    def login_body(self):
        return {"username": self.connection.username, "password": self.connection.secret}

    def request(self, token, what, data, extra):
        c = self.connection
        body = {"session": token, "madonvi": c.unit_code, "service": protocol()["services"][what], "data": data}
        body.update(extra)
        return c.url, body, self.headers()


class LgspAdapter(Adapter):
    """A provincial LGSP: a bearer token, then a path per kind under the base address."""

    def login_body(self):
        return {"grant_type": "client_credentials", "client_id": self.connection.username,
                "client_secret": self.connection.secret}

    def request(self, token, what, data, extra):
        c = self.connection
        body = {"madonvi": c.unit_code, "data": data}
        body.update(extra)
        headers = {**self.headers(), "Authorization": f"Bearer {token}"}
        return c.url.rstrip("/") + protocol()["lgsp_paths"][what], body, headers


def adapter_for(connection):
    return {DVCQG: DvcqgAdapter, LGSP: LgspAdapter}[connection.adapter](connection)


def forget_sessions():
    """Drop every cached session (tests; a changed secret changes the key anyway)."""
    with _lock:
        _sessions.clear()
