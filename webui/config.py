"""Configuration: defaults, then instance/inkan.cfg, then INKAN_* environment variables; checked at start-up."""

from __future__ import annotations

from pathlib import Path

from flask import Flask

DEFAULT_SECRET = "inkan-local-development-secret-do-not-use-in-production"
REPO_ROOT = Path(__file__).resolve().parent.parent


class ConfigurationError(RuntimeError):
    """The product refuses to start with this configuration."""


def defaults(instance_path: str) -> dict:
    return {
        "ENV": "development",
        "SECRET_KEY": DEFAULT_SECRET,
        "DATABASE_URL": f"sqlite:///{Path(instance_path) / 'inkan.sqlite3'}",
        "BPMN_DIR": str(REPO_ROOT / "bpmn"),
        "STATIC_VENDOR_DIR": str(REPO_ROOT / "node_modules"),
        "JUKI_ADAPTER": "simulator",
        "POPULATION_SIZE": 2400,
        "MIN_AGE": 15,
        "SEAL_MIN_MM": 8.0,
        "SEAL_MAX_MM": 25.0,
        "DEFAULT_DPI": 300.0,
        "SIMILARITY_THRESHOLD": 0.80,
        "NUMBER_DIGITS": 8,
        "NUMBER_CHECK_DIGIT": "mod11",
        "MUNICIPALITY": "見本市",
        "MAYOR_TITLE": "見本市長",
        "MAYOR_NAME": "見本　太郎",
        "SECTION": "市民課",
        "CONTACT": "〒100-0001 見本市中央一丁目1番1号　電話 0120-000-000",
        "WORKER_INTERVAL_SECONDS": 5.0,
        "IN_PROCESS_WORKER": True,
        "MAX_CONTENT_LENGTH": 30 * 1024 * 1024,
        "WTF_CSRF_TIME_LIMIT": None,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
    }


def load_config(app: Flask, overrides: dict | None) -> None:
    """Fill app.config in order and refuse unsafe settings; raise ConfigurationError."""
    app.config.from_mapping(defaults(app.instance_path))
    app.config.from_pyfile("inkan.cfg", silent=True)
    app.config.from_prefixed_env("INKAN")
    if overrides:
        app.config.update(overrides)
    check_config(app.config)


def check_config(config) -> None:
    if config["ENV"] == "production" and config["SECRET_KEY"] == DEFAULT_SECRET:
        raise ConfigurationError("INKAN_ENV=production では INKAN_SECRET_KEY を必ず設定してください"
                                 "（既定の秘密鍵では起動しません）")
    if len(str(config["SECRET_KEY"])) < 16:
        raise ConfigurationError("INKAN_SECRET_KEY は16文字以上にしてください")
    if config["NUMBER_CHECK_DIGIT"] not in ("mod11", "luhn", "none"):
        raise ConfigurationError("INKAN_NUMBER_CHECK_DIGIT は mod11 / luhn / none のいずれかです")
    if not 4 <= int(config["NUMBER_DIGITS"]) <= 15:
        raise ConfigurationError("INKAN_NUMBER_DIGITS は4〜15の範囲で指定してください")
    if not 0 < float(config["SEAL_MIN_MM"]) < float(config["SEAL_MAX_MM"]):
        raise ConfigurationError("印影の大きさの下限・上限の設定が正しくありません")
    if config["JUKI_ADAPTER"] not in ("simulator",):
        raise ConfigurationError("INKAN_JUKI_ADAPTER は simulator のみ指定できます（HTTP アダプタは別途）")
