"""2.1.3 基本検索 (issue 15 point 9): 50 rows a page with keyset paging (?after=), the registrations of a page's
people in one query (not one per row), and names that stay on one line."""

from __future__ import annotations

import re

from sqlalchemy import event

KANA = "%E3%82%BF"  # タ: hundreds of the demo population


def result_ids(html: str) -> list[str]:
    return re.findall(r'<td class="mono">(\d{11})</td>', html)


def test_search_pages_by_fifty_with_a_keyset_cursor(login):
    client = login("madoguchi")
    first = client.get(f"/residents?kana={KANA}").get_data(as_text=True)
    ids = result_ids(first)
    assert len(ids) == 50 and "1 / " in first
    next_link = re.search(r'href="(/residents\?[^"]*after=(\d+)[^"]*)">次の50件', first)
    assert next_link and next_link.group(2) == ids[-1]
    second = client.get(next_link.group(1).replace("&amp;", "&")).get_data(as_text=True)
    more = result_ids(second)
    assert more and not set(more) & set(ids) and "2 / " in second and "最初へ" in second
    assert client.get(f"/residents?kana={KANA}&after=99999999999").status_code == 200  # unknown cursor: a message
    assert "最初のページから検索し直してください" in client.get(f"/residents?kana={KANA}&after=99999999999").get_data(
        as_text=True)


def test_a_page_of_results_costs_the_same_few_queries_as_one_row(login, product):
    client = login("madoguchi")
    engine = product.session_factory.kw["bind"]
    statements: list[str] = []

    def count(_conn, _cursor, statement, *_):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        many = client.get(f"/residents?kana={KANA}")
        many_statements = [s for s in statements if "registration" in s.lower()]
        statements.clear()
        one = client.get(f"/residents?resident_id={result_ids(many.get_data(as_text=True))[0]}")  # on this page
        one_statements = [s for s in statements if "registration" in s.lower()]
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert len(result_ids(many.get_data(as_text=True))) == 50
    assert one.status_code == 200
    assert len(many_statements) == len(one_statements) <= 1, many_statements


def test_names_do_not_wrap(login):
    html = login("madoguchi").get(f"/residents?kana={KANA}").get_data(as_text=True)
    assert re.search(r'<td class="nowrap"><a class="strong" href="/residents/\d+">', html)
