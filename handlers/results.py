"""Each service-task operator's answer as a TypedDict: the keys BPMN conditions, forms and later tasks read.

An answer is merged into the task data, so its keys are the contract with the flows in bpmn/ (e.g. 4.1.2's
gateway reads ``register.registered``). A handler that can refuse answers one of two shapes, told apart by a
literal flag (``registered``, ``issued``, ``done`` …); mypy (``make test``) checks every return against them.
Shapes shared by several operators come first. Dates are ISO strings, blobs their sha256.
"""

from __future__ import annotations

from typing import Any, Literal, NotRequired, TypedDict

from handlers.contracts import FollowUp

# ---- shared pieces ---------------------------------------------------------------------------------------------


class Thresholds(TypedDict):
    """The similarity thresholds a comparison was judged with (``threshold`` = the 同一 one, for older readers)."""

    threshold: float
    threshold_same: float
    threshold_different: float


class ResidentSummary(TypedDict):
    """A resident of the register (juki.Resident) as task data."""

    resident_id: str
    household_id: str
    name: str
    kana: str
    birth_date: str
    sex: str
    address: str
    status: str
    common_name: str | None
    katakana_name: str | None
    old_surname: str | None
    foreign: bool


class PrintedSheet(TypedDict):
    """A document printed and kept as a blob."""

    document_blob_id: str | None
    filename: str


# ---- 2.2.1 登録内容照会 -------------------------------------------------------------------------------------------


class Inquired(TypedDict):
    """inkan.registry.inquire"""

    eligible: bool
    reason: str | None
    message: str | None
    resident: ResidentSummary | None
    registration_number: str | None


# ---- 4.1.2 即時登録 -----------------------------------------------------------------------------------------------


class Registered(TypedDict):
    """inkan.registry.register, registered"""

    registered: Literal[True]
    registration_id: int
    registration_number: str
    registered_on: str


class RegistrationRefused(TypedDict):
    """inkan.registry.register, not registered: the flow takes its refusal path, nothing written."""

    registered: Literal[False]
    reason: str
    label: str
    message: str


class CardIssued(TypedDict):
    """inkan.card.issue (also False with the reason: the card task comes up again)."""

    issued: bool
    card_kind: str
    card_number: str | None
    message: str
    reason: NotRequired[str]


class ApplicationRefused(TypedDict):
    """inkan.application.refuse"""

    reason: str
    label: str
    message: str
    impression_discarded: bool


class ReferredToInquiry(TypedDict):
    """inkan.application.refer_to_inquiry: the engine starts 4.1.4 from ``continue_with``."""

    reason: str
    message: str
    continue_with: FollowUp


# ---- 4.1.2 保証書 ------------------------------------------------------------------------------------------------


class StampPictures(TypedDict):
    """The 保証書's stamp, the guarantor's registered impression and their overlay, for the 要確認 task."""

    stamp_impression_blob_id: str
    stamp_mm_per_px: float
    registered_impression_blob_id: str
    registered_mm_per_px: float
    overlay_blob_id: str


class StampCompared(StampPictures):
    """The 保証書's stamp compared with the guarantor's registered impression."""

    verdict: str
    score: float
    caution: str | None  # why a score at the 同一 bar is 要確認 (imaging.Comparison.caution)
    threshold_same: float
    threshold_different: float
    guarantor_name: str
    guarantor_registration_number: str


class GuarantorChecked(TypedDict):
    """inkan.registry.check_guarantor: ``valid`` with ``verdict`` same / unsure, or refused (``verdict`` None or
    different, with the comparison when there was one)."""

    valid: bool
    reason: str
    message: str
    verdict: str | None
    score: NotRequired[float]
    caution: NotRequired[str | None]
    threshold_same: NotRequired[float]
    threshold_different: NotRequired[float]
    guarantor_name: NotRequired[str]
    guarantor_registration_number: NotRequired[str]
    stamp_impression_blob_id: NotRequired[str]
    stamp_mm_per_px: NotRequired[float]
    registered_impression_blob_id: NotRequired[str]
    registered_mm_per_px: NotRequired[float]
    overlay_blob_id: NotRequired[str]


