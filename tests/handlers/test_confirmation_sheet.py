"""4.1.2.2 as the flow prints it: the record's number and name, history in local time, the impression's size."""

from __future__ import annotations

import io

from pypdf import PdfReader
from sqlalchemy import select

from handlers.environment import to_jst
from printing import to_wareki
from registry.blobs.store import get_blob
from registry.seals import records
from registry.seals.models import Impression, IssuedDocument


def test_the_flow_prints_the_confirmation_sheet_of_the_new_record(product, driver):
    registered = driver.register(seal_text="確認", size_mm=16.0)
    with product.session_factory() as session:
        record = records.registration_by_number(session, registered.registration_number)
        document = session.scalars(select(IssuedDocument).where(IssuedDocument.registration_id == record.id)).one()
        pdf = get_blob(session, document.blob_sha256).data
        history = records.history_of(session, record.id)
        impression = session.get(Impression, record.impression_id)
    assert document.kind == "4.1.2.2 印鑑登録原票確認票" and document.instance_id == registered.instance_id
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert "印鑑登録原票確認票" in text
    assert registered.registration_number in text
    assert "".join(record.name.split()) in "".join(text.split())
    assert to_wareki(record.registered_on) in text
    local = to_jst(history[0].processed_at)
    assert f"{to_wareki(local.date())} {local:%H:%M}" in text  # stored UTC, printed as local time
    assert f"{impression.height_mm:.1f}mm" in text.replace(" ", "")
    assert [entry.reason for entry in history] == ["登録", "登録証交付"]
