"""Generator B's random seals, stampings and the evaluation sets (sizes with truth; same / different pairs).

Different-seal pairs are the hard kinds a household produces: the same name cut in Mincho and in Gothic,
the same surname with another given name, the same name at a slightly different size, the same name by
another carver, another name of the same length in the same style, and a frame versus none.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import numpy as np

from .face import Seal
from .stamping import GeneratedScanB, Impression, press

__all__ = ["random_seal", "random_impression", "size_set", "frameless_set", "pair_set_b", "different_seal",
           "DIFFERENCES"]

SURNAMES = ["山田", "佐藤", "鈴木", "高橋", "田中", "伊藤", "渡辺", "中村", "小林", "加藤", "吉田", "山口", "松本",
            "井上", "木村", "林", "森", "川", "小川", "石川", "前田", "藤原", "岡本", "長谷川", "佐々木", "五十嵐"]
GIVEN = ["太郎", "花子", "一郎", "次郎", "優子", "裕子", "健", "誠", "明美", "直樹"]
KANA = ["さとう", "やまだ", "すずき", "いとう", "ミキ", "ハナ", "ユリ", "まり"]
ROMAN = ["SATO", "ITO", "KIM", "MORI", "ONO", "LEE", "ABE", "UEDA"]
DIFFERENCES = ("style", "given_name", "size", "carving", "name", "frame")


def random_seal(rng: np.random.Generator, sizes: tuple[float, float] = (9.0, 24.0), frameless: float = 0.3) -> Seal:
    """A random seal: surname, full name (2×2), kana or romaji; any style; framed or not."""
    kind = str(rng.choice(["surname", "surname", "surname", "full", "kana", "roman"]))
    if kind == "full":
        text = str(rng.choice([s for s in SURNAMES if len(s) == 2])) + str(rng.choice([g for g in GIVEN if len(g) == 2]))
    else:
        text = str(rng.choice({"surname": SURNAMES, "kana": KANA, "roman": ROMAN}[kind]))
    outline = "none" if rng.random() < frameless else str(rng.choice(["circle", "circle", "oval", "square"]))
    return Seal(text=text, style=str(rng.choice(["mincho", "gothic"])), outline=outline,
                size_mm=round(float(rng.uniform(*sizes)), 2), gap=_gap(rng, outline),
                weight_mm=round(float(rng.uniform(0.02, 0.12)), 3), carving=int(rng.integers(2**31)))


def _gap(rng: np.random.Generator, outline: str) -> float:
    """Space between characters (× character height): tight in a frame; frameless seals vary more."""
    if outline != "none":
        return round(float(rng.uniform(0.02, 0.12)), 3)
    return round(float(rng.uniform(0.03, 0.5) if rng.random() < 0.85 else rng.uniform(0.5, 1.0)), 3)


def random_impression(rng: np.random.Generator, dpis: tuple[int, ...] = (200, 240, 300, 400, 600)) -> Impression:
    """A random stamping and scan: any rotation, spread, pressure, tilt, porosity, paper, dpi and file mode."""
    mode = str(rng.choice(["png", "png", "jpeg", "jpeg", "bilevel"]))
    return Impression(
        rotation_deg=round(float(rng.uniform(0, 360)), 2),
        spread_mm=round(float(rng.uniform(-0.01, 0.05)), 3),
        pressure=round(float(rng.uniform(0.45, 1.1)), 3),
        tilt=round(float(rng.uniform(0.0, 0.5)), 3),
        porosity=round(float(rng.choice([0.0, rng.uniform(0.02, 0.25)])), 3),
        distortion_mm=round(float(rng.uniform(0.0, 0.04)), 3),
        bleed_mm=round(float(rng.uniform(0.0, 0.04)), 3),
        dpi=int(rng.choice(dpis)),
        optics_mm=round(float(rng.uniform(0.02, 0.06)), 3),
        paper=str(rng.choice(["white", "white", "cream", "recycled"])),
        form=bool(rng.random() < 0.35),
        mode=mode,
        jpeg_quality=int(rng.integers(55, 93)),
        noise=round(float(rng.uniform(1.0, 4.0)), 2),
        seed=int(rng.integers(2**31)),
    )


def size_set(count: int, seed: int = 0, frameless: float = 0.3) -> Iterator[GeneratedScanB]:
    """`count` scans of random seals (5–30 mm) with their true square size."""
    rng = np.random.default_rng(seed)
    for _ in range(count):
        seal = random_seal(rng, (5.0, 30.0), frameless)
        imp = random_impression(rng)
        if imp.dpi >= 400 and seal.size_mm > 20:  # keep the pages of big seals moderate
            imp = replace(imp, dpi=300)
        yield press(seal, imp)


def frameless_set(count: int, seed: int = 0) -> Iterator[GeneratedScanB]:
    """`count` scans of frameless seals (枠なし, 1–4 characters, 8–25 mm) with their true square size."""
    return size_set(count, seed, frameless=1.0)


def different_seal(seal: Seal, rng: np.random.Generator, kind: str | None = None) -> tuple[Seal, str]:
    """A different seal a household could own beside `seal`, and how it differs (one of DIFFERENCES)."""
    kind = kind or str(rng.choice(DIFFERENCES))
    carving = int(rng.integers(2**31))
    if kind == "style":
        return replace(seal, style="gothic" if seal.style == "mincho" else "mincho", carving=carving), kind
    if kind == "given_name" and len(seal.text) == 4 and not seal.text.isascii():
        given = [g for g in GIVEN if len(g) == 2 and g != seal.text[2:]]
        return replace(seal, text=seal.text[:2] + str(rng.choice(given)), carving=carving), kind
    if kind == "size":
        delta = float(rng.uniform(0.8, 2.0)) * (1 if seal.size_mm < 12 or rng.random() < 0.5 else -1)
        return replace(seal, size_mm=round(seal.size_mm + delta, 2), carving=carving), kind
    if kind == "carving":
        return replace(seal, carving=carving, gap=_gap(rng, seal.outline),
                       weight_mm=round(float(np.clip(seal.weight_mm + rng.choice([-1, 1]) * rng.uniform(0.03, 0.06),
                                                     0.0, 0.15)), 3)), kind
    if kind == "frame":
        outline = "circle" if seal.outline == "none" else "none"
        return replace(seal, outline=outline, gap=_gap(rng, outline), carving=carving), kind
    pool = {"roman": ROMAN, "kana": KANA}.get(_script(seal.text), SURNAMES + [s + g for s in SURNAMES[:6] for g in GIVEN])
    same_len = [t for t in pool if len(t) == len(seal.text) and t != seal.text] or [t for t in pool if t != seal.text]
    return replace(seal, text=str(rng.choice(same_len)), carving=carving), "name"


def _script(text: str) -> str:
    if text.isascii():
        return "roman"
    return "kana" if all("\u3040" <= c <= "\u30ff" for c in text) else "kanji"


def pair_set_b(count: int, seed: int = 0) -> Iterator[tuple[GeneratedScanB, GeneratedScanB, bool, str]]:
    """`count` same-seal and `count` different-seal pairs, alternating: (a, b, same, kind)."""
    rng = np.random.default_rng(seed)
    for _ in range(count):
        seal = random_seal(rng, (8.0, 22.0))
        a = press(seal, random_impression(rng))
        yield a, press(seal, random_impression(rng)), True, "same"
        other, kind = different_seal(seal, rng)
        yield a, press(other, random_impression(rng)), False, kind
