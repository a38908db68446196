"""load_scan: formats, dpi resolution and refusals."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from imaging import UnusableImageError, load_scan, measure_impression


def _png(size: tuple[int, int], **save: object) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", size, (255, 255, 255)).save(buf, format="PNG", **save)
    return buf.getvalue()


def test_dpi_comes_from_png_metadata(seal_bytes):
    scan = load_scan(seal_bytes(dpi=200))
    assert scan.dpi == pytest.approx(200.0, abs=0.01)
    assert scan.dpi_source == "file"
    assert scan.image.dtype == np.uint8 and scan.image.ndim == 3 and scan.image.shape[2] == 3


def test_given_dpi_overrides_file_and_changes_measured_size(seal_bytes):
    data = seal_bytes(dpi=300)
    scan = load_scan(data, dpi=600)
    assert (scan.dpi, scan.dpi_source) == (600.0, "given")
    assert measure_impression(scan).square_mm == pytest.approx(7.5, abs=0.2)


def test_default_dpi_when_file_has_none():
    scan = load_scan(_png((50, 40)), default_dpi=400)
    assert (scan.dpi, scan.dpi_source) == (400.0, "default")
    assert scan.image.shape == (40, 50, 3)


def test_jpeg_input_is_decoded_as_bgr_with_dpi(seal_bytes):
    scan = load_scan(seal_bytes(fmt="JPEG", dpi=300))
    assert scan.dpi == pytest.approx(300.0) and scan.dpi_source == "file"
    b, g, r = (int(v) for v in scan.image[scan.image.shape[0] // 2, scan.image.shape[1] // 2 - 80])
    assert r > b and r > g  # on the red outline, channels are in BGR order


def test_multi_page_tiff_uses_first_page(seal_bytes):
    first = Image.open(io.BytesIO(seal_bytes(fmt="TIFF", dpi=300)))
    blank = Image.new("RGB", first.size, (255, 255, 255))
    buf = io.BytesIO()
    first.save(buf, format="TIFF", save_all=True, append_images=[blank], dpi=(300, 300))
    scan = load_scan(buf.getvalue())
    assert scan.dpi == pytest.approx(300.0)
    m = measure_impression(scan)
    assert m.found and m.square_mm == pytest.approx(15.0, abs=0.3)


def test_rgba_is_composited_on_white():
    buf = io.BytesIO()
    Image.new("RGBA", (10, 10), (0, 0, 0, 0)).save(buf, format="PNG")
    assert load_scan(buf.getvalue()).image.min() == 255


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"", "empty_file"),
        (b"this is not an image at all \x00\x01\x02" * 10, "not_an_image"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 100, "not_an_image"),
        ("truncated", "not_an_image"),
    ],
)
def test_unusable_bytes(data, code, seal_bytes):
    if data == "truncated":
        whole = seal_bytes()
        data = whole[: len(whole) // 2]
    with pytest.raises(UnusableImageError) as info:
        load_scan(data)
    assert info.value.code == code
    assert info.value.message  # Japanese message for the clerk


def test_unsupported_format():
    buf = io.BytesIO()
    Image.new("RGB", (10, 10)).save(buf, format="GIF")
    with pytest.raises(UnusableImageError) as info:
        load_scan(buf.getvalue())
    assert info.value.code == "unsupported_format"
    assert "PNG" in info.value.message


def test_too_many_pixels_refused_before_decoding():
    buf = io.BytesIO()
    Image.new("1", (8000, 8000), 1).save(buf, format="PNG")
    with pytest.raises(UnusableImageError) as info:
        load_scan(buf.getvalue())
    assert info.value.code == "image_too_large"


@pytest.mark.parametrize("dpi", [50, 3000])
def test_bad_given_dpi(dpi):
    with pytest.raises(UnusableImageError) as info:
        load_scan(_png((10, 10)), dpi=dpi)
    assert info.value.code == "bad_dpi"


def test_bad_file_dpi():
    with pytest.raises(UnusableImageError) as info:
        load_scan(_png((10, 10), dpi=(10, 10)))
    assert info.value.code == "bad_dpi"
