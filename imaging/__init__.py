"""Pure image functions for seal impressions (印影): loading scans, measuring, normalizing, comparing."""

from .annotate import annotate_scan
from .compare import Comparison, compare_impressions
from .errors import ImagingError, UnusableImageError
from .issues import Issue
from .measure import Measurement, measure_impression, measurement_to_dict
from .normalize import NormalizedImpression, normalize_impression
from .overlay import overlay_png
from .samples import make_blank_scan, make_seal_scan
from .scan import Scan, check_image, load_scan
from .verdict import VERDICT_LABELS, VERDICTS, Thresholds

__all__ = [
    "Comparison",
    "ImagingError",
    "Issue",
    "Measurement",
    "NormalizedImpression",
    "Scan",
    "Thresholds",
    "UnusableImageError",
    "VERDICTS",
    "VERDICT_LABELS",
    "annotate_scan",
    "check_image",
    "compare_impressions",
    "load_scan",
    "make_blank_scan",
    "make_seal_scan",
    "measure_impression",
    "measurement_to_dict",
    "normalize_impression",
    "overlay_png",
]
