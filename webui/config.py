"""Configuration: defaults, then instance/inkan.cfg, then INKAN_* environment variables; checked at start-up."""

from __future__ import annotations

from pathlib import Path

from flask import Flask

from imaging.verdict import DEFAULT_DIFFERENT, DEFAULT_SAME
from juki.linkage import LinkageSettings
from webui.uploads import MAX_UPLOAD_BYTES

DEFAULT_SECRET = "inkan-local-development-secret-do-not-use-in-production"
DEFAULT_SECRET_PARTS = ("inkan-local-development", "development-secret", "do-not-use-in-production")
PRODUCTION_SECRET_CHARS = 32
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
        "JUKI_LINKAGE": "pull",  # how the register's changes come in: pull, push, file (comma-separated)
        "JUKI_PULL_SECONDS": 60,  # period of pulling the change feed and reading the change-file folder
        "JUKI_FILE_DIR": "",  # file linkage: the folder the register drops change files into
        "KONBINI_KEY": "",  # bearer key of the J-LIS 証明書交付センター; empty: the コンビニ交付 API is closed
        "KONBINI_HOURS": "06:30-23:00",
        "KIOSK_KEY": "",  # bearer key of the office's 自動交付機 (issue 16.7); empty: the machines' API is closed
        "KONBINI_CLOSED_DAYS": "12-29,12-30,12-31,01-01,01-02,01-03",
        "POPULATION_SIZE": 2400,
        "MIN_AGE": 15,
        "SEAL_MIN_MM": 8.0,
        "SEAL_MAX_MM": 25.0,
        "DEFAULT_DPI": 300.0,
        "SIMILARITY_SAME": None,  # None: INKAN_SIMILARITY_THRESHOLD (the old single threshold) if set, else imaging.verdict.DEFAULT_SAME
        "SIMILARITY_DIFFERENT": DEFAULT_DIFFERENT,
        "SIMILARITY_THRESHOLD": None,  # the old name, read as SIMILARITY_SAME
        "INQUIRY_DEADLINE_DAYS": 30,
        "INQUIRY_MIN_WAIT_DAYS": 1,  # 4.1.4.6: days after the letter was mailed before its 回答書 is accepted
        "CERTIFICATE_FEE": 300,  # 6.1: yen per copy of the 印鑑登録証明書 at the counter
        "RETENTION_YEARS": 5,  # 除票 are kept this many years after closure, then `inkan registry purge` may remove them
        "GUARANTOR_PER_DAY": 1,  # 保証書: applicants one registered person may vouch for per day …
        "GUARANTOR_PER_YEAR": 12,  # … and per calendar year
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
        # processes (per web or worker process) that measure, normalise and compare impressions at a lower CPU
        # priority, so a scan does not hold the request threads up (handlers/imaging_pool.py); 0: in the request thread
        "IMAGING_WORKERS": 1,
        "WARM_UP": True,  # warm imaging and printing in a background thread on the first request (webui/warmup.py)
        "REQUEST_LOG": True,  # one JSON line per request on stderr (webui/request_log.py)
        "MAX_CONTENT_LENGTH": MAX_UPLOAD_BYTES,  # a request is never larger than the one upload limit
        "WTF_CSRF_TIME_LIMIT": None,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_IDLE_MINUTES": 30,  # a signed-in session ends after this long without a request
        "SESSION_MAX_HOURS": 12,  # … and this long after signing in, whatever happens
        "PROXY_COUNT": 0,  # reverse proxies in front (X-Forwarded-For / -Proto are trusted from that many hops)
    }


def load_config(app: Flask, overrides: dict | None) -> None:
    """Fill app.config in order and refuse unsafe settings; raise ConfigurationError."""
    app.config.from_mapping(defaults(app.instance_path))
    app.config.from_pyfile("inkan.cfg", silent=True)
    app.config.from_prefixed_env("INKAN")
    if overrides:
        app.config.update(overrides)
    if app.config["ENV"] == "production":
        app.config["SESSION_COOKIE_SECURE"] = True  # HttpOnly and SameSite=Lax are set for every environment
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
    if config["ENV"] not in ("development", "production"):
        raise ConfigurationError("INKAN_ENV は development か production を指定してください")
    if config["ENV"] == "production":
        check_production_secret(str(config["SECRET_KEY"]))
    if len(str(config["SECRET_KEY"])) < 16:
        raise ConfigurationError("INKAN_SECRET_KEY は16文字以上にしてください")
    check_sessions(config)
    if config["NUMBER_CHECK_DIGIT"] not in ("mod11", "luhn", "none"):
        raise ConfigurationError("INKAN_NUMBER_CHECK_DIGIT は mod11 / luhn / none のいずれかです")
    if not 4 <= int(config["NUMBER_DIGITS"]) <= 15:
        raise ConfigurationError("INKAN_NUMBER_DIGITS は4〜15の範囲で指定してください")
    if not 0 < float(config["SEAL_MIN_MM"]) < float(config["SEAL_MAX_MM"]):
        raise ConfigurationError("印影の大きさの下限・上限の設定が正しくありません")
    if not 1 <= int(config["INQUIRY_DEADLINE_DAYS"]) <= 365:
        raise ConfigurationError("INKAN_INQUIRY_DEADLINE_DAYS（照会の回答期限の日数）は1〜365の範囲で指定してください")
    if not 0 <= int(config["INQUIRY_MIN_WAIT_DAYS"]) <= 30:
        raise ConfigurationError("INKAN_INQUIRY_MIN_WAIT_DAYS（照会書の郵送から回答を受け付けるまでの日数）は"
                                 "0〜30の範囲で指定してください")
    if not 1 <= int(config["RETENTION_YEARS"]) <= 100:
        raise ConfigurationError("INKAN_RETENTION_YEARS（除票の保存年数）は1〜100の範囲で指定してください")
    if not 0 <= int(config["CERTIFICATE_FEE"]) <= 10000:
        raise ConfigurationError("INKAN_CERTIFICATE_FEE（証明書1通の手数料）は0〜10000円の範囲で指定してください")
    check_guarantor_limits(config)
    check_verify_url(config)
    if _number(config["IMAGING_WORKERS"]) not in range(0, 9):
        raise ConfigurationError("INKAN_IMAGING_WORKERS（印影処理のプロセス数）は0〜8の整数で指定してください"
                                 "（0: 画面の処理の中で行う）")
    check_neighbours(config)


