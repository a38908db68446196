"""Map every domain error to HTTP once: JSON {error, message} for the API, a Japanese page otherwise."""

from __future__ import annotations

from flask import Flask, g, jsonify, render_template, request
from sqlalchemy.exc import DataError, DBAPIError, IntegrityError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from werkzeug.exceptions import HTTPException

from engine.database import is_database_unavailable
from engine.errors import EngineError
from handlers.base import HandlerError
from handlers.imaging_pool import ImagingUnavailable
from juki.errors import JukiError, JukiUnavailable, ResidentNotFound
from registry.errors import RecordNotFound, RegistryError
from webui.extensions import login_manager
from webui.refusals import RequestRefused

HTTP_MESSAGES = {
    400: ("bad_request", "リクエストの内容が正しくありません"),
    401: ("unauthorized", "ログイン（またはAPIトークン）が必要です"),
    403: ("forbidden", "この操作を行う権限がありません"),
    404: ("not_found", "ページまたはデータが見つかりません"),
    405: ("method_not_allowed", "この方法では操作できません"),
    409: ("conflict", "他の操作と競合しました。画面を開き直してください"),
    413: ("too_large", "ファイルが大きすぎます（30MBまで）"),
    415: ("unsupported_media_type", "この形式のデータは受け付けられません"),
    422: ("unprocessable", "入力内容に誤りがあります"),
}
RETRY_AFTER_SECONDS = 10
DATABASE_UNAVAILABLE = ("database_unavailable", "データベースに接続できないため、いまは処理できません。"
                                                "しばらく待ってからもう一度操作してください")


def wants_json() -> bool:
    return request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json"


def error_response(status: int, code: str, message: str, **extra):
    if wants_json():
        return jsonify({"error": code, "message": message, **extra}), status
    return render_template("error.html", status=status, code=code, message=message, extra=extra), status


def database_unavailable_response():
    """503 with Retry-After, as JSON or as a page that needs no database (no user, no counters)."""
    g._login_user = login_manager.anonymous_user()  # nothing after this may ask the database who is signed in
    code, message = DATABASE_UNAVAILABLE
    if wants_json():
        response = jsonify({"error": code, "message": message})
    else:
        from flask import current_app

        html = current_app.jinja_env.get_template("unavailable.html").render(code=code, message=message)
        response = current_app.response_class(html, mimetype="text/html")
    response.status_code = 503
    response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(RequestRefused)
    def request_refused(exc: RequestRefused):
        extra = {"errors": exc.fields} if exc.fields else {}
        return error_response(exc.status, exc.code, exc.message, **extra)

    @app.errorhandler(EngineError)
    def engine_error(exc: EngineError):
        return error_response(exc.http_status, exc.code, exc.message,
                              **{k: v for k, v in exc.details.items() if v is not None})

    @app.errorhandler(RegistryError)
    def registry_error(exc: RegistryError):
        status = 404 if isinstance(exc, RecordNotFound) or exc.code == "blob_not_found" else 422
        return error_response(status, exc.code, exc.message)

    @app.errorhandler(HandlerError)
    def handler_error(exc: HandlerError):
        if isinstance(exc, ImagingUnavailable):  # the imaging processes are down: retry later, not bad input
            return error_response(503, exc.code, exc.message)
        field = getattr(exc, "field", None)  # StartDataInvalid names the item at fault
        return error_response(422, exc.code, exc.message, **({"errors": {field: exc.message}} if field else {}))

    @app.errorhandler(JukiError)
    def juki_error(exc: JukiError):
        if isinstance(exc, JukiUnavailable):
            return error_response(503, exc.code, exc.message)  # the neighbour is down: retry later, not bad input
        return error_response(404 if isinstance(exc, ResidentNotFound) else 422, exc.code, exc.message)

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        code, message = HTTP_MESSAGES.get(exc.code or 500, ("http_error", exc.description or "エラーです"))
        if exc.code == 400 and "CSRF" in str(exc.description):
            code, message = "csrf_failed", "画面の有効期限が切れました。もう一度開き直してから操作してください"
        return error_response(exc.code or 500, code, message)

    @app.errorhandler(PoolTimeout)
    def pool_exhausted(_exc: PoolTimeout):
        return database_unavailable_response()

    @app.errorhandler(DBAPIError)
    def database_error(exc: DBAPIError):
        if is_database_unavailable(exc):
            app.logger.warning("database unavailable: %s", str(exc.orig).strip().splitlines()[0] if exc.orig else exc)
            return database_unavailable_response()
        if isinstance(exc, DataError):  # a value a column cannot hold that no check caught: a bug, but not a 500
            app.logger.error("value refused by the database", exc_info=exc)
            return error_response(422, "value_not_storable",
                                  "保存できない値が含まれています（文字数が多すぎるか、形式が正しくありません）")
        if isinstance(exc, IntegrityError):  # a concurrent request got there first
            app.logger.warning("integrity error", exc_info=exc)
            return error_response(409, *HTTP_MESSAGES[409])
        return unexpected(exc)

    @app.errorhandler(Exception)
    def unexpected(exc: Exception):
        app.logger.exception("unexpected error")
        return error_response(500, "internal_error", "システムエラーが発生しました。システム管理者に連絡してください")
