"""Draw the installable app's PNG icons (web/static/img/icon-*.png) from the logo's shapes.

The manifest needs PNG icons (192 and 512 px; a maskable one with the logo inside the safe zone)
for Chromium to offer installation. Pillow draws them here, once; the files are committed.
Run: .venv/bin/python tools/icons/make_icons.py
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw

OUT = Path(__file__).resolve().parents[2] / "web" / "static" / "img"
BLUE, RED, WHITE = (29, 79, 145), (192, 57, 43), (255, 255, 255)


def _heart(draw: ImageDraw.ImageDraw, cx: float, cy: float, r: float) -> None:
    """The logo's heart (two lobes and a point) with the child's head and shoulders in white."""
    lobe = r * 0.3
    draw.ellipse((cx - 2 * lobe, cy - 1.25 * lobe, cx, cy + 0.75 * lobe), fill=RED)
    draw.ellipse((cx, cy - 1.25 * lobe, cx + 2 * lobe, cy + 0.75 * lobe), fill=RED)
    draw.polygon([(cx - 1.93 * lobe, cy), (cx + 1.93 * lobe, cy), (cx, cy + 2.1 * lobe)], fill=RED)
    head = lobe * 0.42
    draw.ellipse((cx - head, cy - head * 0.6, cx + head, cy + head * 1.4), fill=WHITE)
    draw.pieslice((cx - lobe * 0.62, cy + lobe * 0.62, cx + lobe * 0.62, cy + lobe * 1.86), 180, 360, fill=WHITE)


def icon(size: int, *, maskable: bool) -> Image.Image:
    scale = 4  # draw large, shrink: smooth edges without anti-aliasing support in ImageDraw
    s = size * scale
    image = Image.new("RGB", (s, s), BLUE)
    draw = ImageDraw.Draw(image)
    # maskable: the logo within the central 80 % safe zone; any: a white disc filling the square
    r = s * (0.34 if maskable else 0.47)
    c = s / 2
    draw.ellipse((c - r, c - r, c + r, c + r), fill=WHITE)
    ring = r * 0.9
    draw.ellipse((c - ring, c - ring, c + ring, c + ring), outline=RED, width=max(2, int(r * 0.08)))
    _heart(draw, c, c - r * 0.05, r)
    return image.resize((size, size), Image.LANCZOS)


def main() -> None:
    for size in (192, 512):
        icon(size, maskable=False).save(OUT / f"icon-{size}.png", optimize=True)
    icon(512, maskable=True).save(OUT / "icon-maskable-512.png", optimize=True)
    icon(180, maskable=False).save(OUT / "apple-touch-icon.png", optimize=True)


if __name__ == "__main__":
    main()
