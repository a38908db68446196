"""Looking for a leaked PIN in what the product wrote or showed."""

from __future__ import annotations

import re


def shows_pin(text: str, pin: str) -> bool:
    """Whether `pin` stands in `text` as a value of its own. Inside a longer run of letters and digits it does not
    count: a hash, a salt or a request id in hex or base64 holds any four digits now and then (one hash in about a
    thousand holds a given four), and a test that failed on that would fail by chance."""
    return re.search(rf"(?<![0-9A-Za-z+/]){re.escape(pin)}(?![0-9A-Za-z+/])", text) is not None
