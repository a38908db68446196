"""The simulated resident register: a ``JukiClient`` over the ``juki_sim_*`` tables.

Criteria are normalized in Python (``juki.normalize``) and matched against the stored space-free keys with
plain LIKE / equality, so the same statements run on SQLite and PostgreSQL.
"""

from sqlalchemy import ColumnElement, Select, case, func, or_, select, tuple_
from sqlalchemy.orm import Session

from juki import changelog
from juki.client import HEAD_OF_HOUSEHOLD, STATUS_RESIDENT, ChangeFeed, Resident, ResidentQuery
from juki.errors import InvalidQuery
from juki.events import ResidentEvent
from juki.models import SimResident
from juki.normalize import normalize_key, normalize_query
from juki.rows import to_resident


class SimulatedRegister:
    """JukiClient backed by the simulator tables, read through the given SQLAlchemy session."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def search(self, query: ResidentQuery) -> list[Resident]:
        """2.1.3 基本検索: residents matching ``query``, by kana then birth date; raises InvalidQuery."""
        normalized = normalize_query(query)
        statement = (
            select(SimResident)
            .where(*search_conditions(normalized), *self._after(normalized.after))
            .order_by(SimResident.kana_key, SimResident.birth_date, SimResident.resident_id)
            .limit(normalized.limit)
            .offset(0 if normalized.after else normalized.offset)
        )
        return [to_resident(row) for row in self._session.scalars(statement)]

    def _after(self, resident_id: str | None) -> list[ColumnElement[bool]]:
        """Keyset paging: the rows after the given resident in the search order (kana, birth date, id)."""
        if not resident_id:
            return []
        anchor = self._session.execute(select(SimResident.kana_key, SimResident.birth_date)
                                       .where(SimResident.resident_id == resident_id)).first()
        if anchor is None:
            raise InvalidQuery("ページの位置（住民ID）が見つかりません。最初のページから検索し直してください。")
        return [tuple_(SimResident.kana_key, SimResident.birth_date, SimResident.resident_id)
                > tuple_(anchor.kana_key, anchor.birth_date, resident_id)]

    def count(self, query: ResidentQuery) -> int:
        """Return the number of residents matching ``query`` ignoring paging; raises InvalidQuery."""
        normalized = normalize_query(query)
        statement = select(func.count()).select_from(SimResident).where(*search_conditions(normalized))
        return self._session.scalars(statement).one()

    def get_resident(self, resident_id: str) -> Resident | None:
        """Return the resident (current or former) with ``resident_id``, or None; raises InvalidQuery if blank."""
        key = normalize_key(resident_id, "住民ID")
        row = self._session.scalars(select(SimResident).where(SimResident.resident_id == key)).one_or_none()
        return to_resident(row) if row is not None else None

    def known_ids(self, resident_ids: list[str]) -> set[str]:
        """Which of the ids the register holds (current or former): one query for a batch (registry import)."""
        return set(self._session.scalars(select(SimResident.resident_id).where(SimResident.resident_id.in_(resident_ids))))

    def household_members(self, household_id: str) -> list[Resident]:
        """Return the current members of a household, head first then eldest first; raises InvalidQuery."""
        key = normalize_key(household_id, "世帯番号")
        return [to_resident(row) for row in self._session.scalars(household_statement(key))]

    def change_history(self, resident_id: str) -> list[ResidentEvent]:
        """Every change (異動) of one person, oldest effective date first; raises InvalidQuery if blank."""
        return changelog.change_history(self._session, resident_id)

    def changes_since(self, cursor: str = "", limit: int = 100) -> ChangeFeed:
        """Changes recorded after ``cursor`` ("" = from the start); raises InvalidQuery for a bad cursor."""
        return changelog.changes_since(self._session, cursor, limit)


def search_conditions(query: ResidentQuery) -> list[ColumnElement[bool]]:
    """Return the WHERE conditions of a normalized query (AND of every criterion given)."""
    conditions: list[ColumnElement[bool]] = []
    if query.kana is not None:
        conditions.append(SimResident.kana_key.startswith(query.kana, autoescape=True))
    if query.name is not None:
        conditions.append(
            or_(
                SimResident.name_key.contains(query.name, autoescape=True),
                SimResident.common_name_key.contains(query.name, autoescape=True),
            )
        )
    if query.birth_date is not None:
        conditions.append(SimResident.birth_date == query.birth_date)
    if query.address is not None:
        conditions.append(SimResident.address_key.contains(query.address, autoescape=True))
    if query.resident_id is not None:
        conditions.append(SimResident.resident_id == query.resident_id)
    if query.household_id is not None:
        conditions.append(SimResident.household_id == query.household_id)
    if not query.include_former:
        conditions.append(SimResident.status == STATUS_RESIDENT)
    return conditions


def household_statement(household_id: str) -> Select[SimResident]:
    """Return the select of a household's current members, head first then by birth date."""
    head_first = case((SimResident.relationship == HEAD_OF_HOUSEHOLD, 0), else_=1)
    return (
        select(SimResident)
        .where(SimResident.household_id == household_id, SimResident.status == STATUS_RESIDENT)
        .order_by(head_first, SimResident.birth_date, SimResident.resident_id)
    )