class GuaranteeAccepted(TypedDict):
    """inkan.registry.accept_guarantee (False with the reason: the flow goes on as 4.1.4)."""

    accepted: bool
    message: str
    reason: NotRequired[str]
    guarantor_registration_number: NotRequired[str]


# ---- 4.1.5 / 4.1.1.1 / 4.1.4.6 印影 -------------------------------------------------------------------------------

# inkan.impression.measure: imaging.measurement_to_dict's keys, the scan's ids and dpi, the normalised crop
Measured = dict[str, Any]


class HouseholdMember(TypedDict):
    resident_id: str
    name: str
    registration_number: str
    impression_blob_id: str
    score: float
    same: bool
    verdict: str
    caution: str | None
    overlay_blob_id: str


class HouseholdCompared(Thresholds):
    """inkan.impression.compare_household: most similar first; ``verdict`` is the most alarming one."""

    members: list[HouseholdMember]
    same_found: bool
    unsure_found: bool
    verdict: str
    max_score: float


class PendingCompared(Thresholds):
    """inkan.impression.compare_pending (4.1.4.6)"""

    score: float
    same: bool
    verdict: str
    caution: str | None
    angle_deg: float
    dx_mm: float
    dy_mm: float
    overlay_blob_id: str


class ImpressionStored(TypedDict):
    """inkan.impression.store"""

    impression_id: int


class ShownNameChecked(TypedDict):
    """inkan.impression.check_shown_name (a form check: a bad name is a HandlerError on the field)"""

    checked: bool


# ---- printing ------------------------------------------------------------------------------------------------


class Enqueued(TypedDict):
    """inkan.print.enqueue"""

    queue_item_id: int
    already_queued: bool


# ---- 6.1 証明書交付（窓口） ----------------------------------------------------------------------------------------


class CertificateRequest(TypedDict):
    copies: int
    fee_per_copy: int
    fee_total: int
    card_kind: str


class CardHolder(TypedDict):
    registration_id: int
    registration_number: str
    name: str


class IssueRefusal(TypedDict):
    ok: Literal[False]
    reason: str
    message: str


class RequestChecked(CertificateRequest):
    """inkan.certificate.check_request: ``ok`` or the refusal; the card's registration once it was found."""

    ok: bool
    reason: str
    message: str
    registration_id: NotRequired[int]
    registration_number: NotRequired[str]
    name: NotRequired[str]


class CertificateIssuedRef(TypedDict):
    certificate_id: int
    serial: str
    document_blob_id: str


class CertificatesIssued(TypedDict):
    """inkan.certificate.issue_counter"""

    issued: Literal[True]
    counter_issue_id: int
    copies: int
    fee_per_copy: int
    fee_total: int
    registration_number: str
    certificates: list[CertificateIssuedRef]
    message: str


class IssueRefusalRecorded(TypedDict):
    """inkan.certificate.record_refusal: refused or withdrawn, no fee."""

    counter_issue_id: int
    outcome: str
    reason: str
    message: str


# ---- 6.2.1 一時停止・6.2.2 解除 ------------------------------------------------------------------------------------


class SuspensionRefused(TypedDict):
    done: Literal[False]
    reason: str
    message: str


class Suspended(TypedDict):
    """inkan.suspension.suspend, accepted: the period now on the record."""

    done: Literal[True]
    reason: str
    registration_id: int
    registration_number: str
    suspended_from: str
    suspended_until: str | None
    message: str


class SuspensionFound(TypedDict):
    """inkan.suspension.find (2.2.1 before 6.2.2)"""

    found: bool
    reason: str
    message: str
    registration_id: NotRequired[int]
    registration_number: NotRequired[str]
    suspended: NotRequired[bool]


class SuspensionLifted(TypedDict):
    """inkan.suspension.lift, accepted"""

    done: Literal[True]
    reason: str
    registration_id: int
    registration_number: str
    message: str


# ---- 5.3 引換交付・5.2.4 暗証番号 ----------------------------------------------------------------------------------


