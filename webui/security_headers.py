"""Security headers on every response: pages, API, /verify, /kiosk, static files and PDFs.

The Content-Security-Policy allows scripts and styles from this site only: no inline <script>, no `on…=`
attributes, no `style=` attributes, no eval. Server data reaches scripts through `<script type=
"application/json">` blocks and data- attributes. PDFs are shown in an <iframe> of our own pages, so a PDF
answer may be framed by this site (and nothing else); every other answer may be framed by nobody.
"""

from __future__ import annotations

from flask import Flask, Response

__all__ = ["PAGE_POLICY", "PDF_POLICY", "register_security_headers"]

PAGE_POLICY = "; ".join((
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data: blob:",  # blob: the scan preview before upload; data: bpmn-js's own icons
    "font-src 'self'",
    "connect-src 'self'",
    "frame-src 'self'",  # the PDF previews
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
))
PDF_POLICY = "default-src 'none'; object-src 'self'; frame-ancestors 'self'"
HSTS = "max-age=31536000; includeSubDomains"
COMMON = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=(), usb=()",
}


def add_security_headers(response: Response, *, production: bool) -> Response:
    """Set the headers an answer does not set itself (a view may set a stricter policy of its own)."""
    is_pdf = response.mimetype == "application/pdf"
    response.headers.setdefault("Content-Security-Policy", PDF_POLICY if is_pdf else PAGE_POLICY)
    response.headers.setdefault("X-Frame-Options", "SAMEORIGIN" if is_pdf else "DENY")
    for name, value in COMMON.items():
        response.headers.setdefault(name, value)
    if production:
        response.headers.setdefault("Strict-Transport-Security", HSTS)
    if "Cache-Control" not in response.headers:
        response.headers["Cache-Control"] = "no-store"  # people's data must not stay in a shared PC's cache
    return response


def register_security_headers(app: Flask) -> None:
    production = app.config["ENV"] == "production"
    app.after_request(lambda response: add_security_headers(response, production=production))
