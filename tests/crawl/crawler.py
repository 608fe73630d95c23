"""A visitor who follows every link and submits every GET form they can reach, over real HTTP.

Each visitor is a cookie-keeping browser without JavaScript. From their landing pages they follow
every same-site link and submit every GET form (each select's options, text fields with words
people type), breadth first. Pages of the same shape (the same route with another id or code) are
visited a few times, not a thousand, so a crawl is bounded whatever the data; every answer's status
is recorded.
"""
import collections
import http.cookiejar
import re
import urllib.error
import urllib.parse
import urllib.request
from html.parser import HTMLParser

SKIP_PATHS = ("/dang-xuat", "/thoat")  # POST-only anyway: never a GET that ends the visit
SAMPLE_WORDS = ("nguyen", "tran van", "0912", "2026", "khai sinh", "Hòa Bình", "HB")
_SHAPE_PART = re.compile(r"^(?=.*\d)[\w.-]+$|^[A-Z0-9]{6,}$")
_CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


class _Page(HTMLParser):
    """Links and GET forms of one HTML page."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.links, self.forms = [], []
        self._form = None
        self._select = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        # What our scripts and htmx fetch: hx-get, and any data-* attribute holding an address.
        self.links += [v for k, v in attrs if v and v.startswith("/") and (k == "hx-get" or k.startswith("data-"))]
        if tag == "a" and a.get("href"):
            self.links.append(a["href"])
        elif tag in ("link", "script", "img") and (a.get("href") or a.get("src")):
            self.links.append(a.get("href") or a.get("src"))  # what a browser fetches with the page
        elif tag == "form":
            method = (a.get("method") or "get").lower()
            self._form = {"action": a.get("action") or "", "get": method == "get", "fields": [],
                          "id": a.get("id")}
            self.forms.append(self._form)
        elif tag == "button" and (a.get("formmethod") or "").lower() == "get" and a.get("formaction"):
            self.forms.append({"action": a["formaction"], "get": True, "fields": list(
                self._form["fields"] if self._form else [])})
        elif self._form is not None and tag in ("input", "textarea"):
            kind = (a.get("type") or "text").lower()
            if a.get("name") and kind not in ("submit", "button", "image", "file", "reset"):
                if kind in ("checkbox", "radio") and "checked" not in a:
                    self._form["fields"].append(("option", a["name"], a.get("value") or "on"))
                else:
                    self._form["fields"].append((kind, a["name"], a.get("value") or ""))
        elif self._form is not None and tag == "select" and a.get("name"):
            self._select = ("select", a["name"], [])
            self._form["fields"].append(self._select)
        elif tag == "option" and self._select is not None:
            self._select[2].append(a.get("value", ""))

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None


def _url_map():
    """The site's routes, from an app built for nothing else (no database is opened)."""
    global _ROUTES
    if _ROUTES is None:
        import tempfile

        from commune import create_app

        folder = tempfile.mkdtemp(prefix="crawl-routes-")
        app = create_app({"TESTING": True, "SECRET_KEY": "routes", "COMMUNE_INSTANCE_PATH": folder,
                          "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/unused.db", "COMMUNE_SEND_NOTICES": False})
        _ROUTES = app.url_map.bind("localhost")
    return _ROUTES


_ROUTES = None


def route(url):
    """The endpoint a URL reaches (None for an unknown one)."""
    try:
        return _url_map().match(urllib.parse.urlsplit(url).path, method="GET")[0]
    except Exception:  # noqa: BLE001 - 404, 405 or a redirect: not a route of its own
        return None


def shape(url):
    """The route a URL is an instance of (its endpoint, or its path with ids replaced), with its query keys."""
    parts = urllib.parse.urlsplit(url)
    path = route(url) or "/".join("*" if _SHAPE_PART.match(p) else p for p in parts.path.split("/"))
    keys = sorted({k for k, _ in urllib.parse.parse_qsl(parts.query, keep_blank_values=True)})
    return path + ("?" + "&".join(keys) if keys else "")


