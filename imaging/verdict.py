"""The three answers of a comparison: 同一 (same), 要確認 (unsure: a clerk decides on the overlay), 別 (different)."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["DEFAULT_BALANCE_MAX", "DEFAULT_BALANCED_SAME", "DEFAULT_DIFFERENT", "DEFAULT_SAME", "Thresholds", "VERDICTS",
           "VERDICT_LABELS"]

# Calibrated on generator A seed 0 + generator B seed 0 and checked on held-out and fresh seeds of both
# (bench/imaging_three_way.py, docs/bench/imaging_three_way.md). The score is the lower of the whole-impression
# overlap and the characters' stroke agreement. 同一 keeps a 0.08 margin above calibration's largest
# different-seal score (0.764): before, the held-out Mincho/Gothic pairs overran calibration's largest by 0.07.
# 別 sits 0.01 below calibration's smallest same-seal score (0.608), rounded down: unsure rather than wrong.
DEFAULT_SAME = 0.845  # at or above: 同一
DEFAULT_DIFFERENT = 0.59  # at or below: 別; in between: 要確認, a clerk decides on the overlay
# A re-stamping that lowers the score (faint or thin strokes, a 1-bit scan, light pressure, spread) changes the
# characters' ink and the frame's alike; the same name in another typeface or cut keeps the frame and changes the
# characters' share of the ink (`Comparison.balance`). Pairs whose shares agree (balance ≤ 0.06, the 90th
# percentile of seed 0's generator-A same-seal pairs) are 同一 from 0.76: seed 0's largest different-seal score
# among such pairs is 0.698, + 0.06 margin (the held-out seeds' largest was 0.72).
DEFAULT_BALANCED_SAME = 0.76
DEFAULT_BALANCE_MAX = 0.06
VERDICTS = ("same", "unsure", "different")
VERDICT_LABELS = {"same": "同一", "unsure": "要確認", "different": "別"}


@dataclass(frozen=True)
class Thresholds:
    """The scores that split comparisons three ways: ≥ `same` 同一, ≤ `different` 別, else 要確認; and ≥
    `balanced_same` is 同一 too when the pair's ink balance is at most `balance_max` (a lower bar for pairs whose
    characters and frame hold ink in the same proportion; unused unless different < balanced_same < same).

    Raises ValueError unless 0 ≤ different ≤ same ≤ 1 and balance_max ≥ 0.
    """

    same: float = DEFAULT_SAME
    different: float = DEFAULT_DIFFERENT
    balanced_same: float = DEFAULT_BALANCED_SAME
    balance_max: float = DEFAULT_BALANCE_MAX

    def __post_init__(self) -> None:
        if not 0.0 <= self.different <= self.same <= 1.0:
            raise ValueError("thresholds must satisfy 0 ≤ different ≤ same ≤ 1")
        if self.balance_max < 0.0:
            raise ValueError("balance_max must be ≥ 0")

    def verdict(self, score: float, balance: float | None = None) -> str:
        """'same', 'unsure' or 'different' for a score and, if known, the pair's ink balance."""
        if score >= self.same or self._balanced_same(score, balance):
            return "same"
        return "different" if score <= self.different else "unsure"

    def _balanced_same(self, score: float, balance: float | None) -> bool:
        if balance is None or balance > self.balance_max:
            return False
        return self.different < self.balanced_same < self.same and score >= self.balanced_same
