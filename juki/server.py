"""The simulated register served over HTTP by the contract in docs/juki/openapi.yaml (a plain WSGI app).

``register_app(session_factory)`` answers GET /residents, /residents/{id}, /residents/{id}/changes,
/households/{id}/members and /changes from the simulator tables, so the HTTP adapter (``juki.http``) can be
tried against a real server: tests run it on 127.0.0.1, and ``python -m juki.server DATABASE_URL`` serves a
product database's simulator for trying ``INKAN_JUKI=http`` by hand (development only: no TLS).
"""

from __future__ import annotations

import argparse
import hmac
import json
from collections.abc import Callable, Iterable
from typing import Any

from sqlalchemy import create_engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker
from werkzeug.exceptions import HTTPException, NotFound
from werkzeug.routing import Map, Rule
from werkzeug.wrappers import Request, Response

from juki.errors import JukiError, ResidentNotFound
from juki.simulator import SimulatedRegister
from juki.wire import query_from_params, resident_to_json

__all__ = ["register_app"]

_URLS = Map([
    Rule("/residents", endpoint="search", methods=["GET"]),
    Rule("/residents/<resident_id>", endpoint="resident", methods=["GET"]),
    Rule("/residents/<resident_id>/changes", endpoint="history", methods=["GET"]),
    Rule("/households/<household_id>/members", endpoint="members", methods=["GET"]),
    Rule("/changes", endpoint="changes", methods=["GET"]),
])


def register_app(session_factory: Callable[[], Session], token: str = "") -> Callable:
    """A WSGI app serving the simulator; with ``token`` set, requests must carry ``Authorization: Bearer``."""

    def app(environ: dict, start_response: Callable) -> Iterable[bytes]:
        request = Request(environ)
        try:
            if token and not _authorized(request, token):
                response = _json({"error": "unauthorized", "message": "認証トークンが正しくありません。"}, 401)
            else:
                endpoint, values = _URLS.bind_to_environ(environ).match()
                with session_factory() as session:
                    response = _json(_VIEWS[endpoint](SimulatedRegister(session), request, **values))
        except ResidentNotFound as exc:
            response = _json({"error": exc.code, "message": exc.message}, 404)
        except JukiError as exc:
            response = _json({"error": exc.code, "message": exc.message}, 400)
        except NotFound:
            response = _json({"error": "not_found", "message": "該当するデータがありません。"}, 404)
        except HTTPException as exc:
            response = _json({"error": "bad_request", "message": exc.description or ""}, exc.code or 400)
        except SQLAlchemyError:
            response = _json({"error": "unavailable", "message": "住民記録のデータベースに接続できません。"}, 503)
        return response(environ, start_response)

    return app


def _search(register: SimulatedRegister, request: Request) -> dict[str, Any]:
    query = query_from_params(request.args)
    return {"residents": [resident_to_json(r) for r in register.search(query)], "total": register.count(query)}


def _resident(register: SimulatedRegister, request: Request, resident_id: str) -> dict[str, Any]:
    resident = register.get_resident(resident_id)
    if resident is None:
        raise ResidentNotFound(f"住民記録が見つかりません（住民ID: {resident_id}）。")
    return resident_to_json(resident)


def _history(register: SimulatedRegister, request: Request, resident_id: str) -> dict[str, Any]:
    return {"events": [event.to_json() for event in register.change_history(resident_id)]}


def _members(register: SimulatedRegister, request: Request, household_id: str) -> dict[str, Any]:
    return {"residents": [resident_to_json(r) for r in register.household_members(household_id)]}


def _changes(register: SimulatedRegister, request: Request) -> dict[str, Any]:
    limit = request.args.get("limit", "100")
    feed = register.changes_since(request.args.get("cursor", ""), int(limit) if limit.isdigit() else 0)
    return {"events": [event.to_json() for event in feed.events], "cursor": feed.cursor}


_VIEWS: dict[str, Callable[..., dict[str, Any]]] = {
    "search": _search, "resident": _resident, "history": _history, "members": _members, "changes": _changes,
}


def _authorized(request: Request, token: str) -> bool:
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode(), token.encode())


def _json(body: dict[str, Any], status: int = 200) -> Response:
    return Response(json.dumps(body, ensure_ascii=False), status=status, mimetype="application/json")


def main(argv: list[str] | None = None) -> None:
    """Serve the simulator tables of DATABASE_URL by the contract (werkzeug's development server)."""
    from werkzeug.serving import run_simple

    parser = argparse.ArgumentParser(prog="python -m juki.server", description="住基シミュレータを HTTP で提供する")
    parser.add_argument("database_url")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8100)
    parser.add_argument("--token", default="", help="要求に Authorization: Bearer TOKEN を求める")
    args = parser.parse_args(argv)
    app = register_app(sessionmaker(create_engine(args.database_url)), token=args.token)
    run_simple(args.host, args.port, app, threaded=True)


if __name__ == "__main__":
    main()
