"""Issue 17: a city brings its whole registry in (`inkan registry import`) and can take it out again (export).

Each database kind gets its own fresh, migrated database with the demo population (the register the import checks
residents against); every test writes its own generated set with its own numbers and residents, so the tests do
not see each other's records. The round trip exports, imports into a second empty database and exports again.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from sqlalchemy import func, select

import imaging
from conftest import drop_database, make_database, make_test_app, seed_test_app
from engine.evidence.verify import verify_all
from engine.models import AuditEvent
from juki import seed_population
from registry.documents.models import IssuedCertificate
from registry.exchange import layout as L
from registry.exchange.models import ExchangeRun
from registry.seals import pin, records
from registry.seals.models import Application, HistoryEntry, Impression, NumberSequence, Registration
from registry.seals.numbering import format_number, is_valid_number, last_serial
from tests.support.exchange_set import impression_pngs, residents_for, spoil, write_set
from tests.support.flow import RegistrationDriver
from webui.exchange.service import PACKAGE_FILE, create_run, run_export, run_import
from webui.exchange_cli import CLI_ACTOR

PACKAGE = json.loads(PACKAGE_FILE.read_text("utf-8"))


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def world(request, tmp_path_factory):
    url = make_database(request.param, tmp_path_factory)
    app = make_test_app(url, tmp_path_factory)
    seed_test_app(app)
    yield app
    drop_database(url)


@pytest.fixture(scope="module")
def pngs():
    return impression_pngs(3)


@pytest.fixture
def product(world):
    return world.extensions["inkan"]


def _set(product, tmp_path: Path, pngs, count: int, first_serial: int, *, skip: int = 0, inquiries: int = 0,
         name: str = "set", **options):
    with product.session_factory() as session:
        people = residents_for(session, count + inquiries, skip=skip)
    return write_set(tmp_path / name, people[:count], first_serial=first_serial, inquiries=people[count:],
                     pngs=pngs, package=PACKAGE, **options)


def _count(product, model, *where) -> int:
    with product.session_factory() as session:
        return session.scalar(select(func.count()).select_from(model).where(*where))


def test_the_package_describes_the_layout():
    """docs/exchange/datapackage.json has a table schema per file, its fields exactly the layout's columns."""
    columns = {L.REGISTRATIONS: L.REGISTRATION_COLUMNS, L.HISTORY: L.HISTORY_COLUMNS,
               L.INQUIRIES: L.INQUIRY_COLUMNS, L.CERTIFICATES: L.CERTIFICATE_COLUMNS}
    for resource in PACKAGE["resources"]:
        assert tuple(f["name"] for f in resource["schema"]["fields"]) == columns.pop(resource["path"])
        assert resource["encoding"] == "utf-8" and resource["format"] == "csv"
    assert not columns
    readme = (PACKAGE_FILE.parent / "README.md").read_text("utf-8")
    for column in (*L.REGISTRATION_COLUMNS, *L.HISTORY_COLUMNS, *L.CERTIFICATE_COLUMNS, *L.INQUIRY_COLUMNS):
        assert column in readme


def test_import_keeps_history_sets_counters_and_no_pins(product, tmp_path, pngs):
    generated = _set(product, tmp_path, pngs, 30, 500_000, inquiries=2)
    before_events = _count(product, AuditEvent, AuditEvent.kind == "registry_import_batch")
    outcome = run_import(product, generated.directory, CLI_ACTOR, batch_size=8, workers=1)
    assert outcome.status == "done" and not outcome.errors, outcome.problems
    assert _count(product, AuditEvent, AuditEvent.kind == "registry_import_batch") == before_events + 4
    with product.session_factory() as session:
        numbers = generated.numbers
        rows = {r.registration_number: r for r in session.scalars(select(Registration).where(
            Registration.registration_number.in_(numbers)))}
        assert sorted(rows) == numbers
        assert rows[numbers[9]].status == "abolished" and rows[numbers[9]].closed_on is not None
        assert rows[numbers[1]].card_number == numbers[1] and rows[numbers[0]].card_kind == "個人番号カード"
        assert rows[numbers[3]].identity_path == "guarantee" and rows[numbers[3]].guarantor_number == numbers[0]
        # history as history: the file's reasons, days, operators and before/after, in order
        history = records.history_of(session, rows[numbers[5]].id)
        assert [h.reason for h in history] == ["登録", "登録証交付", "住所変更"]
        assert history[0].operator == "clerk5" and json.loads(history[2].before_json) == {"address": "旧住所 2"}
        # PINs cannot come in clear: none is set, and 5.2.4 says so
        assert pin.pin_of(session, rows[numbers[1]]) is None
        assert pin.verify_pin(session, rows[numbers[1]], "1234", b"p").message == "暗証番号が設定されていません"
        # the counters past the highest number and serial: the next number follows the imported ones
        assert last_serial(session) >= 500_029
        assert session.get(NumberSequence, "certificate:2024").last_value >= 500_000 + generated.certificates
        assert session.scalar(select(func.count()).select_from(IssuedCertificate).join(
            Registration, IssuedCertificate.registration_id == Registration.id).where(
            Registration.registration_number.in_(numbers))) == generated.certificates
        pending = session.scalars(select(Application).where(Application.external_number.like("OLD-500000-%"))).all()
        assert [a.status for a in pending] == ["inquiring", "inquiring"]
        assert all(report.ok for report in verify_all(session)), verify_all(session)


