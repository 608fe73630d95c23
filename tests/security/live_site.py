"""A real site in a subprocess (`flask serve`, waitress) with its own folder, and a villager who uses it.

Used by the crash drill and the backup/restore drill: the server is the one a
commune runs (migrations by `flask setup`, CSRF on, the real catalog), reached
only over HTTP; the villager is a cookie-keeping urllib client that walks the
real submission journey and reads the receipt.
"""
import http.cookiejar
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
PROCEDURE = "thong-bao-to-chuc-le-hoi-cap-xa"  # online, no questions, one document
CLERK_PASSWORD = "mat-khau-drill-123"
_CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
_SUBMIT_KEY_RE = re.compile(r'name="submit_key"[^>]*value="([^"]+)"')
_UPLOAD_RE = re.compile(r'data-upload-url="([^"]+)"')
_RECEIPT_RE = re.compile(r"/ho-so/([A-Z0-9]{10})/bien-nhan")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Site:
    """One commune site in `root`: SQLite database and data folder inside, served on a free port."""

    def __init__(self, root):
        self.root = Path(root)
        self.instance = self.root / "instance"
        self.data_dir = self.instance / "data"
        self.db_path = self.instance / "commune.db"
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process = None
        self.log = self.root / "server.log"

    def env(self):
        env = {k: v for k, v in os.environ.items() if not k.startswith("COMMUNE_")}
        env.update({
            "COMMUNE_INSTANCE_PATH": str(self.instance),
            "COMMUNE_DATA_DIR": str(self.data_dir),
            "COMMUNE_DATABASE_URL": f"sqlite:///{self.db_path}",
            "COMMUNE_SECRET_KEY": "drill-secret-key",
            "COMMUNE_HOST": "127.0.0.1",
            "COMMUNE_PORT": str(self.port),
            "COMMUNE_PUBLIC_URL": self.url,
            "COMMUNE_SEND_NOTICES": "0",
            "COMMUNE_THREADS": "4",
        })
        for name in ("LOOKUP", "LOGIN", "UPLOAD", "DRAFT", "SUBMIT"):
            env[f"COMMUNE_{name}_LIMIT"] = "100000 per minute"
        return env

    def flask(self, *args, stdin=None, check=True):
        """Run `flask --app app ARGS` for this site; returns the completed process."""
        result = subprocess.run([sys.executable, "-m", "flask", "--app", "app", *args], cwd=REPO,
                                env=self.env(), input=stdin, capture_output=True, text=True, timeout=300)
        if check and result.returncode != 0:
            raise AssertionError(f"flask {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
        return result

    def setup(self, clerk="clerk1"):
        """What `flask setup` does (migrations, the catalog), and one clerk account."""
        self.root.mkdir(parents=True, exist_ok=True)
        self.flask("db", "upgrade", "heads")  # `heads`: also while parallel branches await their merge
        self.flask("catalog", "load")
        self.flask("users", "create", clerk, "--role", "clerk", "--password-stdin", stdin=CLERK_PASSWORD + "\n")

    def start(self, timeout=60):
        """Start `flask serve` and wait until /healthz answers."""
        log = open(self.log, "a")
        self.process = subprocess.Popen([sys.executable, "-m", "flask", "--app", "app", "serve"], cwd=REPO,
                                        env=self.env(), stdout=log, stderr=subprocess.STDOUT)
        log.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"the server exited:\n{self.log.read_text()[-3000:]}")
            try:
                with urllib.request.urlopen(self.url + "/healthz", timeout=2) as response:
                    if response.status == 200:
                        return
            except (urllib.error.URLError, ConnectionError, OSError):
                time.sleep(0.2)
        raise AssertionError("the server did not answer /healthz in time")

    def kill(self):
        """kill -9: no handler runs, nothing is flushed by the process."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=30)
        self.process = None

    def stop(self):
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill()
        self.process = None


class Villager:
    """A browser without JavaScript worries: cookies, CSRF tokens read from the pages, redirects followed."""

    def __init__(self, site_url):
        self.base = site_url
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))
        self.csrf = None

    def _open(self, request, timeout=60):
        try:
            with self.opener.open(request, timeout=timeout) as response:
                body = response.read().decode("utf-8", "replace")
                status, url = response.status, response.geturl()
        except urllib.error.HTTPError as error:
            body = error.read().decode("utf-8", "replace")
            status, url = error.code, error.geturl()
        match = _CSRF_RE.search(body)
        if match:
            self.csrf = match.group(1)
        return status, urllib.parse.urlsplit(url).path, body

    def get(self, path):
        return self._open(urllib.request.Request(self.base + path))

    def post(self, path, fields, xhr=False):
        data = urllib.parse.urlencode(dict(fields, csrf_token=self.csrf or "")).encode()
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        if xhr:
            headers["X-Requested-With"] = "XMLHttpRequest"
        return self._open(urllib.request.Request(self.base + path, data=data, headers=headers))

    def upload(self, path, content, filename="trang.jpg"):
        """POST one file as upload.js does (multipart, CSRF in the form and the header)."""
        boundary = uuid.uuid4().hex
        parts = [
            f'--{boundary}\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n{self.csrf}\r\n'.encode(),
            (f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{filename}"\r\n'
             "Content-Type: image/jpeg\r\n\r\n").encode() + content + b"\r\n",
            f"--{boundary}--\r\n".encode(),
        ]
        headers = {"Content-Type": f"multipart/form-data; boundary={boundary}",
                   "X-Requested-With": "XMLHttpRequest", "X-CSRFToken": self.csrf or ""}
        return self._open(urllib.request.Request(self.base + path, data=b"".join(parts), headers=headers))

    def submit_dossier(self, name, phone, photo):
        """The whole journey: details, photo, office pick-up, check, submit; returns the receipt's code."""
        status, path, body = self.get(f"/thu-tuc/{PROCEDURE}/nop-ho-so")
        assert status == 200, f"start page: {status}"
        status, path, body = self.post(f"/thu-tuc/{PROCEDURE}/nop-ho-so", {
            "full_name": name, "phone": phone, "id_number": "001195004567", "village": "Bản Nà Cang",
            "address": "Xã Mẫu", "email": "", "website": ""})
        for _step in range(6):
            if path.endswith("/anh-giay-to"):
                for url in _UPLOAD_RE.findall(body):
                    code, _p, answer = self.upload(url, photo)
                    assert code in (200, 201), f"upload: {code} {answer[:300]}"
                status, path, body = self.post("/nop-ho-so/anh-giay-to", {})
            elif path.endswith("/nhan-ket-qua"):
                status, path, body = self.post("/nop-ho-so/nhan-ket-qua", {"result_method": "office"})
            elif path.endswith("/kiem-tra"):
                key = _SUBMIT_KEY_RE.search(body).group(1)
                status, path, body = self.post("/nop-ho-so/nop", {"submit_key": key, "declaration": "y"})
            else:
                break
        match = _RECEIPT_RE.search(path) or _RECEIPT_RE.search(body)
        assert status == 200 and match, f"no receipt: {status} {path} {body[:300]}"
        return match.group(1)

    def look_up(self, code, phone):
        """The public look-up with code + phone; the page it lands on."""
        self.get("/tra-cuu")
        return self.post("/tra-cuu", {"code": code, "secret": phone})

    def log_in(self, username, password=CLERK_PASSWORD):
        self.get("/dang-nhap")
        return self.post("/dang-nhap", {"username": username, "password": password})
