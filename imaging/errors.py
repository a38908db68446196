"""Exceptions raised by the imaging package (code for programs, Japanese message for the clerk)."""

from __future__ import annotations

__all__ = ["ImagingError", "UnusableImageError"]

_ERROR_MESSAGES: dict[str, str] = {
    "empty_file": "ファイルが空です。画像ファイルを選んでください",
    "file_too_large": "ファイルが大きすぎます（50MBまで）。解像度を下げるかJPEGで保存してください",
    "not_an_image": "画像ファイルとして読み込めません。スキャンした画像を選んでください",
    "unsupported_format": "対応していない画像形式です（PNG・JPEG・TIFFのみ読み込めます）",
    "image_too_large": "画像が大きすぎます（4000万画素まで）。解像度を下げてスキャンしてください",
    "bad_dpi": "解像度（dpi）が不正です。72〜2400dpiの範囲で指定してください",
    "no_impression": "印影が見つかりません。朱肉の印影が写っているか確認してください",
    "bad_scale": "印影画像の縮尺（mm/画素）が不正です",
}


class ImagingError(Exception):
    """Base error of the imaging package: `code` is stable snake_case, `message` is Japanese for a clerk."""

    def __init__(self, code: str, message: str | None = None) -> None:
        self.code = code
        self.message = message or _ERROR_MESSAGES.get(code, "画像を処理できませんでした")
        super().__init__(f"{code}: {self.message}")

    def __reduce__(self):
        # rebuilt from code and message, not from the formatted text, when it crosses a process boundary
        return type(self), (self.code, self.message)


class UnusableImageError(ImagingError):
    """The uploaded bytes cannot be used as a scan (empty, not an image, format, size or dpi)."""
