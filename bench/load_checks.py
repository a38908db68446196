"""What the database holds after the load: numbers (unique, gapless, check digits), lost and duplicated
registrations, unreferenced impressions and blobs, and the people the clients may register."""

from __future__ import annotations

from collections import Counter
from datetime import date

from sqlalchemy import text
from sqlalchemy.orm import Session

from registry.seals.numbering import SEQUENCE, NumberFormat, is_valid_number

REGISTER_STEP = "svc_register"  # 4.1.2.1 即時登録 (1.3.2 付番) in sokuji_touroku.bpmn
DEFAULT_FORMAT = NumberFormat()  # INKAN_NUMBER_DIGITS 8, mod11: the load runs with the defaults
BLOB_REFERENCES = (("impression", "image_blob"), ("impression", "scan_blob"), ("issued_document", "blob_sha256"),
                   ("issued_certificate", "blob_sha256"), ("print_queue_item", "blob_sha256"),
                   ("print_batch_job", "blob_sha256"), ("municipality_settings", "office_seal_blob"),
                   ("konbini_request", "document_sha"))


def unregistered_adults(session: Session, today: date) -> list[tuple[str, int]]:
    """(resident id, position in the household) of every adult resident without a registration."""
    cutoff = date(today.year - 20, 1, 1)
    rows = session.execute(text(
        "SELECT r.resident_id, r.household_id FROM juki_sim_resident r "
        "WHERE r.status = 'resident' AND r.birth_date < :cutoff AND NOT r.lacks_capacity "
        "AND NOT EXISTS (SELECT 1 FROM registration g WHERE g.resident_id = r.resident_id) "
        "ORDER BY r.household_id, r.resident_id"), {"cutoff": cutoff}).all()
    positions: Counter = Counter()
    people = []
    for resident_id, household_id in rows:
        people.append((resident_id, positions[household_id]))
        positions[household_id] += 1
    return people


def registered_people(session: Session) -> list[tuple[str, str]]:
    """(resident id, card number) of every live registration with a registration card (the demo's, for 6.1)."""
    return [tuple(row) for row in session.execute(text(
        "SELECT resident_id, coalesce(card_number, registration_number) FROM registration "
        "WHERE status = 'registered' AND card_kind = 'registration_card' ORDER BY id"))]


def check_numbers(session: Session, fmt: NumberFormat = DEFAULT_FORMAT) -> dict:
    numbers = session.execute(text("SELECT registration_number FROM registration")).scalars().all()
    last = session.execute(text("SELECT last_value FROM number_sequence WHERE name = :n"), {"n": SEQUENCE}).scalar()
    serials = sorted(int(n[: fmt.serial_digits]) for n in numbers)
    return {"numbers": len(numbers), "unique": len(set(numbers)) == len(numbers),
            "gapless": serials == list(range(1, len(serials) + 1)) and (last or 0) == len(serials),
            "check_digits_valid": all(is_valid_number(n, fmt) for n in numbers), "last_serial": last or 0}


def check_registrations(session: Session, seen_by_clients: list[dict]) -> dict:
    """Every 4.1.2 instance that ran 4.1.2.1 has exactly one registration and every registration made by 4.1.2
    has exactly one such step; nobody holds two live registrations; what clients saw completed is there."""
    reached = Counter(session.execute(text(
        "SELECT e.instance_id FROM audit_event e JOIN process_instance i ON i.id = e.instance_id "
        "WHERE i.process_id = 'sokuji_touroku' AND e.kind = 'service_call' AND e.spec_name = :step"),
        {"step": REGISTER_STEP}).scalars().all())
    made = Counter(session.execute(text(
        "SELECT g.instance_id FROM registration g JOIN process_instance i ON i.id = g.instance_id "
        "WHERE i.process_id = 'sokuji_touroku'")).scalars().all())
    twice_registered = session.execute(text(
        "SELECT resident_id FROM registration WHERE status = 'registered' GROUP BY resident_id HAVING count(*) > 1"
    )).scalars().all()
    stored = {(row.instance_id, row.registration_number) for row in session.execute(text(
        "SELECT instance_id, registration_number FROM registration"))}
    return {
        "reached_4_1_2_1": len(reached),
        "lost": sorted(i for i in reached if made[i] == 0),
        "duplicated": sorted({i for i, n in made.items() if n > 1} | {i for i, n in reached.items() if n > 1}),
        "without_step": sorted(i for i in made if reached[i] == 0),
        "residents_registered_twice": sorted(twice_registered),
        "seen_by_clients_missing": [r for r in seen_by_clients if (r["instance_id"], r["number"]) not in stored],
    }


def check_orphans(session: Session) -> dict:
    """Impression rows no registration uses (their instance over) and blobs nothing refers to."""
    impressions = session.execute(text(
        "SELECT m.id FROM impression m LEFT JOIN process_instance i ON i.id = m.instance_id "
        "WHERE NOT EXISTS (SELECT 1 FROM registration g WHERE g.impression_id = m.id) "
        "AND (i.id IS NULL OR i.status <> 'running')")).scalars().all()
    referenced = " UNION ".join(f"SELECT {column} FROM {table} WHERE {column} IS NOT NULL"
                                for table, column in BLOB_REFERENCES)
    candidates = session.execute(text(f"SELECT sha256 FROM blob WHERE sha256 NOT IN ({referenced})")).scalars().all()
    blobs = [sha for sha in candidates if session.execute(text(
        "SELECT 1 FROM process_instance WHERE state LIKE :pattern LIMIT 1"), {"pattern": f"%{sha}%"}).first() is None]
    return {"impressions": sorted(impressions), "blobs": sorted(blobs)}


def instances_left(session: Session) -> dict[str, int]:
    """Instances by process and status (a start whose answer was cut off by a kill is left waiting)."""
    return {f"{process} {status}": n for process, status, n in session.execute(text(
        "SELECT process_id, status, count(*) FROM process_instance GROUP BY process_id, status ORDER BY 1, 2"))}
