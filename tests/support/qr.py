"""Read a printed QR code the way a phone would: render the PDF's first page (poppler) and decode it (OpenCV)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import cv2
import numpy as np
from PIL import Image

PDFTOPPM = shutil.which("pdftoppm")


def scan_qr(pdf: bytes, tmp_path: Path, dpi: int = 200) -> str:
    """The text of the QR code on the first page of ``pdf`` ('' when none is found).

    Like a phone that refocuses, a page where OpenCV's detector finds nothing at ``dpi`` is looked at once more at
    1.5 times the resolution: the detector misses some module patterns at one scale only (seen once in ~20 runs)."""
    source = tmp_path / "scanned.pdf"
    source.write_bytes(pdf)
    decoded = ""
    for resolution in (dpi, dpi * 3 // 2):
        subprocess.run([PDFTOPPM, "-r", str(resolution), "-gray", "-f", "1", "-l", "1", "-singlefile", str(source),
                        str(tmp_path / "scanned")], check=True)
        page = np.asarray(Image.open(tmp_path / "scanned.pgm"))
        decoded, _, _ = cv2.QRCodeDetector().detectAndDecode(page)
        if decoded:
            break
    return decoded
