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
    """The text of the QR code on the first page of ``pdf`` ('' when none is found)."""
    source = tmp_path / "scanned.pdf"
    source.write_bytes(pdf)
    subprocess.run([PDFTOPPM, "-r", str(dpi), "-gray", "-f", "1", "-l", "1", "-singlefile", str(source),
                    str(tmp_path / "scanned")], check=True)
    page = np.asarray(Image.open(tmp_path / "scanned.pgm"))
    decoded, _, _ = cv2.QRCodeDetector().detectAndDecode(page)
    return decoded
