"""A ruled box that draws a seal impression at its true size (1 mm on the image = 1 mm on paper)."""

from __future__ import annotations

from io import BytesIO

from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.platypus import Flowable

from printing.documents import Impression
from printing.errors import PrintingError
from printing.fonts import FontNames
from printing.stencil import Stencil, stencil_from_png

_TITLE_BAND = 7 * mm
_CAPTION_BAND = 8 * mm
_MARGIN = 1 * mm


def impression_size_mm(impression: Impression) -> tuple[float, float]:
    """Return the printed (width, height) in mm: PNG pixels × mm_per_px; raises PrintingError if unreadable."""
    stencil = impression_stencil(impression)
    return stencil.width_px * impression.mm_per_px, stencil.height_px * impression.mm_per_px


def impression_stencil(impression: Impression) -> Stencil:
    """The impression as a 1-bit stencil (cached per PNG, so size check and drawing decode it once); raises PrintingError."""
    if not impression.mm_per_px > 0:
        raise PrintingError("invalid_impression", "印影画像の縮尺（mm/px）が正しくありません")
    try:
        return stencil_from_png(impression.png)
    except PrintingError as exc:
        raise PrintingError("invalid_impression", "印影画像を読み込めません") from exc


def size_caption(impression: Impression) -> str:
    """Return the measured size as 「縦 15.0mm × 横 15.0mm」."""
    return f"縦 {impression.height_mm:.1f}mm × 横 {impression.width_mm:.1f}mm"


class ImpressionBox(Flowable):
    """Box titled ``title`` with the impression centred at true size and its measured size below."""

    def __init__(
        self,
        impression: Impression | None,
        fonts: FontNames,
        *,
        title: str,
        width: float = 50 * mm,
        area_height: float = 50 * mm,
    ) -> None:
        super().__init__()
        self.impression = impression
        self.fonts = fonts
        self.title = title
        self.width = width
        self.area_height = area_height
        self.height = _TITLE_BAND + area_height + _CAPTION_BAND
        self.image_size = impression_size_mm(impression) if impression else None
        self._check_fits()

    def _check_fits(self) -> None:
        """Raise PrintingError('impression_too_large') when the true-size image does not fit the box."""
        if self.image_size is None:
            return
        width_mm, height_mm = self.image_size
        if width_mm * mm > self.width - 2 * _MARGIN or height_mm * mm > self.area_height - 2 * _MARGIN:
            raise PrintingError(
                "impression_too_large",
                f"印影画像（縦 {height_mm:.1f}mm × 横 {width_mm:.1f}mm）が印影欄に収まりません",
            )

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        return self.width, self.height

    def draw(self) -> None:
        canvas = self.canv
        canvas.saveState()
        canvas.setLineWidth(0.8)
        canvas.rect(0, 0, self.width, self.height)
        canvas.setLineWidth(0.5)
        canvas.line(0, self.height - _TITLE_BAND, self.width, self.height - _TITLE_BAND)
        canvas.line(0, _CAPTION_BAND, self.width, _CAPTION_BAND)
        canvas.setFont(self.fonts.gothic, 9.5)
        canvas.drawCentredString(self.width / 2, self.height - _TITLE_BAND + 2.3 * mm, self.title)
        canvas.setFont(self.fonts.mincho, 9.5)
        if self.impression is None or self.image_size is None:
            canvas.drawCentredString(self.width / 2, _CAPTION_BAND + self.area_height / 2, "（印影未登録）")
        else:
            self._draw_image()
            canvas.drawCentredString(self.width / 2, 2.8 * mm, size_caption(self.impression))
        canvas.restoreState()

    def _draw_image(self) -> None:
        assert self.impression is not None and self.image_size is not None
        width = self.image_size[0] * mm
        height = self.image_size[1] * mm
        x = (self.width - width) / 2
        y = _CAPTION_BAND + (self.area_height - height) / 2
        image = ImageReader(BytesIO(self.impression.png))
        self.canv.drawImage(image, x, y, width=width, height=height, mask="auto")
