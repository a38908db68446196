"""Storing the same bytes from two transactions at once (a clerk's retried upload) stores them once, no error."""

from __future__ import annotations

import os
import threading

from registry.blobs.store import get_blob, put_blob


def test_the_same_bytes_from_two_transactions_at_once(product):
    data = os.urandom(2048)
    first = product.session_factory()
    first.begin()
    sha = put_blob(first, data, "application/octet-stream")  # not committed yet
    outcome: dict = {}

    def second_upload():
        with product.session_factory.begin() as session:  # PostgreSQL: waits on the first's row, then no-op
            outcome["sha"] = put_blob(session, data, "application/octet-stream")

    if product.session_factory.kw["bind"].dialect.name == "postgresql":
        thread = threading.Thread(target=second_upload)
        thread.start()
        thread.join(timeout=1)
        assert thread.is_alive()  # it waits for the first transaction
        first.commit()
        thread.join(timeout=30)
    else:  # SQLite serialises writers: the second comes after the first
        first.commit()
        second_upload()
    first.close()
    assert outcome["sha"] == sha
    with product.session_factory() as session:
        assert get_blob(session, sha).data == data
