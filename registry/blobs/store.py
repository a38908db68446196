"""Put and get blobs by the SHA-256 of their content: storing the same bytes twice stores them once."""

import hashlib

from sqlalchemy.orm import Session

from registry.blobs.models import Blob
from registry.errors import BlobNotFound


def put_blob(session: Session, data: bytes, media_type: str, *, filename: str | None = None,
             created_by: str | None = None) -> str:
    """Store `data` unless already stored; return its hash."""
    sha = hashlib.sha256(data).hexdigest()
    if session.get(Blob, sha) is None:
        session.add(Blob(sha256=sha, media_type=media_type, size=len(data), data=data, filename=filename,
                         created_by=created_by))
        session.flush()
    return sha


def get_blob(session: Session, sha: str) -> Blob:
    """Return the blob; raise BlobNotFound."""
    blob = session.get(Blob, sha) if isinstance(sha, str) and len(sha) == 64 else None
    if blob is None:
        raise BlobNotFound("指定されたファイルが見つかりません")
    return blob
