"""`inkan backup` / `inkan restore`: a seeded database with registrations restored into a NEW database of the same
kind holds the same rows in every table, its hash chains verify, and the anchors file comes back; restore refuses
a non-empty target without --force, a file that does not match the manifest, another database kind or an unknown
schema, and a restore that breaks off leaves the target as it was."""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect, select, text
from sqlalchemy.pool import NullPool

from conftest import TEST_PASSWORD, _create_pg_database, _drop_pg_database, make_test_app
from engine.evidence.backup import MANIFEST, _file_entry
from tests.support.evidence import Writers
from tests.support.flow import RegistrationDriver
from tests.support.purpose import answering_client
from webui.schema import METADATA

DUMPS = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}


def kind_of(url: str) -> str:
    return "postgresql" if url.startswith("postgresql") else "sqlite"


@pytest.fixture
def new_database(database_url, tmp_path):
    """new_database() → the URL of a new, empty database of the same kind as the app's (dropped afterwards)."""
    made: list[str] = []

    def _new() -> str:
        url = _create_pg_database() if kind_of(database_url) == "postgresql" else \
            f"sqlite:///{tmp_path / f'restored-{len(made)}.sqlite3'}"
        made.append(url)
        return url

    yield _new
    for url in made:
        if url.startswith("postgresql"):
            _drop_pg_database(url)


def every_row(url: str) -> dict[str, list[tuple]]:
    """Every table of the product's schema, rows ordered by primary key (plus alembic_version)."""
    engine = create_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as connection:
            rows = {t.name: connection.execute(select(t).order_by(*t.primary_key.columns)).all()
                    for metadata in METADATA for t in metadata.sorted_tables}
            rows["alembic_version"] = connection.execute(text("SELECT version_num FROM alembic_version")).all()
            return rows
    finally:
        engine.dispose()


def table_names(url: str) -> list[str]:
    engine = create_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as connection:
            return inspect(connection).get_table_names()
    finally:
        engine.dispose()


def cli(app, *args: str):
    return app.test_cli_runner().invoke(args=list(args))


@dataclass
class Backup:
    folder: Path
    rows: dict[str, list[tuple]]  # every row of the database when it was backed up


@pytest.fixture(scope="module")
def master_backup(app, tmp_path_factory) -> Backup:
    """A backup of the seeded app database after two registrations, a person's page viewed and today's anchors."""
    driver = RegistrationDriver(app.extensions["inkan"])
    for _ in range(2):
        registered = driver.register()
    clerk = answering_client(app, "counter_application")
    clerk.post("/login", data={"username": "madoguchi", "password": TEST_PASSWORD})
    assert clerk.get(f"/residents/{registered.resident_id}").status_code == 200  # an access-log row
    assert cli(app, "audit", "anchor").exit_code == 0
    folder = tmp_path_factory.mktemp("backups") / "master"
    result = cli(app, "backup", str(folder))
    assert result.exit_code == 0, result.output
    return Backup(folder, every_row(app.config["DATABASE_URL"]))


@pytest.fixture
def backed_up(master_backup, tmp_path) -> Path:
    """This test's own copy of the backup folder (some tests damage it)."""
    return Path(shutil.copytree(master_backup.folder, tmp_path / "backup"))


def test_restored_into_a_new_database_it_holds_the_same_rows_and_verifies(app, master_backup, backed_up,
                                                                          new_database, database_url,
                                                                          tmp_path_factory):
    manifest = json.loads((backed_up / MANIFEST).read_text(encoding="utf-8"))
    kind = kind_of(database_url)
    assert manifest["database"] == kind and manifest["schema_revision"] and manifest["product_version"] == "0.1.0"
    assert set(manifest["files"]) == {DUMPS[kind], "anchors.tsv"}
    assert all(_file_entry(backed_up / name) == entry for name, entry in manifest["files"].items())
    source = master_backup.rows
    assert source["registration"] and source["impression"] and source["registration_history"]
    assert source["access_log"] and source["audit_anchor"] and source["blob"]
    assert {name: manifest["tables"][name] for name in source} == {name: len(rows) for name, rows in source.items()}

    target_url = new_database()
    target = make_test_app(target_url, tmp_path_factory)
    result = cli(target, "restore", str(backed_up))
    assert result.exit_code == 0, result.output
    assert "目録と一致しています" in result.output and result.output.count("正常") == 3
    assert every_row(target_url) == source  # registrations, impressions, history, audit, blobs … every table
    verified = cli(target, "audit", "verify")
    assert verified.exit_code == 0 and verified.output.count("正常") == 3, verified.output
    restored_anchors = Path(target.instance_path) / "anchors" / "anchors.tsv"
    saved = (backed_up / "anchors.tsv").read_text(encoding="utf-8")
    assert restored_anchors.read_text(encoding="utf-8") == saved
    assert {line.split("\t")[1] for line in saved.splitlines()} == {"access_log", "audit_event",
                                                                    "registration_history"}


