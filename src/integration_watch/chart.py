"""Line charts as standalone SVG, for trends and the HTML digest: counts per period, one line per series;
and the same chart as PNG.

Written by hand rather than with a plotting library: a chart is a few dozen elements, and matplotlib would
add ~40 MB and a second of start-up for that. Every polyline carries its series' numbers (`data-values`),
so a script can read them back from the picture. PNG is the SVG rendered by resvg (the optional extra
`png`, one 1.4 MB wheel with no system libraries; CairoSVG needs Cairo and Pillow, a headless browser
hundreds of MB), with the machine's fonts.
"""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

# Tableau 10: distinguishable, and still readable for the commonest colour-vision deficiencies.
PALETTE = ("#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7", "#9c755f",
           "#bab0ac")
MAX_X_LABELS = 8


def nice_ceiling(value: int) -> tuple[int, int]:
    """(top of the y axis, tick step): the smallest 1, 2 or 5 × 10^k step with at most 5 ticks over value."""
    value = max(value, 1)
    magnitude = 10 ** max(0, math.floor(math.log10(value)) - 1)
    for step in (magnitude * m for m in (1, 2, 5, 10, 20, 50, 100)):
        if value <= step * 5:
            return step * math.ceil(value / step), step
    raise AssertionError("unreachable: 100 x magnitude x 5 exceeds any value")


def line_chart(title: str, labels: Sequence[str], series: Sequence[tuple[str, Sequence[int]]], *,
               y_label: str = "stories", width: int = 760, height: int = 360) -> str:
    """An SVG document: x = `labels` (periods), one line per (name, values) of `series`, and a legend
    naming them unless there is a single unnamed series."""
    legend = len(series) > 1 or (len(series) == 1 and series[0][0] != "")
    left, right, top, bottom = 52, (170 if legend else 24), 44, 48
    plot_w, plot_h = width - left - right, height - top - bottom
    y_top, step = nice_ceiling(max((max(v, default=0) for _, v in series), default=0))
    n = len(labels)

    def x(i: int) -> float:
        return left + (plot_w / 2 if n == 1 else i * plot_w / (n - 1))

    def y(value: int) -> float:
        return top + plot_h - value * plot_h / y_top

    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
           f'viewBox="0 0 {width} {height}" role="img" aria-label={quoteattr(title)} '
           f'font-family="sans-serif" font-size="12" data-y-top="{y_top}">',
           f"<title>{escape(title)}</title>",
           f'<rect width="{width}" height="{height}" fill="#ffffff"/>',
           f'<text x="{left}" y="24" font-size="15" font-weight="bold">{escape(title)}</text>']
    for tick in range(0, y_top + 1, step):
        ty = y(tick)
        out.append(f'<line x1="{left}" y1="{ty:.1f}" x2="{left + plot_w}" y2="{ty:.1f}" stroke="#e3e3e3"/>')
        out.append(f'<text x="{left - 6}" y="{ty + 4:.1f}" text-anchor="end" fill="#555">{tick}</text>')
    out.append(f'<text x="14" y="{top + plot_h / 2:.1f}" transform="rotate(-90 14 {top + plot_h / 2:.1f})" '
               f'text-anchor="middle" fill="#555">{escape(y_label)}</text>')
    out.append(f'<line x1="{left}" y1="{top + plot_h}" x2="{left + plot_w}" y2="{top + plot_h}" stroke="#888"/>')
    every = max(1, math.ceil(n / MAX_X_LABELS))
    for i in range(0, n, every):
        out.append(f'<text x="{x(i):.1f}" y="{top + plot_h + 18}" text-anchor="middle" fill="#555" '
                   f'class="period">{escape(labels[i])}</text>')
    for number, (name, values) in enumerate(series):
        colour = PALETTE[number % len(PALETTE)]
        points = " ".join(f"{x(i):.1f},{y(v):.1f}" for i, v in enumerate(values))
        out.append(f'<polyline class="series" data-key={quoteattr(name)} '
                   f'data-values="{" ".join(map(str, values))}" points="{points}" fill="none" '
                   f'stroke="{colour}" stroke-width="2" stroke-linejoin="round"/>')
        if n <= 60:  # markers show single points and empty periods; on a long series they would be a smear
            out += [f'<circle cx="{x(i):.1f}" cy="{y(v):.1f}" r="2.5" fill="{colour}"/>' for i, v in enumerate(values)]
        if legend:
            ly = top + 8 + number * 18
            out.append(f'<rect x="{left + plot_w + 14}" y="{ly - 9}" width="12" height="12" fill="{colour}"/>')
            out.append(f'<text x="{left + plot_w + 32}" y="{ly + 1}">{escape(name or "all")}</text>')
    if not series or not n:
        out.append(f'<text x="{left + plot_w / 2}" y="{top + plot_h / 2}" text-anchor="middle" fill="#888">'
                   "nothing matches</text>")
    out.append("</svg>")
    return "\n".join(out) + "\n"


# Where resvg (fontdb) looks for the system's fonts on Linux, and the usual places elsewhere.
FONT_DIRS = ("/usr/share/fonts", "/usr/local/share/fonts", "~/.local/share/fonts", "~/.fonts",
             "/System/Library/Fonts", "/Library/Fonts", "C:/Windows/Fonts")
PNG_ZOOM = 2.0  # pixels per SVG unit: sharp on today's screens and in print


class ChartError(RuntimeError):
    """A chart cannot be drawn in the format asked for; the message says what to install."""


def has_fonts() -> bool:
    """Whether the machine has a font file where resvg looks for them (without one, a PNG has no text)."""
    for folder in FONT_DIRS:
        for _, _, files in os.walk(Path(folder).expanduser()):
            if any(name.lower().endswith((".ttf", ".otf", ".ttc")) for name in files):
                return True
    return False


def svg_to_png(svg: str, *, zoom: float = PNG_ZOOM) -> bytes:
    """The chart as PNG bytes, `zoom` pixels per SVG unit, its text in the machine's sans-serif font."""
    try:
        import resvg_py  # an optional extra: only PNG output needs it
    except ImportError:
        raise ChartError("PNG needs the optional extra 'png': pip install 'integration-watch[png]' "
                         "(or write .svg or --format html)") from None
    if not has_fonts():
        raise ChartError("no font for the chart's text in " + ", ".join(FONT_DIRS[:4])
                         + ": install one (Debian: apt-get install fonts-dejavu-core)")
    try:
        return bytes(resvg_py.svg_to_bytes(svg_string=svg, zoom=zoom, background="#ffffff"))
    except ValueError as exc:
        raise ChartError(f"cannot render the chart as PNG: {exc}") from None
