"""Pictures for the demo, drawn with Pillow: product shots, scenes, avatars and headers.

Nothing is downloaded. Each picture is a soft gradient, a few shapes that read as the subject
(a lipstick, a phone, a bowl of noodles, a beach) and a caption bar. The drawing is seeded, so
the same call always draws the same picture.
"""

import io
import random
from collections.abc import Callable
from functools import cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

RGB = tuple[int, int, int]
Font = ImageFont.FreeTypeFont | ImageFont.ImageFont

# Looked up in order; the first that exists draws both Latin and Chinese text.
CJK_FONTS = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/arphic/uming.ttc",
)


@cache
def font_path() -> str | None:
    for candidate in CJK_FONTS:
        if Path(candidate).exists():
            return candidate
    return None


@cache
def font(size: int) -> Font:
    path = font_path()
    if path:
        # Index 2 of the Noto CJK collection is Simplified Chinese; other files have one face.
        try:
            return ImageFont.truetype(path, size, index=2 if "NotoSansCJK" in path else 0)
        except OSError:
            pass
    return ImageFont.load_default(size)


def _has_cjk_font() -> bool:
    return font_path() is not None


def _printable(text: str) -> str:
    """Without a CJK font Pillow draws boxes for Chinese: keep only what it can draw."""
    if _has_cjk_font():
        return text
    return "".join(ch for ch in text if ord(ch) < 0x2E80).strip(" /·|")


# Palettes: (top of the gradient, bottom of the gradient, accent, ink)
PALETTES: dict[str, tuple[RGB, RGB, RGB, RGB]] = {
    "rose": ((255, 228, 230), (250, 180, 196), (196, 30, 58), (90, 20, 35)),
    "peach": ((255, 239, 213), (255, 190, 150), (230, 100, 60), (100, 45, 20)),
    "mint": ((224, 248, 236), (150, 222, 200), (20, 130, 110), (20, 70, 60)),
    "sky": ((225, 240, 255), (140, 190, 240), (30, 90, 180), (20, 40, 90)),
    "night": ((40, 44, 70), (15, 18, 35), (120, 200, 255), (235, 240, 255)),
    "sand": ((250, 240, 220), (225, 200, 160), (180, 120, 60), (80, 55, 30)),
    "lilac": ((240, 230, 255), (200, 180, 240), (120, 70, 190), (55, 30, 90)),
    "lemon": ((255, 250, 215), (250, 225, 120), (220, 150, 20), (90, 65, 10)),
    "slate": ((236, 239, 244), (190, 198, 210), (60, 70, 90), (30, 35, 45)),
}


def _gradient(size: tuple[int, int], top: RGB, bottom: RGB) -> Image.Image:
    mask = Image.linear_gradient("L").resize(size)
    return Image.composite(Image.new("RGB", size, bottom), Image.new("RGB", size, top), mask)


def _shade(color: RGB, amount: float) -> RGB:
    """Lighter for amount > 0, darker for amount < 0."""
    if amount >= 0:
        return (
            int(color[0] + (255 - color[0]) * amount),
            int(color[1] + (255 - color[1]) * amount),
            int(color[2] + (255 - color[2]) * amount),
        )
    return (
        int(color[0] * (1 + amount)),
        int(color[1] * (1 + amount)),
        int(color[2] * (1 + amount)),
    )


# Each scene draws its subject into the box (x0, y0, x1, y1) above the caption.
Scene = Callable[[ImageDraw.ImageDraw, tuple[int, int, int, int], RGB, random.Random], None]


