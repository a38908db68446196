"""Backups: one folder with the database copy (blobs live in the database), the audit anchors file and a manifest.

The manifest (manifest.json) names the product version, the schema revision, the time, the database kind and,
for each file, its size and sha256; it also records what the copy holds (row count of every table, the head of
every hash chain). A restore checks the files against the manifest before it touches anything, refuses a
non-empty target unless told to replace it, and afterwards checks the restored database against the manifest.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import create_engine
from sqlalchemy.pool import NullPool

from engine.evidence.database_copy import (
    BackupError,
    database_facts,
    database_kind,
    dump_database,
    restore_database,
    table_count,
)

__all__ = ["MANIFEST", "BackupError", "Manifest", "RestoreResult", "read_manifest", "restore_backup",
           "write_backup"]

MANIFEST = "manifest.json"
FORMAT = "inkan-backup/1"
DUMP_FILES = {"postgresql": "database.pgdump", "sqlite": "database.sqlite3"}
ANCHORS = "anchors.tsv"
KIND_NAMES = {"postgresql": "PostgreSQL", "sqlite": "SQLite"}


@dataclass
class Manifest:
    format: str
    product_version: str
    created_at: str  # UTC, ISO 8601
    database: str  # postgresql | sqlite
    server_version: str
    schema_revision: str | None
    files: dict[str, dict]  # name → {"sha256", "bytes"}
    tables: dict[str, int]  # table → rows
    chains: dict[str, list]  # chain → [last seq, last hash]

    @property
    def dump_file(self) -> str:
        return DUMP_FILES[self.database]

    @property
    def rows(self) -> int:
        return sum(self.tables.values())


@dataclass
class RestoreResult:
    manifest: Manifest
    replaced_tables: int  # tables the target held before (0: it was empty)
    anchors_added: int  # anchor lines the local anchors file did not have yet


def write_backup(url: str, directory: Path, *, product_version: str, anchors_file: Path | None = None) -> Manifest:
    """Copy the database (and the anchors file, if any) into the empty or new `directory`; raise BackupError."""
    kind = database_kind(url)
    if directory.exists() and (not directory.is_dir() or any(directory.iterdir())):
        raise BackupError(f"バックアップ先 {directory} は空のフォルダではありません。新しいフォルダを指定してください")
    directory.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    try:
        dump = directory / DUMP_FILES[kind]
        written.append(dump)
        facts = dump_database(url, dump)
        if anchors_file is not None and anchors_file.is_file():
            written.append(directory / ANCHORS)
            shutil.copyfile(anchors_file, directory / ANCHORS)
        manifest = Manifest(FORMAT, product_version, datetime.now(UTC).isoformat(timespec="seconds"), kind,
                            str(facts["server_version"]), facts["schema_revision"],
                            {path.name: _file_entry(path) for path in written}, facts["tables"], facts["chains"])
        _write_manifest(directory, manifest)
    except BaseException:
        for path in written:  # no half backup: without its manifest nobody could trust it anyway
            path.unlink(missing_ok=True)
        raise
    return manifest


def read_manifest(directory: Path) -> Manifest:
    """The manifest of a backup folder whose every file matches it; raise BackupError saying what is wrong."""
    path = directory / MANIFEST
    if not path.is_file():
        raise BackupError(f"{directory} にバックアップの目録（{MANIFEST}）がありません。"
                          "inkan backup で作ったフォルダを指定してください")
    try:
        manifest = Manifest(**json.loads(path.read_text(encoding="utf-8")))
    except (ValueError, TypeError) as exc:
        raise BackupError(f"バックアップの目録（{MANIFEST}）が読めません: {exc}") from None
    if manifest.format != FORMAT or manifest.database not in DUMP_FILES:
        raise BackupError(f"この目録の形式（{manifest.format}、{manifest.database}）には対応していません")
    if manifest.dump_file not in manifest.files:
        raise BackupError(f"目録にデータベースのファイル（{manifest.dump_file}）が載っていません")
    for name, entry in manifest.files.items():
        file = directory / name
        if not file.is_file():
            raise BackupError(f"バックアップのファイル {name} がありません")
        if _file_entry(file) != entry:
            raise BackupError(f"バックアップのファイル {name} が目録と一致しません（壊れているか、書き換えられています）")
    return manifest


def restore_backup(url: str, directory: Path, *, known_revisions: set[str], force: bool = False,
                   anchors_file: Path | None = None) -> RestoreResult:
    """Restore the backup in `directory` into the database at `url`; raise BackupError (target then unchanged,
    except when the check after the restore fails: the message says so)."""
    manifest = read_manifest(directory)
    kind = database_kind(url)
    if manifest.database != kind:
        raise BackupError(f"このバックアップは {KIND_NAMES[manifest.database]} のものです。"
                          f"{KIND_NAMES[kind]} には復元できません")
    if manifest.schema_revision not in known_revisions:
        raise BackupError(f"このバックアップのスキーマ（版 {manifest.schema_revision}）をこの製品は知りません。"
                          f"より新しい版（{manifest.product_version}）の製品で復元してください")
    existing = table_count(url)
    if existing and not force:
        raise BackupError(f"復元先のデータベースは空ではありません（表 {existing} 個）。"
                          "上書きしてよい場合だけ --force を付けて実行してください")
    restore_database(url, directory / manifest.dump_file, replace=bool(existing))
    _check_restored(url, manifest)
    added = _merge_anchors(directory / ANCHORS, anchors_file) if ANCHORS in manifest.files and anchors_file else 0
    return RestoreResult(manifest, existing, added)


def _check_restored(url: str, manifest: Manifest) -> None:
    engine = create_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as connection:
            facts = database_facts(connection)
    finally:
        engine.dispose()
    differences = [f"表 {name}: 目録 {rows} 行、復元後 {facts['tables'].get(name)} 行"
                   for name, rows in manifest.tables.items() if facts["tables"].get(name) != rows]
    differences += [f"連鎖 {name} の先頭が目録と異なります" for name, head in manifest.chains.items()
                    if facts["chains"].get(name) != head]
    if facts["schema_revision"] != manifest.schema_revision:
        differences.append(f"スキーマの版: 目録 {manifest.schema_revision}、復元後 {facts['schema_revision']}")
    if differences:
        raise BackupError("復元したデータベースが目録と一致しません（復元先は使わないでください）: "
                          + "; ".join(differences[:5]))


def _merge_anchors(saved: Path, local: Path) -> int:
    """Add the backup's anchor lines the local file lacks (an anchors file only ever grows); return how many."""
    have = set(local.read_text(encoding="utf-8").splitlines()) if local.is_file() else set()
    missing = [line for line in saved.read_text(encoding="utf-8").splitlines() if line and line not in have]
    if missing:
        local.parent.mkdir(parents=True, exist_ok=True)
        with local.open("a", encoding="utf-8") as handle:
            handle.writelines(line + "\n" for line in missing)
    return len(missing)


def _file_entry(path: Path) -> dict:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return {"sha256": digest.hexdigest(), "bytes": path.stat().st_size}


def _write_manifest(directory: Path, manifest: Manifest) -> None:
    """Written last and atomically: a folder with a manifest is a finished backup."""
    temporary = directory / f".{MANIFEST}.tmp"
    temporary.write_text(json.dumps(asdict(manifest), ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    os.replace(temporary, directory / MANIFEST)