class CardFound(TypedDict):
    """inkan.card_exchange.find (5.3)"""

    found: bool
    message: str
    registration_id: NotRequired[int]
    registration_number: NotRequired[str]
    name: NotRequired[str]
    card_kind: NotRequired[str | None]
    card_number: NotRequired[str | None]
    has_pin: NotRequired[bool]
    pin_locked: NotRequired[bool]
    card_numbering: NotRequired[str]  # 'preprinted': the card-number step comes up


class CardExchanged(TypedDict):
    """inkan.card_exchange.exchange (False with the message: the task comes up again)"""

    exchanged: bool
    message: str
    card_kind: NotRequired[str]
    card_number: NotRequired[str | None]


class PinChanged(TypedDict):
    """inkan.pin.change / inkan.pin.reset (5.2.4)"""

    changed: bool
    locked: bool
    message: str


# ---- 4.4.1 廃止の申請・亡失の届出 ----------------------------------------------------------------------------------


class Verdict(TypedDict):
    """A check that accepts (``ok``) or refuses with a reason of the handler's REFUSALS."""

    ok: bool
    reason: str
    label: str
    message: str


class RecordFacts(TypedDict):
    registration_id: int
    registration_number: str
    registered_on: str
    resident_id: str
    name: str
    status: str
    status_label: str
    card_kind: str | None
    card_number: str | None
    suspended: bool


class AbolitionTarget(Verdict, RecordFacts):
    """inkan.abolition.find once a record was found (active or not); none found: a plain Verdict."""


class Abolished(TypedDict):
    """inkan.abolition.abolish"""

    abolished: Literal[True]
    registration_id: int
    registration_number: str
    reason: str
    closed_on: str | None
    card_collected: bool
    message: str


class SuspendedAtReport(TypedDict):
    """inkan.abolition.start_suspension: suspended at once; 6.2.1 takes over from ``continue_with``."""

    suspended: Literal[True]
    suspended_from: str
    registration_number: str
    continue_with: FollowUp
    message: str


class RequestRefused(TypedDict):
    """inkan.abolition.refusal"""

    reason: str
    label: str
    message: str


# ---- 4.5 異動の取消し ------------------------------------------------------------------------------------------


class HistoryLine(TypedDict):
    id: int
    effective_date: str
    reason: str
    changes: str
    cancelled: bool


class CancellationTarget(TypedDict):
    """inkan.torikeshi.find"""

    found: bool
    message: NotRequired[str]
    registration_id: NotRequired[int]
    registration_number: NotRequired[str]
    name: NotRequired[str]
    status_label: NotRequired[str]
    entries: NotRequired[list[HistoryLine]]


class ReversedValue(TypedDict):
    label: str
    before: str | None
    after: str | None


class CancellationPrepared(TypedDict):
    """inkan.torikeshi.prepare: the proposal the approver sees (``valid`` False refuses, nothing written)."""

    valid: bool
    message: str
    reason: NotRequired[str]
    registration_id: NotRequired[int]
    registration_number: NotRequired[str]
    entry_id: NotRequired[int]
    entry_reason: NotRequired[str]
    entry_date: NotRequired[str]
    cancel_reason: NotRequired[str]
    requested_by: NotRequired[str]
    changes: NotRequired[list[ReversedValue]]


class EntryCancelled(TypedDict):
    """inkan.torikeshi.cancel"""

    cancelled: Literal[True]
    registration_id: int
    registration_number: str
    active: bool
    message: str


# ---- 4.1.4 照会による登録 ----------------------------------------------------------------------------------------


class InquiryIssued(TypedDict):
    """inkan.inquiry.issue"""

    application_id: int
    inquiry_number: str
    applicant: str
    inquiry_reason: str | None
    reason_label: str
    applied_on: str
    deadline: str
    deadline_at: str
    deadline_days: int


class AnswerChecked(TypedDict):
    """inkan.inquiry.check_answer: ``outcome`` accepted / refused / not_applied."""

    outcome: str
    reason: str
    message: str


