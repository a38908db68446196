"""Issue 12 point 6: sign-in throttling per account name and per client address, kept in the database — the
growing delay after 5 failures (429 + Retry-After + a Japanese message, doubling per further failure), the
15-minute lock after 10, unlocking by an admin on /admin/users and with `inkan users unlock`, unknown names
answered and slowed exactly like known ones (and checked against a dummy scrypt hash), every failure, lock and
unlock audited. The clock is moved, never slept."""

from __future__ import annotations

import hashlib
import re
import threading

from registry.staff import accounts, throttle
from tests.support.auth import (
    PASSWORD,
    account_events,
    client_at,
    fresh_account,
    fresh_address,
    sign_in,
)

WRONG = "wrong-password-9876"


def fail(client, username: str, times: int = 1) -> list[int]:
    return [sign_in(client, username, WRONG).status_code for _ in range(times)]


def test_five_failures_then_a_delay_that_doubles(app, product, clock):
    user = fresh_account(product)
    client = client_at(app)
    assert fail(client, user.username, 5) == [401] * 5
    for failures, delay in ((5, 2), (6, 4), (7, 8), (8, 16), (9, 32)):
        refused = sign_in(client, user.username, user.password)  # even the right password waits
        assert refused.status_code == 429, failures
        assert refused.headers["Retry-After"] == str(delay)
        html = refused.get_data(as_text=True)
        assert f"ログインの失敗が続いています。{delay}秒後にもう一度お試しください" in html
        assert 'data-refusal="login_throttled"' in html
        clock.advance(seconds=delay - 1)
        assert sign_in(client, user.username, user.password).status_code == 429  # not yet
        clock.advance(seconds=1)
        if failures < 9:
            assert fail(client, user.username) == [401]
    assert sign_in(client, user.username, user.password).status_code == 302  # after 9 failures, the right one
    with product.session_factory() as session:  # a success starts the count again from zero
        assert not throttle.account_counters(session, [user.username])


def test_ten_failures_lock_the_account_for_fifteen_minutes(app, product, clock):
    user = fresh_account(product)
    client = client_at(app)
    lock_out(client, clock, user.username)
    refused = sign_in(client, user.username, user.password)
    assert refused.status_code == 429 and refused.headers["Retry-After"] == "900"
    html = refused.get_data(as_text=True)
    assert "この利用者はロックされています。15分後にもう一度お試しいただくか、システム管理者に解除を依頼してください" in html
    assert 'data-refusal="account_locked"' in html
    clock.advance(minutes=14, seconds=59)
    assert sign_in(client_at(app), user.username, user.password).status_code == 429  # any address: the account
    clock.advance(seconds=2)
    assert sign_in(client_at(app), user.username, user.password).status_code == 302
    failed = account_events(product, user.username, "login_failed")
    assert len(failed) == 10 and [e["failures"] for e in failed] == list(range(1, 11))
    assert {e["reason"] for e in failed} == {"wrong_password"} and failed[0]["actor"] == user.username
    locked = account_events(product, user.username, "login_locked")
    assert len(locked) == 1 and locked[0]["failures"] == 10 and locked[0]["minutes"] == 15


def test_after_the_lock_each_failure_locks_again_until_a_success(app, product, clock):
    user = fresh_account(product)
    client = client_at(app)
    lock_out(client, clock, user.username)
    clock.advance(minutes=16)
    assert fail(client, user.username) == [401]
    assert sign_in(client, user.username, user.password).status_code == 429
    assert len(account_events(product, user.username, "login_locked")) == 2


def test_an_admin_unlocks_on_the_users_page(app, product, clock, login):
    user = fresh_account(product)
    lock_out(client_at(app), clock, user.username)
    admin = login("admin")
    row = _row(admin.get("/admin/users").get_data(as_text=True), user.username)
    assert "ロック中" in row and ">10<" in row
    done = admin.post(f"/admin/users/{user.id}/unlock", follow_redirects=True)
    assert done.status_code == 200
    assert f"{user.username} のロックを解除しました（ログイン失敗 10 回の記録を消去）" in done.get_data(as_text=True)
    assert "ロック中" not in _row(admin.get("/admin/users").get_data(as_text=True), user.username)
    assert sign_in(client_at(app), user.username, user.password).status_code == 302
    unlocked = account_events(product, user.username, "account_unlocked")
    assert unlocked == [{"failures": 10, "actor": "admin", "kind": "account_unlocked", "actor_role": "admin"}]
    again = admin.post(f"/admin/users/{user.id}/unlock")
    assert again.status_code == 422 and "ロックもログイン失敗の記録もありません" in again.get_data(as_text=True)


def test_inkan_users_unlock(app, product, clock):
    user = fresh_account(product)
    lock_out(client_at(app), clock, user.username)
    listed = app.test_cli_runner().invoke(args=["users", "list"])
    assert re.search(rf"^{user.username}\t窓口\t.*\t有効\t\d\d:\d\dまで\t10\t", listed.output, re.M), listed.output
    result = app.test_cli_runner().invoke(args=["users", "unlock", user.username])
    assert result.exit_code == 0 and "ロックを解除しました" in result.output
    assert sign_in(client_at(app), user.username, user.password).status_code == 302
    assert account_events(product, user.username, "account_unlocked")[0]["actor"] == "inkan-cli"
    unknown = app.test_cli_runner().invoke(args=["users", "unlock", "nobody-here"])
    assert unknown.exit_code == 1 and "存在しません" in unknown.output


