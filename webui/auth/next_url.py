"""`next=`: where to go back after signing in or choosing a purpose — only a path on this site."""

from __future__ import annotations

import unicodedata
from urllib.parse import unquote, urlsplit

from flask import url_for

__all__ = ["is_local_path", "safe_next"]

MAX_CHARS = 2000
# A browser drops or rewrites these inside a URL ("/\t/evil" → "//evil"), or they hide what the URL says.
INVISIBLE = {"Cc", "Cf", "Zl", "Zp", "Co", "Cs", "Cn"}
BLANK = {"Zs"}  # refused as given; a decoded "%20" in a query is just a space


def safe_next(target: str | None, default: str | None = None) -> str:
    """`target` when it is a path on this site, else `default` (the inbox)."""
    if isinstance(target, str) and is_local_path(target):
        return target
    return default or url_for("inbox.index")


def is_local_path(target: str) -> bool:
    """A path of this site: starts with one "/", no scheme or host, no backslash, control or blank character,
    however many times it is percent-decoded."""
    if not target or len(target) > MAX_CHARS:
        return False
    seen, refused = target, INVISIBLE | BLANK
    for _ in range(4):  # "%25252F" needs three rounds to show its "/"
        if not _plain_local_path(seen, refused):
            return False
        try:
            decoded = unquote(seen, errors="strict")
        except UnicodeDecodeError:
            return False
        if decoded == seen:
            return True
        seen, refused = decoded, INVISIBLE
    return False  # still encoded after four rounds: nobody needs that


def _plain_local_path(text: str, refused: set[str]) -> bool:
    if not text.startswith("/") or text.startswith("//") or "\\" in text:
        return False
    if any(unicodedata.category(char) in refused for char in text):
        return False
    parts = urlsplit(text)
    return not parts.scheme and not parts.netloc
