"""SVG charts written by hand: horizontal bars (a count per label) and columns (a count per year).

No JavaScript and no charting library: each chart is a small, deterministic SVG document with a
``<title>``, an ``aria-label`` and one ``<title>`` per bar, so it reads without a mouse. A bar
with an ``href`` is a link (inside inline SVG; an ``<img>`` shows the picture only).

>>> svg = bar_chart("Cases per country", [("France", 3, "country/FRA.html"), ("<b>", 1, None)])
>>> svg.startswith("<svg") and "&lt;b&gt;" in svg and svg.count("<rect") == 2
True
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from .html import esc

Item = tuple[str, int, str | None]  # label, value, href (or None)

FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif"
BAR = "#2f6f9f"
TEXT = "#1d2733"
MUTED = "#5b6672"


@dataclass(frozen=True)
class ChartStyle:
    width: int = 720
    bar_height: int = 18
    gap: int = 6
    label_width: int = 300
    font_size: int = 13


def _truncate(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _wrap_link(href: str | None, inner: str) -> str:
    return f'<a href="{esc(href)}">{inner}</a>' if href else inner


def bar_chart(title: str, items: Sequence[Item], style: ChartStyle = ChartStyle(), *, chart_id: str = "") -> str:
    """A horizontal bar chart, one bar per item, in the order given."""
    s = style
    top = 34
    height = top + len(items) * (s.bar_height + s.gap) + 10
    largest = max([v for _, v, _ in items] or [1]) or 1
    room = s.width - s.label_width - 60
    ident = f' id="{esc(chart_id)}"' if chart_id else ""
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg"{ident} class="chart bar" role="img" '
        f'aria-label="{esc(title)}" viewBox="0 0 {s.width} {height}" width="{s.width}" height="{height}" '
        f'font-family="{esc(FONT)}" font-size="{s.font_size}">',
        f"<title>{esc(title)}</title>",
        f'<text x="0" y="20" font-size="{s.font_size + 3}" font-weight="600" fill="{TEXT}">{esc(title)}</text>',
    ]
    for i, (label, value, href) in enumerate(items):
        y = top + i * (s.bar_height + s.gap)
        w = max(1, round(room * value / largest)) if value else 0
        mid = y + s.bar_height / 2 + s.font_size / 2.8
        bar = (
            f'<g class="bar"><title>{esc(label)}: {value}</title>'
            f'<text x="{s.label_width - 8}" y="{mid:.1f}" text-anchor="end" fill="{TEXT}">'
            f"{esc(_truncate(label, 40))}</text>"
            f'<rect x="{s.label_width}" y="{y}" width="{w}" height="{s.bar_height}" rx="2" fill="{BAR}"/>'
            f'<text x="{s.label_width + w + 6}" y="{mid:.1f}" fill="{MUTED}">{value}</text></g>'
        )
        out.append(_wrap_link(href, bar))
    out.append("</svg>")
    return "\n".join(out) + "\n"


def column_chart(
    title: str, items: Sequence[Item], style: ChartStyle = ChartStyle(), *, chart_id: str = "", height: int = 260
) -> str:
    """A vertical column chart (e.g. cases per year), one column per item, in the order given."""
    s = style
    top, bottom, left = 40, 40, 30
    n = max(len(items), 1)
    slot = (s.width - left - 10) / n
    col = max(4.0, min(48.0, slot * 0.7))
    largest = max([v for _, v, _ in items] or [1]) or 1
    room = height - top - bottom
    ident = f' id="{esc(chart_id)}"' if chart_id else ""
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg"{ident} class="chart column" role="img" '
        f'aria-label="{esc(title)}" viewBox="0 0 {s.width} {height}" width="{s.width}" height="{height}" '
        f'font-family="{esc(FONT)}" font-size="{s.font_size}">',
        f"<title>{esc(title)}</title>",
        f'<text x="0" y="20" font-size="{s.font_size + 3}" font-weight="600" fill="{TEXT}">{esc(title)}</text>',
        f'<line x1="{left}" y1="{height - bottom}" x2="{s.width - 10}" y2="{height - bottom}" stroke="{MUTED}"/>',
    ]
    every = max(1, round(n / 12))  # label at most ~12 columns so the axis stays readable
    for i, (label, value, href) in enumerate(items):
        x = left + i * slot + (slot - col) / 2
        h = round(room * value / largest) if value else 0
        y = height - bottom - h
        cx = x + col / 2
        axis = (
            f'<text x="{cx:.1f}" y="{height - bottom + 16}" text-anchor="middle" fill="{TEXT}">{esc(label)}</text>'
            if i % every == 0
            else ""
        )
        bar = (
            f'<g class="bar"><title>{esc(label)}: {value}</title>'
            f'<rect x="{x:.1f}" y="{y}" width="{col:.1f}" height="{h}" rx="2" fill="{BAR}"/>'
            f'<text x="{cx:.1f}" y="{y - 4}" text-anchor="middle" fill="{MUTED}">{value}</text>{axis}</g>'
        )
        out.append(_wrap_link(href, bar))
    out.append("</svg>")
    return "\n".join(out) + "\n"