def test_unknown_names_get_the_same_answers_and_the_same_delay(app, product, clock):
    known, unknown = fresh_account(product).username, "no-such-user-" + fresh_address()
    answers = {}
    for name in (known, unknown):
        client = client_at(app)
        pages = [sign_in(client, name, WRONG) for _ in range(6)]
        answers[name] = [(p.status_code, p.headers.get("Retry-After"), _flash(p)) for p in pages]
    assert answers[known] == answers[unknown]
    assert answers[unknown][0] == (401, None, "利用者名またはパスワードが違います")
    assert answers[unknown][5][:2] == (429, "2")
    failed = account_events(product, unknown, "login_failed")
    assert len(failed) == 5 and failed[0]["reason"] == "unknown_user" and failed[0]["actor_role"] == "unknown"


def test_unknown_names_cost_one_scrypt_like_known_ones(app, product, monkeypatch):
    """The time an answer takes is the scrypt's: an unknown name runs it too, with the same parameters."""
    calls = []
    real = hashlib.scrypt

    def counted(password, **options):
        calls.append(tuple(sorted((k, v) for k, v in options.items() if k != "salt")))
        return real(password, **options)

    monkeypatch.setattr(hashlib, "scrypt", counted)
    known = fresh_account(product)
    costs = {}
    for name in (known.username, "nobody-" + fresh_address()):
        calls.clear()
        assert sign_in(client_at(app), name, WRONG).status_code == 401
        costs[name] = list(calls)
    assert list(costs.values())[0] == list(costs.values())[1] == [tuple(sorted(accounts.SCRYPT.items()))]


def test_a_deactivated_account_is_answered_like_a_wrong_password(app, product, login):
    user = fresh_account(product)
    assert login("admin").post(f"/admin/users/{user.id}/deactivate").status_code == 302
    refused = sign_in(client_at(app), user.username, user.password)
    assert refused.status_code == 401 and _flash(refused) == "利用者名またはパスワードが違います"
    assert account_events(product, user.username, "login_failed")[-1]["reason"] == "inactive"


def test_one_address_trying_many_names_is_slowed(app, product, clock):
    """Password spraying: five names from one address, then the address waits — other addresses do not."""
    address = fresh_address()
    names = [fresh_account(product).username for _ in range(6)]
    for name in names[:5]:
        assert sign_in(client_at(app, address), name, WRONG).status_code == 401
    refused = sign_in(client_at(app, address), names[5], PASSWORD)
    assert refused.status_code == 429 and refused.headers["Retry-After"] == "2"
    assert "この端末からログインの失敗が続いています" in _flash(refused)
    assert sign_in(client_at(app), names[5], PASSWORD).status_code == 302  # the account itself is fine
    clock.advance(seconds=2)
    assert sign_in(client_at(app, address), names[5], PASSWORD).status_code == 302
    assert account_events(product, names[0], "login_failed")[0]["address"] == address


def test_an_address_is_forgiven_after_fifteen_quiet_minutes(app, product, clock):
    address = fresh_address()
    for _ in range(5):
        sign_in(client_at(app, address), "nobody-" + fresh_address(), WRONG)
    clock.advance(minutes=15, seconds=1)
    name = fresh_account(product).username
    assert fail(client_at(app, address), name, 5) == [401] * 5  # five free failures again


def test_the_delay_doubles_up_to_fifteen_minutes():
    policy = throttle.DEFAULT_POLICY
    assert [policy.delay(n) for n in range(5)] == [None] * 5
    assert [policy.delay(n).total_seconds() for n in range(5, 15)] == [2, 4, 8, 16, 32, 64, 128, 256, 512, 900]
    assert policy.delay(10_000).total_seconds() == 900


def test_ipv6_clients_are_counted_by_their_64_network():
    assert throttle.address_key("2001:db8:1:2:aaaa::1") == throttle.address_key("2001:db8:1:2:bbbb::9")
    assert throttle.address_key("2001:db8:1:2::1") != throttle.address_key("2001:db8:1:3::1")
    assert throttle.address_key("::ffff:192.0.2.7") == "192.0.2.7" == throttle.address_key("192.0.2.7")


def test_attempts_sent_at_once_each_use_up_a_try(app, product):
    """Several processes at once: each attempt is counted before its password is checked, so eight parallel
    wrong attempts get five answers and three refusals, not eight answers."""
    user = fresh_account(product)
    address = fresh_address()
    statuses, start = [], threading.Barrier(8)

    def attempt():
        client = client_at(app, address)
        start.wait()
        statuses.append(sign_in(client, user.username, WRONG).status_code)

    threads = [threading.Thread(target=attempt) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [401] * 5 + [429] * 3


def lock_out(client, clock, username: str) -> None:
    """Ten failures, waiting out each delay: the account is locked."""
    for failures in range(10):
        if failures:
            clock.advance(minutes=1)  # longer than any delay before the lock
        assert fail(client, username) == [401], failures


def _row(html: str, username: str) -> str:
    match = re.search(rf'<tr data-username="{re.escape(username)}">(.*?)</tr>', html, re.S)
    assert match, username
    return match.group(1)


def _flash(response) -> str:
    match = re.search(r'<div class="flash flash-[a-z]+">(.*?)</div>', response.get_data(as_text=True), re.S)
    return match.group(1).strip() if match else ""

