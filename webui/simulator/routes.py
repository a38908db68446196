"""住基シミュレータ (/admin/juki), J-LIS シミュレータ (/admin/jlis) and the コンビニ kiosk (/kiosk); admin only."""

from __future__ import annotations

import dataclasses

from flask import Blueprint, abort, flash, redirect, render_template, request, session, url_for
from flask_login import current_user

from handlers.linkage import intake
from handlers.services import konbini
from handlers.services.documents import document_for_viewing, issued_by_blob
from juki import JukiError, SimulatedRegister, jlis
from juki.changelog import recent_changes
from juki.changes import FIELD_LABELS, ChangeContext
from juki.errors import InvalidChange, JlisUnavailable
from juki.events import EVENT_KINDS
from registry.konbini.queries import recent_requests, request_by_id
from webui.audit.access import log_list_view, log_person_view, purpose_gate
from webui.auth.users import current_actor, roles_required
from webui.documents.files import pdf_response
from webui.konbini.routes import service_hours
from webui.residents.forms import lookup_query
from webui.simulator.forms import FORM_KINDS, parse_date, record_change
from webui.wiring import product

bp = Blueprint("simulator", __name__)

ADMIN = "admin"
KIOSK_PRINTOUTS = "kiosk_printouts"  # session key: the request ids this session's kiosk was answered with


@bp.get("/admin/juki")
@roles_required(ADMIN)
def juki_page():
    resident_id = request.args.get("resident_id", "")
    if (gate := purpose_gate(_simulated_person(resident_id))) is not None:  # the page shows the person's 住民票
        return gate
    return _juki_page(resident_id)


def _simulated_person(resident_id: str) -> str | None:
    if not resident_id.strip():
        return None
    with product().session_factory() as session:
        try:
            person = SimulatedRegister(session).get_resident(resident_id.strip())
        except JukiError:
            return None
    return person.resident_id if person is not None else None


@bp.post("/admin/juki/changes")
@roles_required(ADMIN)
def juki_change():
    """Record one change (異動) in the simulated register and emit its events to the registry's intake."""
    services = product().services
    try:
        with product().session_factory.begin() as session:
            ctx = ChangeContext(effective_date=parse_date(request.form.get("effective_date"), "異動日"),
                                actor=current_user.username, today=services.today(), recorded_at=services.clock())
            events = record_change(session, request.form, ctx, push=product().linkage.pushes)
    except InvalidChange as exc:
        return _juki_page(request.form.get("resident_id", ""), error=exc.message, status=422)
    first = events[0]
    if product().linkage.pushes:
        flash(f"{first.label}を記録し、異動通知 {len(events)} 件を印鑑登録システムへ送りました"
              f"（{first.effective_date.isoformat()}）", "success")
    else:
        flash(f"{first.label}を記録し、異動通知 {len(events)} 件を変更一覧に載せました（{first.effective_date.isoformat()}）。"
              f"印鑑登録システムは {product().linkage.pull_seconds:g} 秒ごとに変更一覧を取得します"
              "（住民記録連動の画面の「今すぐ取得」ですぐに取得できます）", "success")
    return redirect(url_for(".juki_page", resident_id=first.resident_id))


def _juki_page(resident_id: str, *, error: str | None = None, status: int = 200):
    text = (request.args.get("q") or "").strip()
    with product().session_factory() as session:
        register = SimulatedRegister(session)  # this page is the simulator, whichever register is configured
        found, person, members, history = [], None, [], []
        try:
            if text:
                found = register.search(dataclasses.replace(lookup_query(text), include_former=True))
            person = register.get_resident(resident_id.strip()) if resident_id.strip() else None
            if person is not None:
                members = register.household_members(person.household_id)
                history = register.change_history(person.resident_id)
        except JukiError as exc:
            error = error or exc.message
        recent = [(row, intake.get_received(session, row.event_id)) for row in recent_changes(session, 30)]
        log_person_view(session, person.resident_id if person else None, "住基シミュレータ（住民の表示）")
        log_list_view(session, [r.resident_id for r in found + members], "住基シミュレータ（検索・世帯）",
                      commit=True)
    # Rendered after the session is closed: on SQLite every session holds the write lock while open.
    return render_template("simulator/juki.html", q=text, found=found, person=person, members=members,
                           history=history, recent=recent, error=error, kinds=EVENT_KINDS,
                           form_kinds=FORM_KINDS, form=request.form, today=product().services.today(),
                           outcome_labels=intake.EventOutcome.LABELS, field_labels=FIELD_LABELS,
                           pushes=product().linkage.pushes), status