def test_a_non_empty_target_needs_force(master_backup, backed_up, new_database, tmp_path_factory):
    target_url = new_database()
    target = make_test_app(target_url, tmp_path_factory)
    assert cli(target, "restore", str(backed_up)).exit_code == 0
    with create_engine(target_url, poolclass=NullPool).begin() as connection:  # a change the restore must undo
        connection.execute(text("DELETE FROM api_token"))
        connection.execute(text("UPDATE number_sequence SET last_value = last_value + 100"))
    before = every_row(target_url)
    refused = cli(target, "restore", str(backed_up))
    assert refused.exit_code == 1
    assert "復元できませんでした" in refused.output and "空ではありません" in refused.output
    assert "--force" in refused.output
    assert every_row(target_url) == before
    forced = cli(target, "restore", "--force", str(backed_up))
    assert forced.exit_code == 0 and "置き換え" in forced.output, forced.output
    assert every_row(target_url) == master_backup.rows


def test_a_file_that_does_not_match_the_manifest_is_refused_before_anything_changes(backed_up, new_database,
                                                                                    database_url, tmp_path_factory):
    target_url = new_database()
    target = make_test_app(target_url, tmp_path_factory)
    dump = backed_up / DUMPS[kind_of(database_url)]
    data = bytearray(dump.read_bytes())
    data[len(data) // 2] ^= 0xFF
    dump.write_bytes(bytes(data))
    result = cli(target, "restore", str(backed_up))
    assert result.exit_code == 1
    assert f"バックアップのファイル {dump.name} が目録と一致しません" in result.output
    assert table_names(target_url) == []
    (backed_up / MANIFEST).unlink()
    missing = cli(target, "restore", str(backed_up))
    assert missing.exit_code == 1 and "目録（manifest.json）がありません" in missing.output


def test_a_restore_that_breaks_off_leaves_the_target_as_it_was(app, backed_up, new_database, database_url,
                                                               tmp_path_factory):
    """A cut-off dump whose manifest was made to match: the tool fails half-way, nothing is committed."""
    target_url = new_database()
    target = make_test_app(target_url, tmp_path_factory)
    assert cli(target, "restore", str(backed_up)).exit_code == 0
    with create_engine(target_url, poolclass=NullPool).begin() as connection:
        connection.execute(text("DELETE FROM api_token"))
    before = every_row(target_url)
    dump = backed_up / DUMPS[kind_of(database_url)]
    dump.write_bytes(dump.read_bytes()[: dump.stat().st_size // 2])
    manifest = json.loads((backed_up / MANIFEST).read_text(encoding="utf-8"))
    manifest["files"][dump.name] = _file_entry(dump)
    (backed_up / MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")
    result = cli(target, "restore", "--force", str(backed_up))
    assert result.exit_code == 1 and "復元できませんでした" in result.output, result.output
    assert every_row(target_url) == before


def test_other_kind_unknown_schema_and_a_used_folder_are_refused(app, backed_up, new_database, database_url,
                                                                 tmp_path, tmp_path_factory):
    target = make_test_app(new_database(), tmp_path_factory)
    manifest = json.loads((backed_up / MANIFEST).read_text(encoding="utf-8"))
    other = {"sqlite": "postgresql", "postgresql": "sqlite"}[manifest["database"]]
    for change, words in ((
            {"database": other, "files": {DUMPS[other]: manifest["files"][DUMPS[manifest["database"]]]}},
            "には復元できません"), ({"schema_revision": "9999"}, "スキーマ（版 9999）をこの製品は知りません")):
        folder = tmp_path / f"changed-{len(words)}"
        folder.mkdir()
        for name in manifest["files"]:
            target_name = DUMPS[other] if "database" in change and name == DUMPS[manifest["database"]] else name
            (folder / target_name).write_bytes((backed_up / name).read_bytes())
        (folder / MANIFEST).write_text(json.dumps(manifest | change), encoding="utf-8")
        result = cli(target, "restore", str(folder))
        assert result.exit_code == 1 and words in result.output, result.output
    used = cli(app, "backup", str(backed_up))
    assert used.exit_code == 1 and "空のフォルダではありません" in used.output


def test_a_backup_taken_while_clerks_write_is_one_consistent_copy(app, product, driver, new_database,
                                                                    tmp_path, tmp_path_factory):
    """The manifest's counts and chain heads come from the same snapshot as the copy: a restore checks them."""
    folder = tmp_path / "busy"
    with Writers.for_new_registration(product, driver):
        result = cli(app, "backup", str(folder))
    assert result.exit_code == 0, result.output
    target = make_test_app(new_database(), tmp_path_factory)
    restored = cli(target, "restore", str(folder))
    assert restored.exit_code == 0 and "目録と一致しています" in restored.output, restored.output
    assert restored.output.count("正常") == 3


def test_missing_postgresql_tools_are_named(app, database_url, monkeypatch, tmp_path):
    if kind_of(database_url) != "postgresql":
        pytest.skip("SQLite is copied with its own backup API, no tool needed")
    monkeypatch.setenv("PATH", str(tmp_path))
    result = cli(app, "backup", str(tmp_path / "no-tools"))
    assert result.exit_code == 1
    assert "pg_dump が見つかりません" in result.output and "postgresql-client" in result.output
    assert not (tmp_path / "no-tools" / MANIFEST).exists()