def form_queries(form, words=SAMPLE_WORDS, per_select=8):
    """Query strings for one GET form: its defaults, each select's options, each text field with words."""
    base, options, texts = [], [], []
    for field in form["fields"]:
        kind, name = field[0], field[1]
        if kind == "select":
            values = field[2]
            if values:
                base.append((name, values[0]))
                options += [(name, v) for v in values[1:per_select + 1]]
        elif kind == "option":
            options.append((name, field[2]))
        elif kind == "hidden":
            base.append((name, field[2]))
        else:
            base.append((name, field[2]))
            if kind == "date":
                texts += [(name, "2026-01-01"), (name, "2099-12-31")]
            elif kind == "number":
                texts += [(name, "3")]
            elif kind == "month":
                texts += [(name, "2026-11")]
            elif kind not in ("checkbox", "radio"):
                texts += [(name, w) for w in words]
    queries = [base]
    for name, value in options + texts:
        queries.append([(n, value if n == name else v) for n, v in base] +
                       ([] if any(n == name for n, _ in base) else [(name, value)]))
    return [urllib.parse.urlencode(q) for q in queries]


class Browser:
    """Cookies, redirects followed, a CSRF token read from the last page; every answer recorded."""

    def __init__(self, base):
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))
        self.csrf = ""
        self.answers = []  # (method, url, status)

    def open(self, url, data=None, headers=None):
        request = urllib.request.Request(urllib.parse.urljoin(self.base, url), data=data, headers=headers or {})
        try:
            with self.opener.open(request, timeout=60) as response:
                status, final, kind = response.status, response.geturl(), response.headers.get_content_type()
                body = response.read()
        except urllib.error.HTTPError as error:
            status, final, kind = error.code, error.geturl(), error.headers.get_content_type()
            body = error.read()
        self.answers.append(("POST" if data else "GET", url, status))
        text = body.decode("utf-8", "replace") if kind in ("text/html", "application/json") else ""
        match = _CSRF_RE.search(text)
        if match:
            self.csrf = match.group(1)
        return status, urllib.parse.urlsplit(final)._replace(scheme="", netloc="").geturl(), kind, text

    def get(self, url, headers=None):
        return self.open(url, headers=headers)

    def post(self, url, fields):
        data = urllib.parse.urlencode(dict(fields, csrf_token=self.csrf)).encode()
        return self.open(url, data, {"Content-Type": "application/x-www-form-urlencoded"})

    def log_in(self, username, password):
        self.get("/dang-nhap")
        status, path, _kind, _text = self.post("/dang-nhap", {"username": username, "password": password})
        assert status == 200 and not path.startswith("/dang-nhap"), f"{username} could not log in ({status} {path})"
        return path

    def failures(self):
        return [answer for answer in self.answers if answer[2] >= 500]


def crawl(browser, landing, max_requests=500, per_shape=4, per_form=40):
    """Breadth-first from `landing`: every link and GET form of the site; returns the pages visited."""
    site = urllib.parse.urlsplit(browser.base).netloc
    queue = collections.deque(landing)
    seen, shapes, forms_seen = set(), collections.Counter(), set()
    visited = 0
    while queue and visited < max_requests:
        url = queue.popleft()
        parts = urllib.parse.urlsplit(urllib.parse.urljoin(browser.base, url))
        if parts.netloc != site or parts.scheme not in ("http", "https"):
            continue
        url = urllib.parse.urlunsplit(("", "", parts.path, parts.query, ""))
        if url in seen or parts.path.startswith(SKIP_PATHS):
            continue
        seen.add(url)
        if shapes[shape(url)] >= per_shape:
            continue
        shapes[shape(url)] += 1
        status, _final, kind, text = browser.get(url)
        visited += 1
        if kind != "text/html" or status >= 400:
            continue
        page = _Page()
        page.feed(text)
        queue.extend(page.links)
        for form in page.forms:
            if not form["get"]:
                continue
            action = urllib.parse.urljoin(url, form["action"] or url)
            key = (urllib.parse.urlsplit(action).path, tuple(f[1] for f in form["fields"]))
            if key in forms_seen:
                continue
            forms_seen.add(key)
            for query in form_queries(form)[:per_form]:
                target = urllib.parse.urlsplit(action)._replace(query=query).geturl()
                if target not in seen:
                    seen.add(target)
                    status, _final, kind, text = browser.get(target)
                    visited += 1
                    if kind == "text/html" and status < 400:
                        found = _Page()
                        found.feed(text)
                        queue.extend(found.links)
    return visited