@bp.get("/admin/jlis")
@roles_required(ADMIN)
def jlis_page():
    return _jlis_page()


@bp.post("/admin/jlis")
@roles_required(ADMIN)
def jlis_change():
    """5.4 simulated J-LIS: add a certificate or set it valid / revoked / expired."""
    try:
        with product().session_factory.begin() as session:
            row = jlis.put_certificate(session, request.form.get("serial", ""), request.form.get("status", ""),
                                       actor=current_user.username,
                                       resident_id=(request.form.get("resident_id") or "").strip()[:20] or None,
                                       note=(request.form.get("note") or "").strip()[:200] or None)
            serial, label = row.serial, jlis.STATUSES[row.status]
    except InvalidChange as exc:
        return _jlis_page(error=exc.message, status=422)
    flash(f"電子証明書 {serial} を「{label}」にしました", "success")
    return redirect(url_for(".jlis_page", serial=serial))


@bp.post("/admin/jlis/outage")
@roles_required(ADMIN)
def jlis_outage():
    """Issue 5 failure of a neighbour: switch the simulated J-LIS to 応答なし（障害） / 遅延 and back to 正常."""
    try:
        with product().session_factory.begin() as session:
            state = jlis.set_state(session, request.form.get("mode", ""), request.form.get("delay_seconds"),
                                   actor=current_user.username)
    except InvalidChange as exc:
        return _jlis_page(error=exc.message, status=422)
    flash(f"J-LIS シミュレータの動作を「{state.label}」にしました", "success")
    return redirect(url_for(".jlis_page"))


def _jlis_page(*, error: str | None = None, status: int = 200):
    serial = jlis.normalize_serial(request.args.get("serial"))[:60]
    client = product().services.jlis
    with product().session_factory() as session:
        state = jlis.state_of(session)
        certificates = jlis.recent_certificates(session)
    checked, unavailable = None, None
    if serial:  # asked as the registry asks (after the session above: SQLite holds one writer at a time)
        try:
            checked = client.certificate_status(serial)
        except JlisUnavailable as exc:
            unavailable = exc.message
    return render_template("simulator/jlis.html", serial=serial, checked=checked, unavailable=unavailable,
                           certificates=certificates, labels=jlis.STATUSES, modes=jlis.MODES, state=state,
                           timeout=getattr(client, "timeout", None), error=error, form=request.form), status


@bp.get("/kiosk")
@roles_required(ADMIN)
def kiosk_page():
    return _kiosk_page(None)


@bp.post("/kiosk")
@roles_required(ADMIN)
def kiosk_request():
    """11 コンビニ交付 as a kiosk would ask it: the same checks and log as POST /api/v1/konbini/certificates."""
    question = konbini.KonbiniQuestion(cert_serial=request.form.get("serial", ""),
                                       kind=request.form.get("kind", ""), channel="kiosk",
                                       terminal="シミュレータ端末")
    answer = konbini.serve(product().session_factory, product().services, question, service_hours())
    if answer.issued:  # this terminal (the admin's session) may print what it was given, and nothing else
        session[KIOSK_PRINTOUTS] = [*session.get(KIOSK_PRINTOUTS, [])[-4:], answer.request_id]
    return _kiosk_page(answer, status=200 if answer.issued else 422)


@bp.get("/kiosk/<request_id>.pdf")
@roles_required(ADMIN)
def kiosk_certificate(request_id: str):
    """The certificate the simulated kiosk received, as the 交付センター receives it in its API answer: only for
    requests this session made at the kiosk (the documents' door stays closed to admins otherwise), logged."""
    if request_id not in session.get(KIOSK_PRINTOUTS, []):
        abort(404)
    with product().session_factory.begin() as db:
        row = request_by_id(db, request_id)
        issued = issued_by_blob(db, row.document_sha) if row is not None and row.document_sha else None
        if row is None or row.channel != "kiosk" or issued is None:
            abort(404)
        document = document_for_viewing(db, *issued, actor=current_actor(), purpose="preview")
        log_person_view(db, document.resident_id, "コンビニ交付（端末シミュレータ）の証明書",
                        target=f"{issued[0]}:{issued[1]}")
    return pdf_response(document, download=False)


def _kiosk_page(answer: konbini.KonbiniAnswer | None, status: int = 200):
    with product().session_factory() as session:
        log = recent_requests(session, 20)
    return render_template("simulator/kiosk.html", answer=answer, kinds=konbini.KINDS, refusals=konbini.REFUSALS,
                           log=log, hours=service_hours(), form=request.form), status