def check_guarantor_limits(config) -> None:
    """保証書 limits: 1–100 a day, and a year's limit no smaller than a day's."""
    try:
        per_day, per_year = int(config["GUARANTOR_PER_DAY"]), int(config["GUARANTOR_PER_YEAR"])
    except (TypeError, ValueError):
        per_day = per_year = 0
    if not 1 <= per_day <= 100 or not per_day <= per_year <= 1000:
        raise ConfigurationError("INKAN_GUARANTOR_PER_DAY（保証人1人が1日に保証できる人数）は1〜100、"
                                 "INKAN_GUARANTOR_PER_YEAR（1年の人数）はその値以上1000以下で指定してください")


def check_production_secret(secret: str) -> None:
    """Production refuses a short secret key or one made from the published default."""
    if secret == DEFAULT_SECRET or _letters(DEFAULT_SECRET) in _letters(secret) or \
            any(_letters(part) in _letters(secret) for part in DEFAULT_SECRET_PARTS):
        raise ConfigurationError("INKAN_ENV=production では INKAN_SECRET_KEY に既定の秘密鍵やそれを元にした値は"
                                 "使えません（推測できない32文字以上の値を設定してください）")
    if len(secret) < PRODUCTION_SECRET_CHARS:
        raise ConfigurationError(f"INKAN_ENV=production では INKAN_SECRET_KEY を{PRODUCTION_SECRET_CHARS}文字以上に"
                                 "してください（例: python3 -c 'import secrets; print(secrets.token_urlsafe(48))'）")
    if len(set(secret)) < 8:
        raise ConfigurationError("INKAN_SECRET_KEY の文字の種類が少なすぎます（推測できない値にしてください）")


def check_sessions(config) -> None:
    if not 1 <= _number(config["SESSION_IDLE_MINUTES"]) <= 24 * 60:
        raise ConfigurationError("INKAN_SESSION_IDLE_MINUTES（無操作でログアウトするまでの分数）は1〜1440で指定してください")
    if not 1 <= _number(config["SESSION_MAX_HOURS"]) <= 24 * 7:
        raise ConfigurationError("INKAN_SESSION_MAX_HOURS（ログインの有効時間）は1〜168で指定してください")
    if not 0 <= _number(config["PROXY_COUNT"]) <= 5:
        raise ConfigurationError("INKAN_PROXY_COUNT（前段のリバースプロキシの段数）は0〜5で指定してください")


def _letters(text: str) -> str:
    return "".join(char for char in text.casefold() if char.isalnum())


def check_neighbours(config) -> None:
    """The resident register adapter, its and J-LIS's timeouts and the コンビニ交付 hours."""
    from handlers.services.konbini import ServiceHours

    if config["JUKI_EVENT_KEY"] and len(str(config["JUKI_EVENT_KEY"])) < 16:
        raise ConfigurationError("INKAN_JUKI_EVENT_KEY（住基の異動通知の署名鍵）は16文字以上にしてください")
    if config["JUKI"] not in ("simulator", "http"):
        raise ConfigurationError("INKAN_JUKI は simulator か http を指定してください")
    if config["JUKI"] == "http" and not str(config["JUKI_URL"]).startswith(("http://", "https://")):
        raise ConfigurationError("INKAN_JUKI=http では INKAN_JUKI_URL に住民記録システムのURLを指定してください")
    if config["CARD_NUMBERING"] not in ("preprinted", "registry"):
        raise ConfigurationError("INKAN_CARD_NUMBERING は preprinted か registry を指定してください")
    for key in ("JUKI_TIMEOUT", "JUKI_CONNECT_TIMEOUT", "JLIS_TIMEOUT", "CARD_SYSTEM_TIMEOUT"):
        if not 0 < _number(config[key]) <= 120:
            raise ConfigurationError(f"INKAN_{key} は0より大きく120以下の秒数で指定してください")
    try:
        ServiceHours.parse(config["KONBINI_HOURS"], config["KONBINI_CLOSED_DAYS"])
        linkage_settings(config)
    except ValueError as exc:
        raise ConfigurationError(str(exc)) from None


def check_verify_url(config) -> None:
    """INKAN_CERTIFICATE_VERIFY_URL, when set, follows the rules of the settings' 証明書確認ページのURL."""
    from handlers.services.settings import verify_url_problem

    url = str(config.get("CERTIFICATE_VERIFY_URL") or "")
    if url and (problem := verify_url_problem(url)):
        raise ConfigurationError(f"INKAN_CERTIFICATE_VERIFY_URL: {problem}")


def _number(value) -> float:
    """A setting as a number; anything else (or NaN) fails the range check that follows."""
    try:
        return float(value)
    except (TypeError, ValueError):
        return float("nan")


def linkage_settings(config) -> LinkageSettings:
    """INKAN_JUKI_LINKAGE, INKAN_JUKI_PULL_SECONDS, INKAN_JUKI_FILE_DIR; raise ValueError (Japanese message)."""
    return LinkageSettings.parse(config["JUKI_LINKAGE"], config["JUKI_PULL_SECONDS"], config["JUKI_FILE_DIR"])
