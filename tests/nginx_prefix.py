"""nginx run from a temporary prefix for the tests: the binary, and a main config that keeps every
file nginx writes (pid, logs, temp bodies) inside that prefix."""
import os
import shutil

NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if os.path.exists("/usr/sbin/nginx") else None)

_MAIN = """
worker_processes 1;
pid {tmp}/nginx.pid;
error_log {tmp}/error.log warn;
{main}
events {{ worker_connections 64; }}
http {{
    access_log {tmp}/access.log;
    client_body_temp_path {tmp}/client_body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
{http}
}}
"""


def nginx_conf(tmp, http, main=""):
    """A whole nginx.conf whose `http` block holds `http` (server blocks or an include)."""
    return _MAIN.format(tmp=tmp, http=http, main=main)
