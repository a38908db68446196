"""Clerk-facing issues (warnings and refusal reasons) with their Japanese messages."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Issue", "make_issue", "format_mm"]


@dataclass(frozen=True)
class Issue:
    """One finding about an image: a stable snake_case code and a Japanese message for the clerk."""

    code: str
    message: str


_MESSAGES: dict[str, str] = {
    "no_impression": "印影が見つかりません。朱肉の印影が写っているか確認してください",
    "too_small": "印影が小さすぎます（{min_mm}mmの正方形に収まります）",
    "too_large": "印影が大きすぎます（{max_mm}mmの正方形に収まりません）",
    "multiple_impressions": "印影が複数写っています。1つの印影だけを読み込んでください",
    "multiple_impressions_minor": "印影のほかに赤い印が写っています。読み込む範囲を確認してください",
    "unclear_extent": "印影の文字や部分が離れて写っていて、どこまでが1つの印影か判断できないため、大きさを測れません。"
    "近くに赤い印のない余白に押し直した印影を読み込んでください",
    "unclear_edge": "印影の輪郭がはっきりせず、大きさを正確に測れません。濃くはっきり押した印影を読み込んでください"
    "（JPEG の場合は、PNG など画質の落ちない形式で読み込み直してください）",
    "faint": "印影がかすれています。読み取れるか確認してください",
    "broken_outline": "印影の外枠が欠けています。欠けのない印影か確認してください",
    "not_red": "朱色ではない可能性があります",
}


def format_mm(value: float) -> str:
    """Format a length in mm without a useless trailing '.0' (8.0 → '8', 7.5 → '7.5')."""
    return f"{round(float(value), 2):g}"


def make_issue(code: str, message_key: str | None = None, **params: float) -> Issue:
    """Build an Issue from the catalogue; raises KeyError for an unknown code."""
    template = _MESSAGES[message_key or code]
    return Issue(code, template.format(**{k: format_mm(v) for k, v in params.items()}))
