"""Configuration: defaults, then instance/inkan.cfg, then INKAN_* environment variables; checked at start-up."""

from __future__ import annotations

from pathlib import Path

from flask import Flask

from imaging.verdict import DEFAULT_DIFFERENT, DEFAULT_SAME

DEFAULT_SECRET = "inkan-local-development-secret-do-not-use-in-production"
REPO_ROOT = Path(__file__).resolve().parent.parent


SIMILARITY_MESSAGE = ("INKAN_SIMILARITY_DIFFERENT（別と判定する上限）と INKAN_SIMILARITY_SAME（同一と判定する下限）は"
                      "0以上1以下の数で、DIFFERENT ≦ SAME となるように指定してください")


class ConfigurationError(RuntimeError):
    """The product refuses to start with this configuration."""


def defaults(instance_path: str) -> dict:
    return {
        "ENV": "development",
        "SECRET_KEY": DEFAULT_SECRET,
        "DATABASE_URL": f"sqlite:///{Path(instance_path) / 'inkan.sqlite3'}",
        "BPMN_DIR": str(REPO_ROOT / "bpmn"),
        "STATIC_VENDOR_DIR": str(REPO_ROOT / "node_modules"),
        "JUKI": "simulator",  # or "http": the external register at JUKI_URL (docs/juki/openapi.yaml)
        "JUKI_URL": "",
        "JUKI_TOKEN": "",
        "JUKI_TIMEOUT": 5.0,
        "JUKI_CONNECT_TIMEOUT": 3.0,
        "JLIS_TIMEOUT": 5.0,  # seconds the 5.4 certificate check waits for J-LIS before the task fails (retry)
        "JUKI_EVENT_KEY": "",  # HMAC key of POST /api/v1/juki/events (X-Juki-Signature); empty: closed
        "KONBINI_KEY": "",  # bearer key of the J-LIS 証明書交付センター; empty: the コンビニ交付 API is closed
        "KONBINI_HOURS": "06:30-23:00",
        "KONBINI_CLOSED_DAYS": "12-29,12-30,12-31,01-01,01-02,01-03",
        "POPULATION_SIZE": 2400,
        "MIN_AGE": 15,
        "SEAL_MIN_MM": 8.0,
        "SEAL_MAX_MM": 25.0,
        "DEFAULT_DPI": 300.0,
        "SIMILARITY_SAME": None,  # None: INKAN_SIMILARITY_THRESHOLD (the old single threshold) if set, else 0.82
        "SIMILARITY_DIFFERENT": DEFAULT_DIFFERENT,
        "SIMILARITY_THRESHOLD": None,  # the old name, read as SIMILARITY_SAME
        "INQUIRY_DEADLINE_DAYS": 30,
        "CERTIFICATE_FEE": 300,  # 6.1: yen per copy of the 印鑑登録証明書 at the counter
        "CARD_NUMBERING": "registry",  # 5.3: "preprinted" cards carry their own number; "registry" keeps the record's
        "CARD_SYSTEM_URL": "",  # 5.3: where another system manages the cards, new card numbers are POSTed here
        "CARD_SYSTEM_TIMEOUT": 5.0,
        "PIN_PEPPER": "",  # 5.2.4: server-side pepper of the PIN hash; empty: derived from SECRET_KEY
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
    resolve_similarity(app.config)
    check_config(app.config)


def resolve_similarity(config) -> None:
    """Settle the comparison's two thresholds: SIMILARITY_SAME, else the old SIMILARITY_THRESHOLD, else the
    default; when only the old single threshold is given below the default low one, 別 starts at it too
    (so that the old setting keeps its meaning). Raise ConfigurationError for anything but 0 ≤ low ≤ high ≤ 1.
    """
    try:
        same = config["SIMILARITY_SAME"]
        if same is None:
            same = config.get("SIMILARITY_THRESHOLD")
            if same is not None and config["SIMILARITY_DIFFERENT"] is not None:
                config["SIMILARITY_DIFFERENT"] = min(float(config["SIMILARITY_DIFFERENT"]), float(same))
        config["SIMILARITY_SAME"] = float(DEFAULT_SAME if same is None else same)
        config["SIMILARITY_DIFFERENT"] = float(config["SIMILARITY_DIFFERENT"])
    except (TypeError, ValueError):
        raise ConfigurationError(SIMILARITY_MESSAGE) from None
    if not 0.0 <= config["SIMILARITY_DIFFERENT"] <= config["SIMILARITY_SAME"] <= 1.0:
        raise ConfigurationError(SIMILARITY_MESSAGE)


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
    if not 1 <= int(config["INQUIRY_DEADLINE_DAYS"]) <= 365:
        raise ConfigurationError("INKAN_INQUIRY_DEADLINE_DAYS（照会の回答期限の日数）は1〜365の範囲で指定してください")
    if not 0 <= int(config["CERTIFICATE_FEE"]) <= 10000:
        raise ConfigurationError("INKAN_CERTIFICATE_FEE（証明書1通の手数料）は0〜10000円の範囲で指定してください")
    check_neighbours(config)


def check_neighbours(config) -> None:
    """The resident register adapter, its and J-LIS's timeouts and the コンビニ交付 hours."""
    from handlers.konbini import ServiceHours

    if config["JUKI_EVENT_KEY"] and len(str(config["JUKI_EVENT_KEY"])) < 16:
        raise ConfigurationError("INKAN_JUKI_EVENT_KEY（住基の異動通知の署名鍵）は16文字以上にしてください")
    if config["JUKI"] not in ("simulator", "http"):
        raise ConfigurationError("INKAN_JUKI は simulator か http を指定してください")
    if config["JUKI"] == "http" and not str(config["JUKI_URL"]).startswith(("http://", "https://")):
        raise ConfigurationError("INKAN_JUKI=http では INKAN_JUKI_URL に住民記録システムのURLを指定してください")
    if config["CARD_NUMBERING"] not in ("preprinted", "registry"):
        raise ConfigurationError("INKAN_CARD_NUMBERING は preprinted か registry を指定してください")
    for key in ("JUKI_TIMEOUT", "JUKI_CONNECT_TIMEOUT", "JLIS_TIMEOUT", "CARD_SYSTEM_TIMEOUT"):
        if not 0 < _seconds(config[key]) <= 120:
            raise ConfigurationError(f"INKAN_{key} は0より大きく120以下の秒数で指定してください")
    try:
        ServiceHours.parse(config["KONBINI_HOURS"], config["KONBINI_CLOSED_DAYS"])
    except ValueError as exc:
        raise ConfigurationError(str(exc)) from None


def _seconds(value) -> float:
    """A timeout as a number; anything else (or NaN) fails the range check that follows."""
    try:
        return float(value)
    except (TypeError, ValueError):
        return float("nan")
