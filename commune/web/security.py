"""Security headers on every response: a strict CSP (no inline script or style) and friends."""

CSP = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data: blob:",
    "connect-src 'self'",
    "worker-src 'self' blob:",
    "font-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])


HEADERS = (
    ("Content-Security-Policy", CSP),
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "same-origin"),
    ("X-Frame-Options", "DENY"),
    ("Permissions-Policy", "camera=(self), geolocation=(), microphone=()"),
)


def init_app(app):
    @app.after_request
    def _security_headers(response):
        """Each header unless the view set its own (one look at the response's headers, not five)."""
        present = {name.lower() for name in response.headers.keys()}
        for name, value in HEADERS:
            if name.lower() not in present:
                response.headers.add(name, value)
        return response
