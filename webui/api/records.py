"""API views over the registry and the resident register: blobs, residents (2.1.3 / 2.2.1) and records."""

from __future__ import annotations

from flask import jsonify, request
from sqlalchemy.orm import Session

from juki import ResidentQuery, require_resident
from registry.blobs.store import put_blob
from registry.errors import RecordNotFound
from registry.seals import records
from registry.seals.models import Impression, Registration
from webui.api import schemas
from webui.api.access import api_actor, require_worker
from webui.api.params import ApiError, bool_param, page_params, text_param
from webui.audit.access import log_api_list, log_api_view
from webui.documents.blobs import api_blob_response
from webui.uploads import read_upload
from webui.wiring import product


def upload_blob():
    """A scan or PDF, decoded and checked on arrival (webui/uploads.py) before it is stored."""
    actor = require_worker()
    if request.mimetype != "multipart/form-data":
        raise ApiError(415, "unsupported_media_type", "ファイルは multipart/form-data の file 欄で送ってください")
    upload = read_upload(request.files.get("file"))
    with product().session_factory.begin() as session:
        sha = put_blob(session, upload.data, upload.media_type, filename=upload.filename, created_by=actor.username)
    return jsonify(schemas.blob_json(sha, upload.media_type, len(upload.data))), 201


def download_blob(sha256: str):
    """A stored file; a printed document's PDF only through the documents' rule (webui/documents/blobs.py)."""
    return api_blob_response(sha256, api_actor())


def search_residents():
    page, per_page = page_params()
    query = ResidentQuery(kana=text_param("kana"), name=text_param("name"), birth_date=text_param("birth_date"),
                          address=text_param("address"), resident_id=text_param("resident_id"),
                          include_former=bool_param("include_former"), limit=per_page,
                          offset=(page - 1) * per_page)
    with product().session_factory() as session:
        juki = product().juki(session)
        found, total = juki.search(query), juki.count(query)
        numbers = records.active_numbers_of(session, [r.resident_id for r in found])
        rows = [schemas.resident_row_json(r, numbers.get(r.resident_id)) for r in found]
        log_api_list(session, api_actor(), [r.resident_id for r in found], "2.1.3 基本検索（API）")
        session.commit()
    pages = max(1, -(-total // per_page))
    return jsonify({"rows": rows, "total": total, "page": page, "per_page": per_page, "pages": pages})


def get_resident(resident_id: str):
    with product().session_factory.begin() as session:
        juki = product().juki(session)
        resident = require_resident(juki, resident_id)
        log_api_view(session, api_actor(), resident.resident_id, "2.2.1 登録内容照会（API）")
        household = juki.household_members(resident.household_id)
        return jsonify({
            "resident": schemas.resident_json(resident, _active_number(session, resident.resident_id)),
            "household": [schemas.resident_row_json(m, _active_number(session, m.resident_id))
                          for m in household],
            "registrations": [_registration(session, r) for r in records.registrations_of(session, resident_id)],
        })


def get_registration(number: str):
    with product().session_factory() as session:
        record = records.registration_by_number(session, number)
        if record is None:
            raise RecordNotFound(f"印鑑登録番号 {number} の原票が見つかりません")
        answer = _registration(session, record)
        log_api_view(session, api_actor(), record.resident_id, "原票の照会（API）", target=f"registration:{number}")
        session.commit()
        return jsonify(answer)


def _active_number(session: Session, resident_id: str) -> str | None:
    record = records.active_registration_of(session, resident_id)
    return record.registration_number if record is not None else None


def _registration(session: Session, record: Registration) -> dict:
    return schemas.registration_json(record, session.get(Impression, record.impression_id),
                                     records.history_of(session, record.id),
                                     records.documents_of(session, record.id))

