"""Bad input (issue point 8): every kind of unusable file gives a clear Japanese refusal, never a crash."""

from __future__ import annotations

import io
import struct
import subprocess
import sys
import textwrap
import zlib

import cv2
import numpy as np
import pytest
from PIL import Image

from imaging import UnusableImageError, load_scan, measure_impression
from imaging.scan import MAX_BYTES
from imaging.testdata import SealSpec, Stamping, stamp


def _refused(data: bytes) -> UnusableImageError:
    with pytest.raises(UnusableImageError) as info:
        load_scan(data)
    assert info.value.message and not info.value.message.isascii()  # Japanese, for the clerk
    return info.value


def _png_header_only(width: int, height: int) -> bytes:
    """A PNG whose header claims width × height pixels, with almost no data (a decompression bomb's header)."""
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 1000)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


@pytest.fixture(scope="module")
def seal_rgb() -> np.ndarray:
    """RGB pixels of a 15 mm round seal at 300 dpi on white paper."""
    return stamp(SealSpec("山田"), Stamping(dpi=300, seed=1)).rgb


def test_zero_bytes():
    assert _refused(b"").code == "empty_file"


def test_not_an_image():
    assert _refused("印鑑登録申請書".encode() * 50).code == "not_an_image"


def test_truncated_png(seal_rgb):
    buf = io.BytesIO()
    Image.fromarray(seal_rgb).save(buf, format="PNG", dpi=(300, 300))
    assert _refused(buf.getvalue()[: len(buf.getvalue()) * 2 // 3]).code == "not_an_image"


def test_over_50_mb_refused_before_opening():
    data = b"\x89PNG\r\n\x1a\n" + b"\x00" * MAX_BYTES
    error = _refused(data)
    assert error.code == "file_too_large" and "50MB" in error.message


def test_decompression_bomb_refused_from_the_header():
    error = _refused(_png_header_only(30_000, 30_000))
    assert error.code == "image_too_large"


def test_cmyk_jpeg_is_read_and_measured(seal_rgb):
    buf = io.BytesIO()
    Image.fromarray(seal_rgb).convert("CMYK").save(buf, format="JPEG", dpi=(300, 300), quality=92)
    scan = load_scan(buf.getvalue())
    m = measure_impression(scan)
    assert scan.image.shape[2] == 3 and m.found and m.square_mm == pytest.approx(15.0, abs=0.3)


def test_16_bit_rgb_png_is_read_and_measured(seal_rgb):
    ok, encoded = cv2.imencode(".png", cv2.cvtColor(seal_rgb, cv2.COLOR_RGB2BGR).astype(np.uint16) * 257)
    assert ok
    scan = load_scan(encoded.tobytes(), dpi=300)
    assert scan.image.dtype == np.uint8
    m = measure_impression(scan)
    assert m.found and m.square_mm == pytest.approx(15.0, abs=0.3)


def test_16_bit_grey_png_is_read_without_red(seal_rgb):
    grey = cv2.cvtColor(seal_rgb, cv2.COLOR_RGB2GRAY).astype(np.uint16) * 257
    buf = io.BytesIO()
    Image.fromarray(grey).save(buf, format="PNG")
    scan = load_scan(buf.getvalue(), dpi=300)
    m = measure_impression(scan)
    assert scan.image.dtype == np.uint8 and not m.found
    assert [r.code for r in m.refusal_reasons] == ["no_impression"]


def test_animated_gif_is_refused(seal_rgb):
    frames = [Image.fromarray(seal_rgb), Image.fromarray(255 - seal_rgb)]
    buf = io.BytesIO()
    frames[0].save(buf, format="GIF", save_all=True, append_images=frames[1:], duration=100, loop=0)
    error = _refused(buf.getvalue())
    assert error.code == "unsupported_format" and "PNG" in error.message


def test_scan_without_red_is_no_impression():
    scan = stamp(SealSpec("山田"), Stamping(dpi=300, background="form", ink=1.0, seed=2))
    rgb = scan.rgb.copy()
    grey = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)  # the form without colour: print only
    scan_grey = load_scan(_encode_png(np.repeat(grey[..., None], 3, axis=2)), dpi=300)
    m = measure_impression(scan_grey)
    assert not m.found and not m.acceptable
    assert m.refusal_reasons[0].code == "no_impression" and "印影" in m.refusal_reasons[0].message


def _encode_png(rgb: np.ndarray) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(rgb).save(buf, format="PNG")
    return buf.getvalue()


def test_two_impressions_are_refused():
    one = stamp(SealSpec("山田", size_mm=12), Stamping(dpi=300, seed=3)).rgb
    other = stamp(SealSpec("川田", size_mm=12), Stamping(dpi=300, rotation_deg=40, seed=4)).rgb
    m = measure_impression(load_scan(_encode_png(np.hstack([one, other])), dpi=300))
    assert m.found and not m.acceptable
    assert "multiple_impressions" in [r.code for r in m.refusal_reasons]


_MEMORY_SCRIPT = textwrap.dedent(
    """
    import re, sys
    from imaging import load_scan, measure_impression
    data = open(sys.argv[1], "rb").read()
    m = measure_impression(load_scan(data))
    status = open("/proc/self/status").read()  # VmHWM: this process's own peak (ru_maxrss inherits pytest's)
    print(m.found, round(m.square_mm, 1), int(re.search(r"VmHWM:\\s+(\\d+)", status).group(1)) // 1024)
    """
)


@pytest.mark.slow
def test_memory_stays_under_500_mb_for_an_a4_page_at_600_dpi(tmp_path):
    page = stamp(SealSpec("山田"), Stamping(dpi=600, background="a4", seed=5))
    path = tmp_path / "a4.png"
    Image.fromarray(page.rgb).save(path, format="PNG", dpi=(600, 600), compress_level=1)
    del page
    out = subprocess.run(
        [sys.executable, "-c", _MEMORY_SCRIPT, str(path)], capture_output=True, text=True, check=True, timeout=120
    ).stdout.split()
    assert out[:2] == ["True", "15.0"]
    assert int(out[2]) < 500, f"peak {out[2]} MB"
