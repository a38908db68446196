"""The HTTP adapter: a ``JukiClient`` talking to an external resident register by docs/juki/openapi.yaml.

Failures of the neighbour never leak as transport exceptions: a refused connection, a timeout, a 5xx answer, a
refused token or a body that is not the contract's JSON all raise ``JukiUnavailable`` with a Japanese message,
so a service task fails as an incident that a clerk can retry and nothing is half-written. A 400 answer is the
register refusing the question (``InvalidQuery`` with its message); 404 on a resident means "no such person".
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import httpx

from juki.client import ChangeFeed, Resident, ResidentQuery
from juki.errors import InvalidQuery, JukiUnavailable
from juki.events import ResidentEvent
from juki.normalize import normalize_key, normalize_query
from juki.wire import query_to_params, resident_from_json

__all__ = ["HttpRegister"]

_NOT_FOUND = object()


class HttpRegister:
    """JukiClient over HTTP; one instance (and its connection pool) serves every session of the product."""

    def __init__(self, base_url: str, *, timeout: float = 5.0, connect_timeout: float = 3.0, token: str = "",
                 transport: httpx.BaseTransport | None = None) -> None:
        if not base_url.startswith(("http://", "https://")):
            raise ValueError("base_url must be an http(s) URL")
        headers = {"Accept": "application/json"} | ({"Authorization": f"Bearer {token}"} if token else {})
        self.timeout = timeout
        self._client = httpx.Client(base_url=base_url.rstrip("/") + "/", headers=headers, transport=transport,
                                    timeout=httpx.Timeout(timeout, connect=connect_timeout))

    def __call__(self, session: Any = None) -> HttpRegister:
        """The product's juki factory takes a session; the external register needs none."""
        return self

    def close(self) -> None:
        self._client.close()

    def search(self, query: ResidentQuery) -> list[Resident]:
        """2.1.3 基本検索 at the register; raises InvalidQuery, JukiUnavailable."""
        normalize_query(query)  # refuse a bad query here, as the simulator does, without a round trip
        body = self._get("residents", query_to_params(query))
        return [resident_from_json(item) for item in _list(body, "residents")]

    def count(self, query: ResidentQuery) -> int:
        normalize_query(query)
        body = self._get("residents", query_to_params(query) | {"limit": "1", "offset": "0"})
        total = body.get("total") if isinstance(body, dict) else None
        if not isinstance(total, int):
            raise JukiUnavailable("住民記録システムの応答（件数）の形式が正しくありません。")
        return total

    def get_resident(self, resident_id: str) -> Resident | None:
        body = self._get(f"residents/{_segment(normalize_key(resident_id, '住民ID'))}", allow_404=True)
        return None if body is _NOT_FOUND else resident_from_json(body)

    def household_members(self, household_id: str) -> list[Resident]:
        key = normalize_key(household_id, "世帯番号")
        body = self._get(f"households/{_segment(key)}/members")
        return [resident_from_json(item) for item in _list(body, "residents")]

    def change_history(self, resident_id: str) -> list[ResidentEvent]:
        body = self._get(f"residents/{_segment(normalize_key(resident_id, '住民ID'))}/changes")
        return [_event(item) for item in _list(body, "events")]

    def changes_since(self, cursor: str = "", limit: int = 100) -> ChangeFeed:
        body = self._get("changes", {"cursor": cursor or "", "limit": str(limit)})
        next_cursor = body.get("cursor") if isinstance(body, dict) else None
        if not isinstance(next_cursor, str):
            raise JukiUnavailable("住民記録システムの応答（カーソル）の形式が正しくありません。")
        return ChangeFeed([_event(item) for item in _list(body, "events")], next_cursor)

    def _get(self, path: str, params: dict[str, str] | None = None, *, allow_404: bool = False) -> Any:
        try:
            response = self._client.get(path, params=params)
        except httpx.TimeoutException as exc:
            raise JukiUnavailable(f"住民記録システムが{self.timeout:g}秒以内に応答しませんでした。"
                                  "しばらくしてから再試行してください。") from exc
        except httpx.HTTPError as exc:
            raise JukiUnavailable("住民記録システムに接続できません。ネットワークと相手システムの稼働を確認し、"
                                  "再試行してください。") from exc
        if response.status_code == 404 and allow_404:
            return _NOT_FOUND
        if response.status_code == 400:
            raise InvalidQuery(_message(response) or None)
        if response.status_code in (401, 403):
            raise JukiUnavailable("住民記録システムが接続を拒否しました（認証トークンの設定を確認してください）。")
        if response.status_code != 200:
            raise JukiUnavailable(f"住民記録システムがエラーを返しました（HTTP {response.status_code}）。"
                                  "しばらくしてから再試行してください。")
        try:
            return response.json()
        except ValueError as exc:
            raise JukiUnavailable("住民記録システムの応答がJSONではありません。") from exc


def _segment(value: str) -> str:
    return quote(value, safe="")


def _list(body: Any, key: str) -> list[Any]:
    items = body.get(key) if isinstance(body, dict) else None
    if not isinstance(items, list):
        raise JukiUnavailable(f"住民記録システムの応答（{key}）の形式が正しくありません。")
    return items


def _event(item: Any) -> ResidentEvent:
    try:
        return ResidentEvent.from_json(item)
    except InvalidQuery as exc:
        raise JukiUnavailable(f"住民記録システムの異動通知の形式が正しくありません: {exc.message}") from exc


def _message(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return ""
    return str(body.get("message") or "") if isinstance(body, dict) else ""