def test_a_second_run_of_the_same_files_changes_nothing(product, tmp_path, pngs):
    generated = _set(product, tmp_path, pngs, 12, 510_000)
    first = run_import(product, generated.directory, CLI_ACTOR, workers=1)
    assert first.status == "done", first.problems
    counts = (_count(product, Registration), _count(product, HistoryEntry), _count(product, IssuedCertificate))
    again = run_import(product, generated.directory, CLI_ACTOR, workers=1)
    assert again.already_imported and again.run_id == first.run_id
    assert (_count(product, Registration), _count(product, HistoryEntry), _count(product, IssuedCertificate)) == counts


def test_killed_in_the_middle_it_resumes_without_duplicates_or_loss(product, tmp_path, pngs):
    generated = _set(product, tmp_path, pngs, 20, 520_000)

    def kill(batch: int) -> None:
        if batch == 3:
            raise KeyboardInterrupt  # as a Ctrl+C or a kill inside the third batch's transaction

    with pytest.raises(KeyboardInterrupt):
        run_import(product, generated.directory, CLI_ACTOR, batch_size=4, workers=1, after_batch=kill)
    numbers = Registration.registration_number.in_(generated.numbers)
    assert _count(product, Registration, numbers) == 8  # two batches committed, the third rolled back whole
    outcome = run_import(product, generated.directory, CLI_ACTOR, batch_size=4, workers=1)
    assert outcome.status == "done" and outcome.resumed_from == 8, outcome.problems
    assert _count(product, Registration, numbers) == 20
    with product.session_factory() as session:
        ids = select(Registration.id).where(numbers)
        assert session.scalar(select(func.count()).select_from(HistoryEntry).where(
            HistoryEntry.registration_id.in_(ids))) == generated.history
        assert all(report.ok for report in verify_all(session))


def test_dry_run_names_every_kind_of_bad_input_and_nothing_is_written(product, tmp_path, pngs):
    taken = _set(product, tmp_path, pngs, 3, 530_000, name="taken")
    assert run_import(product, taken.directory, CLI_ACTOR, workers=1).status == "done"
    bad = _set(product, tmp_path, pngs, 8, 531_000, skip=3, inquiries=1, name="bad")
    d = bad.directory
    spoil(d, taken.numbers[0])
    counts = (_count(product, Registration), _count(product, HistoryEntry), _count(product, Application))

    outcome = run_import(product, d, CLI_ACTOR, dry_run=True, workers=1)
    found = {(p.file, p.line, p.field): p.message for p in outcome.errors}

    def said(file: str, line: int | None, field: str, words: str) -> None:
        assert words in found.get((file, line, field), ""), (file, line, field, sorted(found.items(), key=str))

    said(L.REGISTRATIONS, 3, "登録番号", "重複しています（2 行目と同じ）")
    said(L.REGISTRATIONS, 5, "登録番号", "既にデータベースにあります")
    said(L.REGISTRATIONS, 6, "宛名番号", "住民基本台帳に見つかりません")
    said(L.REGISTRATIONS, 7, "登録番号", "検査数字が正しくありません")
    said(L.REGISTRATIONS, 8, "性別", "使えない値です")
    said(L.REGISTRATIONS, 4, "印影ファイル", "画像ファイルとして読み込めません（PNG か TIFF")
    assert any(p.file == L.HISTORY and "途中で切れて" in p.message for p in outcome.errors), found
    said(L.INQUIRIES, 1, "（ファイル全体）", "UTF-8 として読めない文字があります")  # the header is Japanese too
    assert (_count(product, Registration), _count(product, HistoryEntry), _count(product, Application)) == counts
    # without --dry-run the same set is refused whole: not one row is written
    refused = run_import(product, d, CLI_ACTOR, workers=1)
    assert refused.status == "refused" and refused.errors
    assert (_count(product, Registration), _count(product, HistoryEntry), _count(product, Application)) == counts
    with product.session_factory() as session:
        assert session.get(ExchangeRun, refused.run_id).report_blob