class AnswerRefused(TypedDict):
    """inkan.inquiry.refuse_answer"""

    reason: str
    label: str
    inquiry_number: str
    message: str


class Lapsed(TypedDict):
    """inkan.inquiry.lapse"""

    reason: str
    label: str
    inquiry_number: str
    lapsed_at: str
    message: str


class InstanceCancelled(TypedDict):
    """inkan.instance.cancel"""

    cancelled: Literal[True]


# ---- 4.2.1 職権抹消 ------------------------------------------------------------------------------------------------


class MasshoRecord(TypedDict):
    found: Literal[True]
    registration_id: int
    registration_number: str
    resident_id: str
    name: str
    status: str
    closed_on: str | None
    close_reason: str | None


class MasshoTarget(MasshoRecord):
    """inkan.massho.find, a record found: ``active`` False for a 除票 (no 職権抹消 then)."""

    active: bool
    reason: str
    message: str


class MasshoNotFound(TypedDict):
    """inkan.massho.find, nothing found"""

    found: Literal[False]
    active: Literal[False]
    reason: str
    message: str
    registration_id: None


class MasshoClosed(TypedDict):
    """inkan.massho.close (False: closed meanwhile, the record unchanged)"""

    closed: bool
    registration_id: int
    message: str
    reason: NotRequired[str]
    registration_number: NotRequired[str]
    close_reason: NotRequired[str | None]
    closed_on: NotRequired[str | None]


# ---- 4.3.1 職権修正 ------------------------------------------------------------------------------------------------


class CorrectableField(TypedDict):
    field: str
    label: str
    value: Any


class ShuseiTarget(TypedDict):
    """inkan.shusei.find"""

    active: bool
    reason: NotRequired[str]
    message: NotRequired[str]
    registration_id: NotRequired[int]
    registration_number: NotRequired[str]
    registered_on: NotRequired[str]
    birth_date: NotRequired[str]
    fields: NotRequired[list[CorrectableField]]


class CorrectionProposed(TypedDict):
    """inkan.shusei.prepare: the proposal the approver sees (``changed`` False refuses, nothing written)."""

    changed: bool
    message: str
    reason: NotRequired[str]
    registration_id: NotRequired[int]
    registration_number: NotRequired[str]
    correction_reason: NotRequired[str]
    reason_label: NotRequired[str]
    reason_note: NotRequired[str | None]
    requested_by: NotRequired[str]
    changes: NotRequired[list[dict[str, Any]]]  # registry FieldChange.to_json()


class Corrected(TypedDict):
    """inkan.shusei.correct"""

    corrected: Literal[True]
    registration_id: int
    registration_number: str
    message: str


# ---- 4.2.2 / 4.3.2 / 4.5 住民記録との連動 --------------------------------------------------------------------------


class ClosedByEvent(TypedDict):
    """inkan.rendou.close"""

    closed: bool
    registration_id: int | None
    message: str
    registration_number: NotRequired[str]
    reason: NotRequired[str]
    closed_on: NotRequired[str]


class CorrectedByEvent(TypedDict):
    """inkan.rendou.correct"""

    corrected: bool
    registration_id: int | None
    message: str
    registration_number: NotRequired[str]


class KatakanaChange(TypedDict, total=False):
    old_katakana_name: str | None
    new_katakana_name: str | None


class NameChecked(KatakanaChange):
    """inkan.rendou.name_check: the registered impression beside the old and new names, for the decision."""

    active: bool
    message: NotRequired[str]
    registration_id: NotRequired[int]
    registration_number: NotRequired[str]
    old_name: NotRequired[str]
    new_name: NotRequired[str]
    old_kana: NotRequired[str]
    new_kana: NotRequired[str]
    label: NotRequired[str]
    impression_blob_id: NotRequired[str]
    mm_per_px: NotRequired[float]


class UndoneByEvent(TypedDict):
    """inkan.rendou.undo: a 除票 restored, or (a cancelled correcting event) the record corrected back."""

    done: bool
    registration_id: int | None
    message: str
    registration_number: NotRequired[str]
    corrected: NotRequired[bool]
