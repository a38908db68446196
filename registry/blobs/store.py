"""Put and get blobs by the SHA-256 of their content: storing the same bytes twice stores them once."""

import hashlib

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from registry.blobs.models import Blob
from registry.errors import BlobNotFound


def put_blob(session: Session, data: bytes, media_type: str, *, filename: str | None = None,
             created_by: str | None = None) -> str:
    """Store `data` unless already stored; return its hash.

    Two transactions storing the same bytes at once both succeed (INSERT … ON CONFLICT DO NOTHING): the second
    waits for the first and stores nothing, instead of failing on the primary key.
    """
    sha = hashlib.sha256(data).hexdigest()
    if session.get(Blob, sha) is None:
        dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
        session.execute(dialect.insert(Blob).values(
            sha256=sha, media_type=media_type, size=len(data), data=data, filename=filename,
            created_by=created_by).on_conflict_do_nothing(index_elements=["sha256"]))
    return sha


def get_blob(session: Session, sha: str) -> Blob:
    """Return the blob; raise BlobNotFound."""
    blob = session.get(Blob, sha) if isinstance(sha, str) and len(sha) == 64 else None
    if blob is None:
        raise BlobNotFound("指定されたファイルが見つかりません")
    return blob
