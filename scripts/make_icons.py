"""Draws Storefeed's app icons (a white shopping bag on the brand orange) into
src/storefeed/web/static/web/img/: the favicon, the home-screen icons of the web app manifest
and Apple's touch icon. Run it again after changing the drawing; the files are committed."""

from pathlib import Path

from PIL import Image, ImageDraw

OUT = Path(__file__).resolve().parent.parent / "src/storefeed/web/static/web/img"
ORANGE = (255, 130, 0, 255)
WHITE = (255, 255, 255, 255)


def draw(size: int, *, safe: float = 1.0, rounded: bool = True) -> Image.Image:
    """The icon at `size` px; `safe` shrinks the bag into the middle (maskable icons keep
    their content inside the central 80%)."""
    scale = 4  # drawn large, then scaled down for smooth edges
    big = size * scale
    image = Image.new("RGBA", (big, big), (0, 0, 0, 0))
    pen = ImageDraw.Draw(image)
    radius = big // 5 if rounded else 0
    pen.rounded_rectangle((0, 0, big - 1, big - 1), radius=radius, fill=ORANGE)
    unit = big * safe / 100
    middle = big / 2

    def box(x0: float, y0: float, x1: float, y1: float) -> tuple[float, float, float, float]:
        return (middle + x0 * unit, middle + y0 * unit, middle + x1 * unit, middle + y1 * unit)

    stroke = max(1, round(7 * unit))
    pen.arc(box(-14, -36, 14, -8), start=180, end=360, fill=WHITE, width=stroke)
    pen.rounded_rectangle(box(-30, -18, 30, 34), radius=round(6 * unit), fill=WHITE)
    pen.ellipse(box(-15, -8, -9, -2), fill=ORANGE)
    pen.ellipse(box(9, -8, 15, -2), fill=ORANGE)
    return image.resize((size, size), Image.Resampling.LANCZOS)


def main() -> None:
    draw(192).save(OUT / "icon-192.png", optimize=True)
    draw(512).save(OUT / "icon-512.png", optimize=True)
    draw(512, safe=0.8, rounded=False).save(OUT / "icon-maskable-512.png", optimize=True)
    draw(180, rounded=False).save(OUT / "apple-touch-icon.png", optimize=True)
    draw(48).save(OUT / "favicon.ico", sizes=[(16, 16), (32, 32), (48, 48)])
    print(f"icons written to {OUT}")


if __name__ == "__main__":
    main()
