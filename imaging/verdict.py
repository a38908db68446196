"""The three answers of a comparison: 同一 (same), 要確認 (unsure: a clerk decides on the overlay), 別 (different)."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["DEFAULT_DIFFERENT", "DEFAULT_SAME", "Thresholds", "VERDICTS", "VERDICT_LABELS"]

# Calibrated on generator A seed 0 + generator B seed 0 and checked on held-out and fresh seeds of both
# (bench/imaging_three_way.py, docs/bench/imaging_three_way.md). The score is the lower of the whole-impression
# overlap and the characters' stroke agreement. 同一 keeps a 0.08 margin above calibration's largest
# different-seal score: before, the held-out Mincho/Gothic pairs overran calibration's largest by 0.07. With
# sub-pixel registration that score is 0.789 (Mincho/Gothic, characters' edges uneven), so such pairs need
# DEFAULT_SAME + imaging.compare.UNEVEN_MARGIN: 0.88, the rule's 0.869 rounded up past a 10 mm 登録/登緑 near
# copy at 200 dpi (0.869); pairs that disagree evenly keep DEFAULT_SAME (their largest different-seal score is
# 0.704).
# 別 sits 0.01 below calibration's smallest same-seal score (0.609), rounded down: unsure rather than wrong.
DEFAULT_SAME = 0.845  # at or above: 同一
DEFAULT_DIFFERENT = 0.59  # at or below: 別; in between: 要確認, a clerk decides on the overlay
VERDICTS = ("same", "unsure", "different")
VERDICT_LABELS = {"same": "同一", "unsure": "要確認", "different": "別"}


@dataclass(frozen=True)
class Thresholds:
    """The two scores that split comparisons three ways: ≥ `same` 同一, ≤ `different` 別, else 要確認.

    Raises ValueError unless 0 ≤ different ≤ same ≤ 1.
    """

    same: float = DEFAULT_SAME
    different: float = DEFAULT_DIFFERENT

    def __post_init__(self) -> None:
        if not 0.0 <= self.different <= self.same <= 1.0:
            raise ValueError("thresholds must satisfy 0 ≤ different ≤ same ≤ 1")

    def verdict(self, score: float) -> str:
        """'same', 'unsure' or 'different' for a score."""
        if score >= self.same:
            return "same"
        return "different" if score <= self.different else "unsure"