def _lipstick(
    d: ImageDraw.ImageDraw, box: tuple[int, int, int, int], c: RGB, r: random.Random
) -> None:
    x0, y0, x1, y1 = box
    cx, w = (x0 + x1) // 2, (x1 - x0)
    for i, offset in enumerate((-w // 4, 0, w // 4)):
        bx = cx + offset
        body = (bx - w // 14, y0 + (y1 - y0) * 45 // 100, bx + w // 14, y1 - 20)
        d.rounded_rectangle(body, radius=10, fill=(40, 40, 48))
        d.rectangle((body[0], body[1] - 30, body[2], body[1]), fill=(212, 175, 55))
        tip = _shade(c, -0.15 * i)
        top = body[1] - 30 - (y1 - y0) * 22 // 100
        d.polygon(
            [
                (body[0] + 8, body[1] - 30),
                (body[2] - 8, body[1] - 30),
                (body[2] - 8, top + 25),
                (body[0] + 8, top),
            ],
            fill=tip,
        )


def _palette(
    d: ImageDraw.ImageDraw, box: tuple[int, int, int, int], c: RGB, r: random.Random
) -> None:
    x0, y0, x1, y1 = box
    d.rounded_rectangle((x0 + 40, y0 + 40, x1 - 40, y1 - 20), radius=30, fill=(30, 30, 34))
    cols, rows = 3, 2
    cw = (x1 - x0 - 120) // cols
    ch = (y1 - y0 - 100) // rows
    for row in range(rows):
        for col in range(cols):
            shade = _shade(c, r.uniform(-0.5, 0.6))
            cx = x0 + 60 + col * cw + cw // 2
            cy = y0 + 60 + row * ch + ch // 2
            rad = min(cw, ch) // 2 - 14
            d.ellipse((cx - rad, cy - rad, cx + rad, cy + rad), fill=shade)


def _bottle(
    d: ImageDraw.ImageDraw, box: tuple[int, int, int, int], c: RGB, r: random.Random
) -> None:
    x0, y0, x1, y1 = box
    cx, w, h = (x0 + x1) // 2, x1 - x0, y1 - y0
    d.rounded_rectangle(
        (cx - w // 6, y0 + h * 35 // 100, cx + w // 6, y1 - 20),
        radius=40,
        fill=_shade(c, 0.55),
        outline=_shade(c, -0.2),
        width=6,
    )
    d.rectangle(
        (cx - w // 16, y0 + h * 18 // 100, cx + w // 16, y0 + h * 35 // 100), fill=_shade(c, -0.3)
    )
    d.ellipse(
        (cx - w // 12, y0 + h * 8 // 100, cx + w // 12, y0 + h * 22 // 100), fill=(250, 250, 250)
    )
    d.rectangle(
        (cx - w // 8, y0 + h * 55 // 100, cx + w // 8, y0 + h * 72 // 100), fill=(255, 255, 255)
    )


def _phone(
    d: ImageDraw.ImageDraw, box: tuple[int, int, int, int], c: RGB, r: random.Random
) -> None:
    x0, y0, x1, y1 = box
    cx, h = (x0 + x1) // 2, y1 - y0
    pw = h * 48 // 100
    d.rounded_rectangle(
        (cx - pw // 2, y0 + 10, cx + pw // 2, y1 - 10), radius=48, fill=(25, 25, 30)
    )
    screen = (cx - pw // 2 + 16, y0 + 26, cx + pw // 2 - 16, y1 - 26)
    d.rounded_rectangle(screen, radius=36, fill=_shade(c, 0.2))
    for i in range(4):
        for j in range(3):
            sx = screen[0] + 24 + j * (screen[2] - screen[0] - 48) // 3
            sy = screen[1] + 70 + i * 90
            d.rounded_rectangle(
                (sx, sy, sx + 56, sy + 56), radius=14, fill=_shade(c, r.uniform(-0.5, 0.5))
            )
    d.rounded_rectangle((cx - 50, y0 + 36, cx + 50, y0 + 60), radius=12, fill=(10, 10, 12))


def _laptop(
    d: ImageDraw.ImageDraw, box: tuple[int, int, int, int], c: RGB, r: random.Random
) -> None:
    x0, y0, x1, y1 = box
    w, h = x1 - x0, y1 - y0
    scr = (x0 + w // 8, y0 + h // 6, x1 - w // 8, y0 + h * 70 // 100)
    d.rounded_rectangle(scr, radius=18, fill=(40, 42, 48))
    d.rectangle((scr[0] + 16, scr[1] + 16, scr[2] - 16, scr[3] - 16), fill=_shade(c, 0.1))
    inner = scr[2] - scr[0] - 100  # lines of "text" on the screen, of varied length
    for i in range(5):
        ly = scr[1] + (i + 1) * (scr[3] - scr[1]) // 7
        d.rectangle(
            (scr[0] + 50, ly, scr[0] + 50 + r.randint(inner // 3, inner), ly + 14),
            fill=_shade(c, 0.7),
        )
    d.polygon(
        [
            (x0 + w // 16, y0 + h * 76 // 100),
            (x1 - w // 16, y0 + h * 76 // 100),
            (scr[2], scr[3]),
            (scr[0], scr[3]),
        ],
        fill=(190, 192, 198),
    )


def _headphones(
    d: ImageDraw.ImageDraw, box: tuple[int, int, int, int], c: RGB, r: random.Random
) -> None:
    x0, y0, x1, y1 = box
    cx, w, h = (x0 + x1) // 2, x1 - x0, y1 - y0
    d.arc(
        (cx - w // 3, y0 + 20, cx + w // 3, y0 + h * 85 // 100),
        start=180,
        end=360,
        fill=(35, 35, 40),
        width=30,
    )
    for side in (-1, 1):
        ex = cx + side * w // 3
        d.rounded_rectangle(
            (ex - 55, y0 + h // 2 - 20, ex + 55, y0 + h * 85 // 100), radius=40, fill=c
        )


def _noodles(
    d: ImageDraw.ImageDraw, box: tuple[int, int, int, int], c: RGB, r: random.Random
) -> None:
    x0, y0, x1, y1 = box
    cx, w, h = (x0 + x1) // 2, x1 - x0, y1 - y0
    rim = y0 + h * 40 // 100  # the rim line of the bowl, seen from slightly above
    bx0, bx1 = cx - w * 45 // 100, cx + w * 45 // 100
    depth = h * 55 // 100
    d.pieslice(
        (bx0, rim - depth, bx1, rim + depth),
        start=0,
        end=180,
        fill=(250, 250, 245),
        outline=c,
        width=8,
    )
    d.line((bx0 + 60, rim + depth * 55 // 100, bx1 - 60, rim + depth * 55 // 100), fill=c, width=10)
    e = h * 12 // 100
    d.ellipse((bx0, rim - e, bx1, rim + e), fill=(250, 250, 245))
    d.ellipse((bx0 + 16, rim - e + 10, bx1 - 16, rim + e - 10), fill=(200, 70, 40))  # chilli broth
    for _ in range(30):
        sx = r.randint(bx0 + 50, bx1 - 190)
        sy = r.randint(rim - e + 14, rim + e - 50)
        d.arc(
            (sx, sy, sx + 140, sy + 36),
            start=r.randint(0, 90),
            end=r.randint(180, 330),
            fill=(250, 225, 150),
            width=6,
        )
    for _ in range(12):  # spring onion
        sx = r.randint(bx0 + 70, bx1 - 70)
        sy = r.randint(rim - e + 16, rim + e - 30)
        d.ellipse((sx, sy, sx + 16, sy + 16), fill=(70, 160, 60))
    d.line((cx + w // 4, y0, cx + w // 30, rim + 10), fill=(120, 80, 40), width=10)
    d.line((cx + w * 3 // 10, y0 + 10, cx + w // 12, rim + 16), fill=(120, 80, 40), width=10)


def _dumplings(
    d: ImageDraw.ImageDraw, box: tuple[int, int, int, int], c: RGB, r: random.Random
) -> None:
    x0, y0, x1, y1 = box
    w, h = x1 - x0, y1 - y0
    d.ellipse((x0 + w // 10, y0 + h // 6, x1 - w // 10, y1), fill=(200, 160, 100))  # steamer
    d.ellipse(
        (x0 + w // 10 + 20, y0 + h // 6 + 20, x1 - w // 10 - 20, y1 - 20), fill=(225, 190, 130)
    )
    for row in range(2):
        for col in range(3):
            cx = x0 + w // 4 + col * w // 4
            cy = y0 + h * 40 // 100 + row * h // 4
            d.chord((cx - 70, cy - 60, cx + 70, cy + 60), start=180, end=360, fill=(252, 248, 238))
            d.rectangle((cx - 70, cy, cx + 70, cy + 18), fill=(252, 248, 238))
            for k in range(4):
                d.line(
                    (cx - 40 + k * 26, cy - 50, cx - 30 + k * 22, cy - 20),
                    fill=(220, 210, 190),
                    width=4,
                )


def _coffee(
    d: ImageDraw.ImageDraw, box: tuple[int, int, int, int], c: RGB, r: random.Random
) -> None:
    x0, y0, x1, y1 = box
    cx, w, h = (x0 + x1) // 2, x1 - x0, y1 - y0
    d.ellipse((cx - w * 4 // 10, y1 - h // 5, cx + w * 4 // 10, y1), fill=(245, 245, 245))
    d.rounded_rectangle((cx - w // 5, y0 + h // 4, cx + w // 5, y1 - h // 10), radius=30, fill=c)
    d.arc(
        (cx + w // 5 - 40, y0 + h * 35 // 100, cx + w // 5 + 80, y0 + h * 65 // 100),
        start=270,
        end=90,
        fill=c,
        width=22,
    )
    d.ellipse(
        (cx - w // 5 + 8, y0 + h // 4 - 20, cx + w // 5 - 8, y0 + h // 4 + 30), fill=(110, 70, 40)
    )
    d.ellipse((cx - 40, y0 + h // 4 - 8, cx + 40, y0 + h // 4 + 18), fill=(240, 225, 200))
    for k in (-1, 0, 1):
        d.arc(
            (cx + k * 50 - 20, y0 - 10, cx + k * 50 + 20, y0 + h // 5),
            start=100,
            end=260,
            fill=(255, 255, 255),
            width=5,
        )


def _cake(d: ImageDraw.ImageDraw, box: tuple[int, int, int, int], c: RGB, r: random.Random) -> None:
    x0, y0, x1, y1 = box
    cx, w, h = (x0 + x1) // 2, x1 - x0, y1 - y0
    d.rectangle((cx - w // 3, y0 + h * 45 // 100, cx + w // 3, y1 - 30), fill=_shade(c, 0.5))
    d.rectangle(
        (cx - w // 3, y0 + h * 60 // 100, cx + w // 3, y0 + h * 66 // 100), fill=(255, 255, 255)
    )
    d.ellipse(
        (cx - w // 3, y0 + h * 38 // 100, cx + w // 3, y0 + h * 52 // 100), fill=(255, 250, 245)
    )
    for k in range(5):
        bx = cx - w // 4 + k * w // 8
        d.ellipse((bx - 22, y0 + h * 36 // 100, bx + 22, y0 + h * 44 // 100), fill=(210, 30, 50))


def _tea(d: ImageDraw.ImageDraw, box: tuple[int, int, int, int], c: RGB, r: random.Random) -> None:
    x0, y0, x1, y1 = box
    cx, w, h = (x0 + x1) // 2, x1 - x0, y1 - y0
    d.ellipse(
        (cx - w // 4, y0 + h // 4, cx + w // 4, y1 - 30), fill=(240, 240, 235), outline=c, width=6
    )
    d.rectangle((cx - w // 6, y0 + h // 5, cx + w // 6, y0 + h // 3), fill=(240, 240, 235))
    d.ellipse((cx - w // 6, y0 + h // 6, cx + w // 6, y0 + h // 4), fill=c)
    d.line(
        (cx + w // 4 - 10, y0 + h // 2, cx + w * 42 // 100, y0 + h // 3),
        fill=(240, 240, 235),
        width=26,
    )
    for k in range(6):
        lx = x0 + 40 + k * (w - 80) // 6
        d.ellipse((lx, y1 - 60, lx + 60, y1 - 30), fill=(80, 140, 60))


def _beach(
    d: ImageDraw.ImageDraw, box: tuple[int, int, int, int], c: RGB, r: random.Random
) -> None:
    x0, y0, x1, y1 = box
    w, h = x1 - x0, y1 - y0
    d.ellipse((x1 - w // 4, y0 + 30, x1 - w // 10, y0 + 30 + w // 7), fill=(255, 210, 80))
    d.rectangle((x0, y0 + h * 55 // 100, x1, y0 + h * 75 // 100), fill=(40, 140, 200))
    for k in range(6):
        wy = y0 + h * 58 // 100 + k * 18
        d.arc(
            (x0 + r.randint(0, w // 2), wy, x0 + r.randint(w // 2, w), wy + 20),
            200,
            340,
            fill=(220, 240, 255),
            width=3,
        )
    d.rectangle((x0, y0 + h * 75 // 100, x1, y1), fill=(240, 215, 160))
    tx = x0 + w // 5
    d.line((tx, y1 - 20, tx + 40, y0 + h // 4), fill=(110, 70, 40), width=18)
    for angle in range(0, 360, 60):
        d.pieslice(
            (tx - 60, y0 + h // 4 - 60, tx + 140, y0 + h // 4 + 60),
            angle,
            angle + 35,
            fill=(40, 150, 70),
        )
    d.pieslice((x1 - w // 3, y1 - h // 6, x1 - w // 6, y1 + h // 10), 180, 360, fill=c)


def _mountain(
    d: ImageDraw.ImageDraw, box: tuple[int, int, int, int], c: RGB, r: random.Random
) -> None:
    x0, y0, x1, y1 = box
    w, h = x1 - x0, y1 - y0
    d.ellipse(
        (x0 + w // 10, y0 + 30, x0 + w // 10 + w // 8, y0 + 30 + w // 8), fill=(255, 245, 210)
    )
    d.polygon(
        [(x0 - 40, y1), (x0 + w * 35 // 100, y0 + h // 5), (x0 + w * 75 // 100, y1)],
        fill=_shade(c, -0.3),
    )
    d.polygon(
        [
            (x0 + w * 35 // 100, y0 + h // 5),
            (x0 + w * 27 // 100, y0 + h * 36 // 100),
            (x0 + w * 43 // 100, y0 + h * 36 // 100),
        ],
        fill=(255, 255, 255),
    )
    d.polygon(
        [(x0 + w * 40 // 100, y1), (x0 + w * 72 // 100, y0 + h * 35 // 100), (x1 + 60, y1)],
        fill=_shade(c, -0.5),
    )
    d.rectangle((x0, y1 - h // 8, x1, y1), fill=(60, 120, 70))


def _skyline(
    d: ImageDraw.ImageDraw, box: tuple[int, int, int, int], c: RGB, r: random.Random
) -> None:
    x0, y0, x1, y1 = box
    w, h = x1 - x0, y1 - y0
    x = x0
    while x < x1:
        bw = r.randint(50, 110)
        top = y0 + r.randint(h // 8, h * 6 // 10)
        d.rectangle((x, top, x + bw, y1), fill=_shade(c, -0.6 + r.uniform(-0.1, 0.1)))
        for wy in range(top + 14, y1 - 10, 26):
            for wx in range(x + 10, x + bw - 14, 20):
                if r.random() < 0.45:
                    d.rectangle((wx, wy, wx + 8, wy + 12), fill=(255, 220, 120))
        x += bw + r.randint(4, 16)
    tower = x0 + w * 6 // 10
    d.polygon([(tower - 30, y1), (tower, y0), (tower + 30, y1)], fill=_shade(c, -0.7))
    d.ellipse((tower - 34, y0 + h // 3, tower + 34, y0 + h // 3 + 68), fill=(230, 80, 140))


def _sneaker(
    d: ImageDraw.ImageDraw, box: tuple[int, int, int, int], c: RGB, r: random.Random
) -> None:
    x0, y0, x1, y1 = box
    w, h = x1 - x0, y1 - y0

    def pt(fx: float, fy: float) -> tuple[int, int]:
        return (x0 + int(w * fx), y0 + int(h * fy))

    upper = [
        pt(0.08, 0.72),
        pt(0.1, 0.35),
        pt(0.22, 0.3),
        pt(0.3, 0.42),
        pt(0.48, 0.46),
        pt(0.7, 0.52),
        pt(0.88, 0.58),
        pt(0.94, 0.72),
    ]
    d.polygon(upper, fill=c)
    d.polygon([pt(0.1, 0.35), pt(0.22, 0.3), pt(0.25, 0.36), pt(0.12, 0.4)], fill=_shade(c, -0.35))
    d.rounded_rectangle(
        (*pt(0.05, 0.7), *pt(0.97, 0.8)),
        radius=20,
        fill=(250, 250, 250),
        outline=(200, 200, 200),
        width=4,
    )
    for k in range(5):  # laces
        a, b = pt(0.3 + k * 0.05, 0.43 + k * 0.012), pt(0.34 + k * 0.05, 0.5 + k * 0.012)
        d.line((a, b), fill=(255, 255, 255), width=7)
    d.arc((*pt(0.35, 0.5), *pt(0.75, 0.8)), 200, 330, fill=(255, 255, 255), width=10)


def _dress(
    d: ImageDraw.ImageDraw, box: tuple[int, int, int, int], c: RGB, r: random.Random
) -> None:
    x0, y0, x1, y1 = box
    cx, w, h = (x0 + x1) // 2, x1 - x0, y1 - y0
    d.line((cx - 60, y0 + 10, cx + 60, y0 + 10), fill=(120, 120, 120), width=6)  # hanger
    d.arc((cx - 20, y0 - 30, cx + 20, y0 + 10), 180, 90, fill=(120, 120, 120), width=5)
    d.polygon(
        [
            (cx - w // 9, y0 + 20),
            (cx + w // 9, y0 + 20),
            (cx + w // 12, y0 + h * 40 // 100),
            (cx + w // 3, y1 - 10),
            (cx - w // 3, y1 - 10),
            (cx - w // 12, y0 + h * 40 // 100),
        ],
        fill=c,
    )
    d.rectangle(
        (cx - w // 11, y0 + h * 38 // 100, cx + w // 11, y0 + h * 43 // 100), fill=_shade(c, -0.35)
    )
    for _ in range(20):
        px, py = r.randint(cx - w // 4, cx + w // 4), r.randint(y0 + h // 2, y1 - 30)
        d.ellipse((px, py, px + 14, py + 14), fill=_shade(c, 0.6))


def _handbag(
    d: ImageDraw.ImageDraw, box: tuple[int, int, int, int], c: RGB, r: random.Random
) -> None:
    x0, y0, x1, y1 = box
    cx, w, h = (x0 + x1) // 2, x1 - x0, y1 - y0
    d.arc(
        (cx - w // 6, y0 + 10, cx + w // 6, y0 + h // 2), 180, 360, fill=_shade(c, -0.4), width=22
    )
    d.rounded_rectangle((cx - w // 3, y0 + h // 4, cx + w // 3, y1 - 20), radius=36, fill=c)
    d.rectangle(
        (cx - w // 3, y0 + h // 4 + 60, cx + w // 3, y0 + h // 4 + 74), fill=_shade(c, -0.3)
    )
    d.rounded_rectangle(
        (cx - 30, y0 + h // 4 + 50, cx + 30, y0 + h // 4 + 96), radius=8, fill=(212, 175, 55)
    )


def _dumbbell(
    d: ImageDraw.ImageDraw, box: tuple[int, int, int, int], c: RGB, r: random.Random
) -> None:
    x0, y0, x1, y1 = box
    cx, cy, w, h = (x0 + x1) // 2, (y0 + y1) // 2, x1 - x0, y1 - y0
    d.rounded_rectangle((x0 + 20, y1 - h // 6, x1 - 20, y1 - h // 6 + 30), radius=15, fill=c)  # mat
    d.rectangle((cx - w // 3, cy - 12, cx + w // 3, cy + 12), fill=(170, 170, 175))
    for side in (-1, 1):
        for k, size in enumerate((h // 3, h // 4)):
            px = cx + side * (w // 4 + k * 44)
            d.rounded_rectangle(
                (px - 20, cy - size // 2, px + 20, cy + size // 2), radius=8, fill=(40, 40, 45)
            )


def _camera(
    d: ImageDraw.ImageDraw, box: tuple[int, int, int, int], c: RGB, r: random.Random
) -> None:
    x0, y0, x1, y1 = box
    cx, cy, w, h = (x0 + x1) // 2, (y0 + y1) // 2 + 20, x1 - x0, y1 - y0
    d.rounded_rectangle(
        (cx - w // 3, cy - h // 4, cx + w // 3, cy + h // 4), radius=30, fill=(35, 35, 40)
    )
    d.rectangle((cx - w // 3, cy - h // 4 + 20, cx + w // 3, cy - h // 4 + 60), fill=c)
    d.rounded_rectangle(
        (cx - w // 8, cy - h // 4 - 40, cx + w // 10, cy - h // 4 + 4), radius=10, fill=(35, 35, 40)
    )
    for rad, col in ((h // 5, (90, 90, 100)), (h // 7, (20, 20, 25)), (h // 14, _shade(c, 0.3))):
        d.ellipse((cx - rad, cy - rad + 10, cx + rad, cy + rad + 10), fill=col)


def _toy(d: ImageDraw.ImageDraw, box: tuple[int, int, int, int], c: RGB, r: random.Random) -> None:
    x0, y0, x1, y1 = box
    w, h = x1 - x0, y1 - y0
    for k in range(3):  # stacking blocks
        bx = x0 + w // 8 + k * w // 4
        size = w // 5
        d.rectangle((bx, y1 - size - 20, bx + size, y1 - 20), fill=_shade(c, -0.2 + 0.25 * k))
        d.text((bx + size // 3, y1 - size), "ABC"[k], fill=(255, 255, 255), font=font(size // 2))
    bx = x0 + w * 3 // 8
    d.rectangle((bx, y1 - 2 * (w // 5) - 20, bx + w // 5, y1 - w // 5 - 20), fill=(250, 200, 60))
    d.ellipse((x1 - w // 4, y0 + h // 5, x1 - w // 20, y0 + h // 5 + w // 5), fill=(230, 90, 90))


def _salad(
    d: ImageDraw.ImageDraw, box: tuple[int, int, int, int], c: RGB, r: random.Random
) -> None:
    x0, y0, x1, y1 = box
    cx, cy, w, h = (x0 + x1) // 2, (y0 + y1) // 2, x1 - x0, y1 - y0
    rad = min(w, h) * 45 // 100
    d.ellipse((cx - rad, cy - rad, cx + rad, cy + rad), fill=(250, 250, 250))
    d.ellipse((cx - rad + 30, cy - rad + 30, cx + rad - 30, cy + rad - 30), fill=(120, 180, 80))
    colors = [(230, 60, 60), (250, 200, 60), (90, 150, 50), (250, 250, 235), (160, 90, 170)]
    for _ in range(40):
        px = cx + r.randint(-rad + 60, rad - 60)
        py = cy + r.randint(-rad + 60, rad - 60)
        s = r.randint(20, 40)
        d.ellipse((px, py, px + s, py + s), fill=r.choice(colors))


SCENES: dict[str, tuple[Scene, str]] = {
    # name: (drawing, palette)
    "lipstick": (_lipstick, "rose"),
    "eyeshadow": (_palette, "lilac"),
    "serum": (_bottle, "peach"),
    "phone": (_phone, "sky"),
    "laptop": (_laptop, "slate"),
    "headphones": (_headphones, "night"),
    "camera": (_camera, "sand"),
    "noodles": (_noodles, "peach"),
    "dumplings": (_dumplings, "sand"),
    "coffee": (_coffee, "sand"),
    "cake": (_cake, "rose"),
    "tea": (_tea, "mint"),
    "salad": (_salad, "mint"),
    "beach": (_beach, "sky"),
    "mountain": (_mountain, "lilac"),
    "skyline": (_skyline, "night"),
    "sneakers": (_sneaker, "lemon"),
    "dress": (_dress, "rose"),
    "handbag": (_handbag, "peach"),
    "dumbbell": (_dumbbell, "lemon"),
    "toy": (_toy, "sky"),
}


def draw_picture(
    scene: str,
    caption: str,
    *,
    seed: int = 0,
    size: tuple[int, int] = (960, 960),
    palette: str | None = None,
    colour: RGB | None = None,
) -> Image.Image:
    """One picture of `scene` with `caption` in a bar along the bottom. `colour` is the
    subject's main colour (a lipstick's shade); otherwise the palette's, slightly varied."""
    draw_scene, default_palette = SCENES[scene]
    top, bottom, accent, ink = PALETTES[palette or default_palette]
    rng = random.Random(f"{scene}/{caption}/{seed}")
    # A little variety between pictures of the same scene.
    accent = colour or _shade(accent, rng.uniform(-0.2, 0.25))
    w, h = size
    image = _gradient(size, top, bottom)
    d = ImageDraw.Draw(image)
    bar = h * 13 // 100
    margin = w // 10
    draw_scene(d, (margin, margin, w - margin, h - bar - margin // 2), accent, rng)
    d.rectangle((0, h - bar, w, h), fill=(255, 255, 255))
    d.rectangle((0, h - bar, w // 60, h), fill=accent)
    text = _printable(caption)
    f = font(bar * 40 // 100)
    d.text(
        (w // 60 + 28, h - bar // 2),
        text,
        fill=ink if sum(ink) < 400 else (30, 30, 30),
        font=f,
        anchor="lm",
    )
    return image


def draw_avatar(initials: str, *, palette: str, size: int = 400) -> Image.Image:
    accent = PALETTES[palette][2]
    image = _gradient((size, size), _shade(accent, 0.15), _shade(accent, -0.25))
    d = ImageDraw.Draw(image)
    text = _printable(initials) or "?"
    d.text(
        (size // 2, size // 2), text, fill=(255, 255, 255), font=font(size * 42 // 100), anchor="mm"
    )
    return image


def draw_header(palette: str, *, seed: int = 0, size: tuple[int, int] = (1500, 500)) -> Image.Image:
    top, bottom, accent, _ink = PALETTES[palette]
    rng = random.Random(f"header/{palette}/{seed}")
    image = _gradient(size, top, bottom)
    d = ImageDraw.Draw(image)
    w, h = size
    for _ in range(14):
        rad = rng.randint(h // 8, h // 2)
        x, y = rng.randint(-rad, w), rng.randint(-rad, h)
        d.ellipse(
            (x, y, x + 2 * rad, y + 2 * rad),
            outline=_shade(accent, rng.uniform(0, 0.6)),
            width=rng.randint(4, 14),
        )
    return image


def to_jpeg(image: Image.Image, *, quality: int = 84) -> bytes:
    buffer = io.BytesIO()
    image.convert("RGB").save(buffer, "JPEG", quality=quality, optimize=True)
    return buffer.getvalue()


def to_png(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "PNG", optimize=True)
    return buffer.getvalue()
