"""Map every domain error to HTTP once: JSON {error, message} for the API, a Japanese page otherwise."""

from __future__ import annotations

from flask import Flask, jsonify, render_template, request
from werkzeug.exceptions import HTTPException

from engine.errors import EngineError
from handlers.base import HandlerError
from juki.errors import JukiError, JukiUnavailable, ResidentNotFound
from registry.errors import RecordNotFound, RegistryError

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


def wants_json() -> bool:
    return request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json"


def error_response(status: int, code: str, message: str, **extra):
    if wants_json():
        return jsonify({"error": code, "message": message, **extra}), status
    return render_template("error.html", status=status, code=code, message=message, extra=extra), status


def register_error_handlers(app: Flask) -> None:
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
        return error_response(422, exc.code, exc.message)

    @app.errorhandler(JukiError)
    def juki_error(exc: JukiError):
        if isinstance(exc, JukiUnavailable):
            return error_response(503, exc.code, exc.message)  # the neighbour is down: retry later, not bad input
        return error_response(404 if isinstance(exc, ResidentNotFound) else 422, exc.code, exc.message)

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        code, message = HTTP_MESSAGES.get(exc.code or 500, ("http_error", exc.description or "エラーです"))
        if exc.code == 400 and exc.description == "nul_character":
            code, message = "invalid_character", "入力に使用できない文字（NUL）が含まれています"
        if exc.code == 400 and "CSRF" in str(exc.description):
            code, message = "csrf_failed", "画面の有効期限が切れました。もう一度開き直してから操作してください"
        return error_response(exc.code or 500, code, message)

    @app.errorhandler(Exception)
    def unexpected(exc: Exception):
        app.logger.exception("unexpected error")
        return error_response(500, "internal_error", "システムエラーが発生しました。システム管理者に連絡してください")
