"""Charts drawn on the server as SVG: no script, no outside CDN, readable without colour.

Each chart shows one measure (a small multiple), so no colour has to tell series apart: the
heading names it, the largest value is written on the axis, every bar carries its day and
value as a tooltip (`<title>`), and the figures are in the page's tables too.
"""

import datetime as dt
from collections.abc import Callable, Sequence

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

WIDTH, HEIGHT, LEFT, BOTTOM = 320, 96, 34, 16


def bars(
    points: Sequence[tuple[dt.date, int]], *, label: str, fmt: Callable[[int], str] = str
) -> SafeString:
    """A bar per day, `label` as the chart's accessible name."""
    top = max((v for _d, v in points), default=0) or 1
    inner_w, inner_h = WIDTH - LEFT, HEIGHT - BOTTOM - 6
    step = inner_w / max(len(points), 1)
    gap = 1 if step > 3 else 0
    out = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-label="{escape(label)}" data-testid="chart">',
        f'<line class="axis" x1="{LEFT}" y1="{HEIGHT - BOTTOM}" x2="{WIDTH}" '
        f'y2="{HEIGHT - BOTTOM}"/>',
        f'<text class="tick" x="{LEFT - 3}" y="12" text-anchor="end">{escape(fmt(top))}</text>',
        f'<text class="tick" x="{LEFT - 3}" y="{HEIGHT - BOTTOM}" text-anchor="end">0</text>',
    ]
    for n, (day, value) in enumerate(points):
        h = round(inner_h * value / top, 1)
        x = round(LEFT + n * step, 1)
        out.append(
            f'<rect class="bar" x="{x}" y="{round(HEIGHT - BOTTOM - h, 1)}" '
            f'width="{round(max(step - gap, 0.5), 1)}" height="{h}">'
            f"<title>{day.isoformat()}: {escape(fmt(value))}</title></rect>"
        )
    if points:
        first, last = points[0][0].isoformat(), points[-1][0].isoformat()
        out.append(f'<text class="tick" x="{LEFT}" y="{HEIGHT - 3}">{first}</text>')
        out.append(
            f'<text class="tick" x="{WIDTH}" y="{HEIGHT - 3}" text-anchor="end">{last}</text>'
        )
    out.append("</svg>")
    return mark_safe("".join(out))  # noqa: S308 - every text above is escaped


def funnel(steps: Sequence[tuple[str, int]], *, label: str) -> SafeString:
    """Horizontal bars, one per step, each with its name, count and share of the step before
    written beside it."""
    top = max((v for _n, v in steps), default=0) or 1
    row, name_w = 22, 92
    height = row * len(steps)
    out = [
        f'<svg class="funnel" viewBox="0 0 {WIDTH} {height}" role="img" '
        f'aria-label="{escape(label)}" data-testid="funnel">'
    ]
    before = None
    for n, (name, value) in enumerate(steps):
        y = n * row
        w = round((WIDTH - name_w - 70) * value / top, 1)
        share = f" ({round(100 * value / before)}%)" if before else ""
        out.append(
            f'<text class="tick" x="0" y="{y + 15}">{escape(name)}</text>'
            f'<rect class="bar" x="{name_w}" y="{y + 4}" width="{max(w, 0.5)}" height="14"/>'
            f'<text class="tick" x="{name_w + w + 4}" y="{y + 15}">{value}{share}</text>'
        )
        before = value
    out.append("</svg>")
    return mark_safe("".join(out))  # noqa: S308 - every text above is escaped
