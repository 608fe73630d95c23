"""Waitress' limits and timeouts, set on purpose for `flask serve` (docs/security.md).

Waitress reads requests in one I/O thread and hands complete ones to COMMUNE_THREADS
workers, so a slow or half-open connection costs a socket, not a thread. What limits
it is the number of open connections (beyond connection_limit new ones wait in the
kernel's backlog, /healthz included), how long an idle one is kept, and how much of a
request it buffers. The reverse proxy in front (README) absorbs slow clients first.
"""
import resource

DEFAULT_CONNECTION_LIMIT = 1000
DEFAULT_CHANNEL_TIMEOUT = 30
REQUEST_BODY_MARGIN = 64 * 1024  # multipart boundaries and the CSRF field beside the file


def waitress_options(config):
    """Keyword arguments for waitress.serve() from the app's settings."""
    connections = int(config.get("COMMUNE_CONNECTION_LIMIT") or DEFAULT_CONNECTION_LIMIT)
    timeout = int(config.get("COMMUNE_CHANNEL_TIMEOUT") or DEFAULT_CHANNEL_TIMEOUT)
    max_body = int(config.get("MAX_CONTENT_LENGTH") or 25 * 1024 * 1024)
    return {
        "host": config["COMMUNE_HOST"],
        "port": config["COMMUNE_PORT"],
        "threads": config["COMMUNE_THREADS"],
        "ident": "mot-cua-xa",
        # Many slow or half-open clients must not lock out the rest (waitress' default is 100).
        "connection_limit": connections,
        # poll() instead of select(): select cannot watch more than 1024 sockets.
        "asyncore_use_poll": True,
        "backlog": 1024,
        # A connection silent this long is closed; checked this often.
        "channel_timeout": timeout,
        "cleanup_interval": max(1, min(10, timeout // 3)),
        # Refuse bigger bodies before buffering them (Flask refuses the same with its own message).
        "max_request_body_size": max_body + REQUEST_BODY_MARGIN,
        "max_request_header_size": 64 * 1024,
        # Bodies above 512 KB and responses above 1 MB go to temporary files, not memory.
        "inbuf_overflow": 512 * 1024,
        "outbuf_overflow": 1024 * 1024,
        "outbuf_high_watermark": 16 * 1024 * 1024,
        "expose_tracebacks": False,
    }


def raise_open_files(connections):
    """Lift the soft open-files limit so `connections` sockets plus files fit (up to the hard limit)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = connections + 256
    if hard != resource.RLIM_INFINITY:
        wanted = min(wanted, hard)
    if soft != resource.RLIM_INFINITY and soft < wanted:
        resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))
