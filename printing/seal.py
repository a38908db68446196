"""A generated demo office seal (公印): a square red 「見本市長之印」-style stamp, as PNG bytes."""

from __future__ import annotations

from io import BytesIO

from PIL import Image, ImageDraw, ImageFont

from printing.errors import PrintingError
from printing.fonts import DEFAULT_MINCHO

SEAL_RED = (200, 32, 32, 255)


def demo_office_seal_png(
    text: str = "見本市長之印", *, size_px: int = 420, font_path: str = DEFAULT_MINCHO
) -> bytes:
    """Return a square red seal reading ``text`` in columns right to left (transparent background).

    Six characters give the usual 3 × 2 layout; four give 2 × 2. Raises PrintingError('font_missing')
    when the Mincho font cannot be opened, PrintingError('invalid_seal_text') for other lengths.
    """
    columns = {4: 2, 6: 2, 9: 3}.get(len(text))
    if columns is None:
        raise PrintingError("invalid_seal_text", "公印の文字数は4字・6字・9字のいずれかにしてください")
    rows = len(text) // columns
    try:
        font_size = int(size_px * 0.84 / max(rows, columns))
        font = ImageFont.truetype(font_path, font_size)
    except OSError as exc:
        raise PrintingError("font_missing", f"フォントファイルが見つかりません: {font_path}") from exc
    image = Image.new("RGBA", (size_px, size_px), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    border = max(size_px // 24, 2)
    draw.rectangle(
        (border, border, size_px - border - 1, size_px - border - 1), outline=SEAL_RED, width=border
    )
    inner = size_px - 4 * border
    for index, char in enumerate(text):
        column, row = divmod(index, rows)
        cx = 2 * border + inner * (columns - column - 0.5) / columns
        cy = 2 * border + inner * (row + 0.5) / rows
        draw.text((cx, cy), char, font=font, fill=SEAL_RED, anchor="mm")
    buffer = BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()
