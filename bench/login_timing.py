"""Figure: what a sign-in answer costs — a known name with a wrong password, an unknown name (checked against a
dummy scrypt hash, so it must cost the same), the right password, and a refusal while the throttle's delay runs.

Each attempt comes from its own client address and (but the last) its own account name, so the throttle never
slows the measurement; the cases are interleaved. Run: .venv/bin/python bench/login_timing.py [--repeat 40] [--database sqlite|postgresql]
"""

from __future__ import annotations

import argparse
import itertools
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import describe, fresh_database, timed  # noqa: E402
from registry.staff import accounts  # noqa: E402
from webui import create_app  # noqa: E402

PASSWORD = "bench-password-0123"
ADDRESSES = (f"10.9.{a}.{b}" for a, b in itertools.product(range(250), range(1, 250)))


def attempt(app, username: str, password: str, address: str | None = None) -> int:
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address or next(ADDRESSES)
    return client.post("/login", data={"username": username, "password": password}).status_code


def measure(kind: str, repeat: int) -> None:
    with fresh_database(kind) as url:
        app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench-secret-key-0123456789", "WTF_CSRF_ENABLED": False,
                          "IN_PROCESS_WORKER": False})
        names = [f"bench-{i}" for i in range(repeat * 2)]
        with app.extensions["inkan"].session_factory.begin() as session:
            for name in names:
                accounts.add_user(session, name, "madoguchi", PASSWORD)
        known, right = iter(names[:repeat]), iter(names[repeat:])
        unknown = (f"nobody-{i}" for i in itertools.count())
        cases = {
            "known name, wrong password (401)": lambda: attempt(app, next(known), "wrong-password-0"),
            "unknown name (401, dummy scrypt)": lambda: attempt(app, next(unknown), "wrong-password-0"),
            "right password (302)": lambda: attempt(app, next(right), PASSWORD),
        }
        samples: dict[str, list[float]] = {label: [] for label in cases}
        for _ in range(repeat):  # interleaved, so a shared machine's load drifts over all cases alike
            for label, run in cases.items():
                samples[label] += timed(run, 1)
        print(f"{kind}:")
        for label, values in samples.items():
            print("  " + describe(label, values))
        for _ in range(5):
            attempt(app, "slowed", "wrong-password-0", "10.8.0.1")
        refused = timed(lambda: attempt(app, "slowed", "wrong-password-0", "10.8.0.1"), repeat)
        print("  " + describe("during the delay (429, no scrypt)", refused))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=40)
    parser.add_argument("--database", choices=("sqlite", "postgresql", "both"), default="both")
    args = parser.parse_args()
    for kind in (("sqlite", "postgresql") if args.database == "both" else (args.database,)):
        measure(kind, args.repeat)


if __name__ == "__main__":
    main()
