"""Figure of issue 15 point 9: the 2.1.3 基本検索 page (50 rows, keyset pages) on the demo population.

Every eligible person on the pages is registered (the registration column used to cost one query per row), and the
page writes one access-log row per person shown. Measures the first page and the next one (?after=) over HTTP,
signed in as a counter clerk with a purpose chosen, on SQLite and PostgreSQL.
Run: .venv/bin/python bench/search_page.py [--repeat 30]
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import describe, fresh_database, timed  # noqa: E402
from engine.library.catalog import deploy_directory  # noqa: E402
from handlers.casework import register_directly  # noqa: E402
from juki import ResidentQuery, seed_population  # noqa: E402
from registry.errors import RegistryError  # noqa: E402
from registry.staff import accounts  # noqa: E402
from webui import create_app  # noqa: E402

KANA = "タ"


def measure(kind: str, repeat: int) -> dict:
    with fresh_database(kind) as url:
        app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench-secret-key-0123456789",
                          "WTF_CSRF_ENABLED": False, "IN_PROCESS_WORKER": False})
        product = app.extensions["inkan"]
        with product.session_factory.begin() as session:
            deploy_directory(session, product.bpmn_dir, product.handlers, actor="bench")
            seed_population(session, today=product.services.today())
            accounts.add_user(session, "bench", "madoguchi", "bench-password", "見本 花子")
        with product.session_factory() as session:
            people = product.juki(session).search(ResidentQuery(kana=KANA, limit=100))
        registered = 0
        for person in people:  # every eligible person of both pages registered
            try:
                with product.session_factory.begin() as session:
                    register_directly(session, product.services, person.resident_id, seal_text="登録")
                registered += 1
            except RegistryError:  # under 15, …: shown unregistered
                pass
        print(f"{kind}: {registered} of the {len(people)} people on the two pages registered")
        client = app.test_client()
        assert client.post("/login", data={"username": "bench", "password": "bench-password"}).status_code == 302
        assert client.post("/audit/purpose", data={"purpose": "certificate"}).status_code == 302
        first_html = client.get(f"/residents?kana={KANA}").get_data(as_text=True)
        after = re.search(r"after=(\d+)", first_html).group(1)

        def first():
            assert client.get(f"/residents?kana={KANA}").status_code == 200

        def second():
            assert client.get(f"/residents?kana={KANA}&after={after}&page=2").status_code == 200

        timed(first, 3), timed(second, 3)  # warm-up
        a, b = timed(first, repeat), timed(second, repeat)
        print(describe(f"2.1.3 search, first page of 50 registered ({kind})", a))
        print(describe(f"2.1.3 search, next page (?after=, {kind})", b))
        return {f"{kind}_first_ms": statistics.median(a), f"{kind}_next_ms": statistics.median(b)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()
    results = {}
    for kind in ("sqlite", "postgresql"):
        results |= measure(kind, args.repeat)
    print(json.dumps(results))


if __name__ == "__main__":
    main()
