"""Per-pixel strength of red (vermilion) seal ink, from HSV colour."""

from __future__ import annotations

import cv2
import numpy as np

__all__ = ["ink_strength", "is_core_red_hue", "other_colour_mask", "DETECT_STRENGTH"]

# OpenCV hue runs 0..179; red wraps around both ends.
_RED_LOW_MAX = 15
_RED_HIGH_MIN = 160
_CORE_LOW_MAX = 10
_CORE_HIGH_MIN = 170
_S_FLOOR = 30.0  # paper, noise and scanner tint stay below this saturation
_S_FULL = 190.0  # saturation of a well-inked vermilion impression
_V_MIN = 70  # darker pixels are black print (or ink over print), not ink

DETECT_STRENGTH = 0.06
_STRENGTH_LUT = np.clip((np.arange(256, dtype=np.float32) - _S_FLOOR) * (1.0 / (_S_FULL - _S_FLOOR)), 0.0, 1.0)


def ink_strength(bgr: np.ndarray) -> np.ndarray:
    """Red-ink strength 0..1 (float32) per pixel of a BGR(A) uint8 image; 0 outside both red hue ranges."""
    if bgr.ndim == 2:  # grayscale has no red ink
        return np.zeros(bgr.shape, np.float32)
    hsv = cv2.cvtColor(np.ascontiguousarray(bgr[..., :3]), cv2.COLOR_BGR2HSV)
    hue, sat, val = cv2.split(hsv)
    not_red = cv2.inRange(hue, _RED_LOW_MAX + 1, _RED_HIGH_MIN - 1)
    dark = cv2.compare(val, _V_MIN, cv2.CMP_LT)
    sat = cv2.bitwise_and(sat, cv2.bitwise_not(cv2.bitwise_or(not_red, dark)))
    return cv2.LUT(sat, _STRENGTH_LUT).reshape(sat.shape)


def is_core_red_hue(bgr_pixels: np.ndarray) -> bool:
    """Whether the median hue of the BGR pixels (N×3 uint8) is vermilion/red rather than orange or pink."""
    if len(bgr_pixels) == 0:
        return True
    hsv = cv2.cvtColor(bgr_pixels.reshape(-1, 1, 3), cv2.COLOR_BGR2HSV).reshape(-1, 3)
    hue = hsv[:, 0].astype(np.int16)
    signed = np.where(hue >= 90, hue - 180, hue)  # red centred on 0
    median = float(np.median(signed))
    return -(180 - _CORE_HIGH_MIN) <= median <= _CORE_LOW_MAX


def other_colour_mask(bgr: np.ndarray) -> np.ndarray:
    """Boolean mask of clearly coloured pixels that are not red (blue, green, purple ink…)."""
    if bgr.ndim == 2:
        return np.zeros(bgr.shape, bool)
    hsv = cv2.cvtColor(np.ascontiguousarray(bgr[..., :3]), cv2.COLOR_BGR2HSV)
    hue, sat, val = hsv[..., 0], hsv[..., 1], hsv[..., 2]
    red = (hue <= _RED_LOW_MAX) | (hue >= _RED_HIGH_MIN)
    return (~red) & (sat >= 80) & (val >= 50)
