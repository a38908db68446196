"""The exchange layout (docs/exchange/): file names, columns and code values, in the standard's terms.

One directory holds four UTF-8 CSV files (CRLF, a header row, no BOM), one image per impression under
``impressions/`` and ``datapackage.json`` (a Frictionless Data Package whose table schemas are these columns).
Cells are written exactly as stored: no spreadsheet escaping, because the files are for machines, not Excel.
"""

from __future__ import annotations

from registry.seals.models import RecordStatus
from registry.seals.shown_names import SHOWN_NAME_LABELS

__all__ = ["CARD_KINDS", "CERTIFICATES", "CERTIFICATE_COLUMNS", "CHANNELS", "HISTORY", "HISTORY_COLUMNS",
           "IDENTITY_PATHS", "IMAGE_DIR", "INQUIRIES", "INQUIRY_COLUMNS", "INQUIRY_STATUS", "PACKAGE",
           "REGISTRATIONS", "REGISTRATION_COLUMNS", "REQUIRED", "SEXES", "SHOWN_NAMES", "STATUSES", "decode",
           "encode"]

REGISTRATIONS, HISTORY, INQUIRIES, CERTIFICATES = ("registrations.csv", "history.csv", "inquiries.csv",
                                                   "certificates.csv")
PACKAGE, IMAGE_DIR = "datapackage.json", "impressions"

REGISTRATION_COLUMNS = (
    "登録番号", "登録年月日", "状態", "状態異動日", "状態異動事由", "宛名番号", "世帯番号", "氏名", "旧氏", "通称",
    "併記名", "氏名カナ", "生年月日", "性別", "住所", "本人確認方法", "保証人登録番号", "登録証種別", "登録証番号",
    "電子証明書シリアル番号", "印影ファイル", "印影解像度", "印影の表す氏名", "一時停止開始日", "一時停止終了日")
HISTORY_COLUMNS = ("登録番号", "履歴連番", "異動事由", "異動日", "処理日時", "処理者", "異動前", "異動後")
INQUIRY_COLUMNS = ("照会番号", "宛名番号", "受付日時", "受付者", "状態")
CERTIFICATE_COLUMNS = ("証明書番号", "登録番号", "交付日時", "交付方法", "交付者")

REQUIRED = {
    REGISTRATIONS: ("登録番号", "登録年月日", "状態", "宛名番号", "世帯番号", "氏名", "氏名カナ", "生年月日", "性別",
                    "住所", "本人確認方法", "印影ファイル", "印影解像度"),
    HISTORY: ("登録番号", "履歴連番", "異動事由", "異動日", "処理日時", "処理者"),
    INQUIRIES: ("照会番号", "宛名番号", "受付日時", "受付者", "状態"),
    CERTIFICATES: ("証明書番号", "登録番号", "交付日時", "交付方法", "交付者"),
}

# code values: the file's word (the standard's term) ↔ the stored code
STATUSES = {label: code for code, label in RecordStatus.LABELS.items()}  # 登録 / 廃止 / 抹消
SEXES = {"男": "男", "女": "女"}
IDENTITY_PATHS = {"官公署発行の写真付き証明書": "photo_id", "保証書": "guarantee", "照会": "inquiry"}
CARD_KINDS = {"印鑑登録証": "印鑑登録証", "個人番号カード": "個人番号カード"}
SHOWN_NAMES = {label: code for code, label in SHOWN_NAME_LABELS.items()}
CHANNELS = {"窓口": "counter", "コンビニ交付": "konbini"}
INQUIRY_STATUS = {"照会中": "inquiring"}


def decode(codes: dict[str, str], word: str) -> str | None:
    """The stored code of a file's word, or None when it is not one of the layout's words."""
    return codes.get(word)


def encode(codes: dict[str, str], code: str | None) -> str:
    """The file's word of a stored code ("" for none; an unknown code is written as it is)."""
    if code is None:
        return ""
    for word, stored in codes.items():
        if stored == code:
            return word
    return code
