"""Who may register (印鑑条例): alive, living in the city, 15 or over, with capacity, not yet registered."""

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class PersonFacts:
    """What the rules need to know about a person, as the resident register says it today."""

    resident_id: str
    status: str  # 'resident' | 'moved_out' | 'deceased'
    birth_date: date
    lacks_capacity: bool


@dataclass(frozen=True)
class Eligibility:
    eligible: bool
    reason: str  # ok | not_found | under_15 | not_resident | deceased | already_registered | lacks_capacity
    message: str


def age_on(birth_date: date, day: date) -> int:
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))


def check_eligibility(person: PersonFacts | None, today: date, *, has_active_registration: bool,
                      min_age: int = 15) -> Eligibility:
    """Apply the registration rules in the order a clerk explains them."""
    if person is None:
        return Eligibility(False, "not_found", "住民基本台帳に該当する住民が見つかりません")
    if person.status == "deceased":
        return Eligibility(False, "deceased", "死亡により住民登録が消除されています")
    if person.status != "resident":
        return Eligibility(False, "not_resident", "本市の住民基本台帳に記録されていません（転出済み等）")
    if age_on(person.birth_date, today) < min_age:
        return Eligibility(False, "under_15", f"{min_age}歳未満の方は印鑑登録できません")
    if person.lacks_capacity:
        return Eligibility(False, "lacks_capacity", "意思能力を有しない方は印鑑登録できません")
    if has_active_registration:
        return Eligibility(False, "already_registered", "既に印鑑登録されています（1人1個まで）")
    return Eligibility(True, "ok", "登録できます")
