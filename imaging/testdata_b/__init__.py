"""Generator B: a second, independently written generator of seal scans with known truth.

It shares no code with imaging/testdata.py: glyph outlines come from the font files as vector paths
(fontTools) and are filled by our own non-zero-winding rasteriser; romaji use DejaVu fonts; strokes are
thickened by a distance transform; each seal has its carver's hand; each stamping has its own spread,
pressure, tilt, porous ink, paper distortion and bleeding; the page has fibres and an off-white tone; the
scan is 200–600 dpi, rotated over the full 360°, and saved as colour PNG, JPEG or a 1-bit two-colour file.
"""

from .face import Seal, carve_face
from .sets import (
           DIFFERENCES,
           different_seal,
           frameless_set,
           pair_set_b,
           random_impression,
           random_seal,
           size_set,
)
from .stamping import GeneratedScanB, Impression, press

__all__ = ["DIFFERENCES", "GeneratedScanB", "Impression", "Seal", "carve_face", "different_seal", "frameless_set",
           "pair_set_b", "press", "random_impression", "random_seal", "size_set"]
