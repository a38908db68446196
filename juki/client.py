"""What the registry may ask the resident register (住基): value types and the client interface.

``JukiClient`` is the seam: the simulator (``juki.simulator``) and the HTTP adapter (``juki.http``, contract in
docs/juki/openapi.yaml) implement it, and the registry depends on nothing else. Values are frozen dataclasses so
they can be cached and compared. Adapters to an external register raise ``JukiUnavailable`` when it does not
answer, so a service task fails as an incident the clerk can retry.
"""

from dataclasses import dataclass, field
from datetime import date
from typing import Protocol, runtime_checkable

from juki.errors import ResidentNotFound
from juki.events import ResidentEvent

STATUS_RESIDENT = "resident"
STATUS_MOVED_OUT = "moved_out"
STATUS_DECEASED = "deceased"
STATUSES = (STATUS_RESIDENT, STATUS_MOVED_OUT, STATUS_DECEASED)
SEXES = ("男", "女")
HEAD_OF_HOUSEHOLD = "世帯主"
NAME_SEPARATOR = "\u3000"  # full-width space between 氏 and 名


@dataclass(frozen=True)
class Resident:
    """One person as recorded in the resident register (住民票), current or former."""

    resident_id: str
    household_id: str
    name: str
    kana: str
    birth_date: date
    sex: str
    address: str
    status: str
    status_date: date | None
    relationship: str
    nationality: str
    common_name: str | None
    katakana_name: str | None
    old_surname: str | None
    lacks_capacity: bool

    def age_on(self, day: date) -> int:
        """Return the age in completed years on ``day``; raises ValueError if ``day`` precedes the birth."""
        if day < self.birth_date:
            raise ValueError("基準日が生年月日より前です。")
        before_birthday = (day.month, day.day) < (self.birth_date.month, self.birth_date.day)
        return day.year - self.birth_date.year - int(before_birthday)

    @property
    def surname(self) -> str:
        """氏: the part before the full-width space (alphabet names: before the first space)."""
        return _split_name(self.name)[0]

    @property
    def given_name(self) -> str:
        """名: the part after the full-width space (alphabet names: after the first space)."""
        return _split_name(self.name)[1]

    @property
    def is_current(self) -> bool:
        """True while the person is recorded as living in the city."""
        return self.status == STATUS_RESIDENT

    @property
    def is_foreign(self) -> bool:
        """True for a resident whose nationality is not Japanese."""
        return self.nationality != "JP"


@dataclass(frozen=True)
class ResidentQuery:
    """Criteria of 2.1.3 基本検索; every given criterion must match (AND)."""

    kana: str | None = None
    name: str | None = None
    birth_date: date | None = None
    address: str | None = None
    resident_id: str | None = None
    household_id: str | None = None
    include_former: bool = False
    limit: int = 50
    offset: int = 0
    after: str | None = None  # keyset paging: the resident id of the previous page's last row (offset unused)


@dataclass(frozen=True)
class ChangeFeed:
    """A page of the register's change feed: events in recording order and the cursor to ask for the next page."""

    events: list[ResidentEvent] = field(default_factory=list)
    cursor: str = ""


@runtime_checkable
class JukiClient(Protocol):
    """Read-only access to the resident register; implemented by the simulator and production adapters."""

    def search(self, query: ResidentQuery) -> list[Resident]:
        """Return residents matching ``query`` ordered by kana then birth date; raises InvalidQuery."""
        ...

    def count(self, query: ResidentQuery) -> int:
        """Return how many residents match ``query`` ignoring paging; raises InvalidQuery."""
        ...

    def get_resident(self, resident_id: str) -> Resident | None:
        """Return the resident (current or former) with this id, or None."""
        ...

    def household_members(self, household_id: str) -> list[Resident]:
        """Return the current members of a household, head first; raises InvalidQuery on a blank id."""
        ...

    def change_history(self, resident_id: str) -> list[ResidentEvent]:
        """Return every change (異動) of one person, oldest effective date first; raises InvalidQuery if blank."""
        ...

    def changes_since(self, cursor: str = "", limit: int = 100) -> ChangeFeed:
        """Return changes recorded after ``cursor`` ("" = from the start), at most ``limit``; raises InvalidQuery."""
        ...


def require_resident(client: JukiClient, resident_id: str) -> Resident:
    """Return the resident with ``resident_id``; raises ResidentNotFound when the register has none."""
    resident = client.get_resident(resident_id)
    if resident is None:
        raise ResidentNotFound(f"住民記録が見つかりません（住民ID: {resident_id}）。")
    return resident


def _split_name(name: str) -> tuple[str, str]:
    """Split a full name into (氏, 名); a name without a separator is all 氏."""
    for separator in (NAME_SEPARATOR, " "):
        if separator in name:
            surname, given = name.split(separator, 1)
            return surname, given
    return name, ""
