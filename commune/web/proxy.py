"""Who is asking, and for which site: forwarded headers only from configured proxies, known host names only.

A WSGI middleware in front of the app:

- `X-Forwarded-For` / `X-Forwarded-Proto` are believed only when the immediate peer
  (the TCP address waitress saw) is one of COMMUNE_TRUSTED_PROXIES; the client is then
  the right-most address in `X-Forwarded-For` that is not itself a trusted proxy.
  From any other peer, and when the setting is empty (the default), every forwarded
  header is removed before the app sees the request, so nothing downstream can read it.
- A request whose `Host` is not one of the site's names (COMMUNE_PUBLIC_URL's host and
  the loopback names) is answered 400 before the app runs, so no page, link or QR code
  is ever built for a host an attacker chose.
"""
import ipaddress
from urllib.parse import urlsplit

from werkzeug.exceptions import SecurityError
from werkzeug.sansio.utils import get_host

# Every request header some software reads as "the client / the site is really ...".
FORWARDED_HEADERS = (
    "HTTP_X_FORWARDED_FOR", "HTTP_X_FORWARDED_PROTO", "HTTP_X_FORWARDED_HOST",
    "HTTP_X_FORWARDED_PORT", "HTTP_X_FORWARDED_PREFIX", "HTTP_X_FORWARDED_SERVER",
    "HTTP_FORWARDED", "HTTP_X_REAL_IP", "HTTP_X_CLIENT_IP", "HTTP_CLIENT_IP",
)
LOOPBACK_NAMES = ("127.0.0.1", "localhost")  # not [::1]: Werkzeug cannot match IPv6 host names

BAD_HOST_PAGE = (
    '<!doctype html><html lang="vi"><meta charset="utf-8"><title>Yêu cầu không hợp lệ</title>'
    "<h1>Yêu cầu không hợp lệ</h1><p>Địa chỉ trang không đúng. Hãy mở trang từ địa chỉ chính thức của xã.</p>"
    "<p lang=\"en\">Unknown host name.</p></html>"
).encode()


def parse_proxies(value):
    """'127.0.0.1, ::1, 10.0.0.0/8' -> networks; a wrong entry is refused with its name (ValueError)."""
    networks = []
    for item in (value or "").replace(";", ",").split(","):
        item = item.strip()
        if not item:
            continue
        try:
            networks.append(ipaddress.ip_network(item, strict=False))
        except ValueError as error:
            raise ValueError(f"COMMUNE_TRUSTED_PROXIES: '{item}' is not an IP address or network") from error
    return tuple(networks)


def is_loopback(host):
    """True for 127.x.x.x, ::1 and 'localhost' (where only this machine can connect)."""
    host = (host or "").strip().strip("[]")
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def site_host_names(public_url):
    """The host names this site answers to: COMMUNE_PUBLIC_URL's host and the loopback names."""
    names = list(LOOPBACK_NAMES)
    host = urlsplit(public_url or "").hostname
    if host and host not in names:
        names.insert(0, host)
    return names


def serving_problem(host, public_url):
    """Why `serve` must not listen on `host` (None when it may): off loopback, links need COMMUNE_PUBLIC_URL."""
    if is_loopback(host):
        return None
    if not (public_url or "").strip():
        return (f"COMMUNE_HOST={host} is reachable from other machines, but COMMUNE_PUBLIC_URL is not set. "
                "Set it to the address villagers type (e.g. COMMUNE_PUBLIC_URL=https://motcua.xa.gov.vn "
                "or http://192.168.1.10:5000 on the office network): links, e-mails and QR codes are built "
                "from it, never from the visitor's Host header.")
    parts = urlsplit(public_url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return f"COMMUNE_PUBLIC_URL={public_url} is not an http:// or https:// address"
    return None


def _address(text):
    try:
        return ipaddress.ip_address(text.strip().strip("[]"))
    except ValueError:
        return None


class TrustedProxies:
    """WSGI middleware: the real client behind configured proxies; forwarded headers dropped otherwise."""

    def __init__(self, wsgi_app, proxies=(), trusted_hosts=None):
        self.wsgi_app = wsgi_app
        self.proxies = tuple(proxies)
        self.trusted_hosts = trusted_hosts

    def _trusted(self, address):
        return address is not None and any(address in network for network in self.proxies)

    def client_address(self, peer, forwarded_for):
        """The right-most X-Forwarded-For address that is not a trusted proxy (the peer if none)."""
        client = peer
        for hop in reversed(forwarded_for.split(",")):
            address = _address(hop)
            if address is None:
                break  # garbage left of a trusted hop: keep the last address a proxy vouched for
            client = str(address)
            if not self._trusted(address):
                break
        return client

    def __call__(self, environ, start_response):
        forwarded_for = environ.get("HTTP_X_FORWARDED_FOR", "")
        proto = environ.get("HTTP_X_FORWARDED_PROTO", "")
        for key in FORWARDED_HEADERS:
            environ.pop(key, None)
        peer = environ.get("REMOTE_ADDR", "")
        if self.proxies and self._trusted(_address(peer)):
            environ["commune.proxy_peer"] = peer
            environ["REMOTE_ADDR"] = self.client_address(peer, forwarded_for)
            scheme = proto.split(",")[-1].strip().lower()
            if scheme in ("http", "https"):
                environ["wsgi.url_scheme"] = scheme
        if "HTTP_HOST" in environ:
            environ["HTTP_HOST"] = environ["HTTP_HOST"].lower()  # host names are case-insensitive
        if self.trusted_hosts is not None and not self._host_ok(environ):
            start_response("400 Bad Request", [("Content-Type", "text/html; charset=utf-8"),
                                               ("Content-Length", str(len(BAD_HOST_PAGE))),
                                               ("Cache-Control", "no-store")])
            return [BAD_HOST_PAGE]
        return self.wsgi_app(environ, start_response)

    def _host_ok(self, environ):
        server = (environ.get("SERVER_NAME", ""), int(environ.get("SERVER_PORT") or 0) or None)
        try:
            return bool(get_host(environ.get("wsgi.url_scheme", "http"), environ.get("HTTP_HOST"),
                                 server, self.trusted_hosts))
        except SecurityError:
            return False


def init_app(app):
    """Wrap the app; Flask's TRUSTED_HOSTS is set too, so the Host header is checked a second time."""
    proxies = parse_proxies(app.config.get("COMMUNE_TRUSTED_PROXIES", ""))
    if app.config.get("TRUSTED_HOSTS") is None:
        app.config["TRUSTED_HOSTS"] = site_host_names(app.config.get("COMMUNE_PUBLIC_URL"))
    app.wsgi_app = TrustedProxies(app.wsgi_app, proxies, app.config["TRUSTED_HOSTS"])