def test_cli_dry_run_and_export(world, product, tmp_path, pngs):
    generated = _set(product, tmp_path, pngs, 5, 540_000)
    runner = world.test_cli_runner()
    result = runner.invoke(args=["registry", "import", str(generated.directory), "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "検証のみ（--dry-run）: 原票 5 件" in result.output and "取り込んでいません" in result.output
    result = runner.invoke(args=["registry", "import", str(generated.directory)])
    assert result.exit_code == 0 and "取り込みました" in result.output and "暗証番号は移行していません" in result.output
    result = runner.invoke(args=["registry", "export", str(tmp_path / "out")])
    assert result.exit_code == 0 and "書き出しました" in result.output, result.output
    assert generated.numbers[0] in (tmp_path / "out" / L.REGISTRATIONS).read_text("utf-8")


def test_round_trip_gives_identical_files(world, product, tmp_path, tmp_path_factory, pngs):
    """Export (imported and counter-registered records), import into an empty database, export: same bytes."""
    driver = RegistrationDriver(product)
    native = driver.register(seal_text="往復")
    generated = _set(product, tmp_path, pngs, 10, 550_000, inquiries=1)
    assert run_import(product, generated.directory, CLI_ACTOR, workers=1).status == "done"
    first, second = tmp_path / "first", tmp_path / "second"
    run_export(product, first, CLI_ACTOR)
    url = make_database("postgresql" if product.session_factory.kw["bind"].dialect.name == "postgresql" else "sqlite",
                        tmp_path_factory)
    try:
        target = make_test_app(url, tmp_path_factory).extensions["inkan"]
        with target.session_factory.begin() as session:
            seed_population(session, today=target.services.today())
        outcome = run_import(target, first, CLI_ACTOR, workers=1)
        assert outcome.status == "done" and not outcome.errors, outcome.problems[:5]
        run_export(target, second, CLI_ACTOR)
        with target.session_factory() as session:
            assert is_valid_number(format_number(last_serial(session) + 1, target.services.settings.number_format),
                                   target.services.settings.number_format)
            assert records.registration_by_number(session, native.registration_number) is not None
        target.session_factory.kw["bind"].dispose()
    finally:
        drop_database(url)
    frictionless = _frictionless()
    if frictionless is not None:  # the standard tool accepts what the export writes (when installed)
        report = frictionless.validate(str(first / L.PACKAGE))
        assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])[:10]
    files = sorted(p.relative_to(first) for p in first.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(second) for p in second.rglob("*") if p.is_file())
    assert len(files) >= 16  # 4 CSV, the descriptor, 11 impressions at least
    for name in files:
        assert (first / name).read_bytes() == (second / name).read_bytes(), name
    shutil.rmtree(first)


def _frictionless():
    try:
        import frictionless
    except ImportError:
        return None
    return frictionless


def test_an_impression_outside_8_to_25_mm_is_flagged_not_refused(product, tmp_path, pngs):
    generated = _set(product, tmp_path, pngs, 2, 560_000)
    scan = imaging.load_scan(imaging.make_seal_scan("大印", dpi=300, size_mm=27))
    big = imaging.normalize_impression(scan, imaging.measure_impression(scan)).png
    (generated.directory / L.IMAGE_DIR / f"{generated.numbers[1]}.png").write_bytes(big)
    outcome = run_import(product, generated.directory, CLI_ACTOR, workers=1)
    assert outcome.status == "done"
    [warning] = [p for p in outcome.problems if p.severity == "注意"]
    assert (warning.line, warning.field) == (3, "印影ファイル") and "8〜25 mm の範囲外" in warning.message
    with product.session_factory() as session:
        record = records.registration_by_number(session, generated.numbers[1])
        flags = json.loads(session.get(Impression, record.impression_id).warnings_json)
        assert any("大きすぎます" in flag for flag in flags)


def test_a_cancelled_run_stops_before_its_next_batch_and_the_same_files_resume_it(product, tmp_path, pngs):
    generated = _set(product, tmp_path, pngs, 3, 570_000)
    run_id, done, finished = create_run(product, generated.directory, CLI_ACTOR, dry_run=False)
    assert (done, finished) == (0, False)
    with product.session_factory.begin() as session:
        session.get(ExchangeRun, run_id).cancel_requested = True  # the page's 中止
    stopped = run_import(product, generated.directory, CLI_ACTOR, workers=1, run_id=run_id)
    assert stopped.status == "failed"
    assert _count(product, Registration, Registration.registration_number.in_(generated.numbers)) == 0
    with product.session_factory() as session:
        assert "中止しました" in session.get(ExchangeRun, run_id).message
    resumed = run_import(product, generated.directory, CLI_ACTOR, workers=1)
    assert resumed.run_id == run_id and resumed.status == "done"
    assert _count(product, Registration, Registration.registration_number.in_(generated.numbers)) == 3
