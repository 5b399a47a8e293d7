"""Charts drawn on the server as inline SVG: no script, no external asset, printable."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask_babel import format_date
from flask_babel import gettext as _
from markupsafe import Markup

# Narrow drawings, so that on a phone the text is scaled down little.
BARS_WIDTH = 420
DAYS_WIDTH = 480
ROW_HEIGHT = 22
FONT_SIZE = 13
CHAR_WIDTH = 7.2  # average advance of the UI font at FONT_SIZE, to size the label column
MAX_LABEL_CHARS = 22


@dataclass
class Bar:
    label: str
    value: int
    href: str | None = None


def _shorten(label: str) -> str:
    return label if len(label) <= MAX_LABEL_CHARS else label[: MAX_LABEL_CHARS - 1] + "…"


def _fmt(number: float) -> str:
    return f"{number:.1f}".rstrip("0").rstrip(".")


def horizontal_bars(bars: list[Bar], title: str) -> Markup:
    """One labelled bar per item, value at the end of the bar.

    The chart is a picture of the table printed beside it, so it is hidden from screen readers and
    its links are left out of the keyboard order (the table's links are the accessible ones)."""
    if not bars:
        return Markup("")
    label_width = min(max(len(_shorten(bar.label)) for bar in bars), MAX_LABEL_CHARS) * CHAR_WIDTH + 12
    value_width = 40
    plot_width = BARS_WIDTH - label_width - value_width
    top = max(bar.value for bar in bars) or 1
    height = len(bars) * ROW_HEIGHT + 4
    parts = [Markup('<svg class="chart chart-bars" viewBox="0 0 {w} {h}" width="{w}" height="{h}" '
                    'xmlns="http://www.w3.org/2000/svg" aria-hidden="true" focusable="false">'
                    '<title>{title}</title>').format(w=BARS_WIDTH, h=height, title=title)]
    for index, bar in enumerate(bars):
        y = index * ROW_HEIGHT + 2
        length = max(plot_width * bar.value / top, 1 if bar.value else 0)
        row = Markup(
            '<text class="label" x="{lx}" y="{ty}" text-anchor="end" font-size="{fs}">{label}</text>'
            '<rect class="bar" x="{bx}" y="{by}" width="{bw}" height="{bh}"><title>{tip}</title></rect>'
            '<text class="value" x="{vx}" y="{ty}" font-size="{fs}">{value}</text>'
        ).format(
            lx=_fmt(label_width - 8), ty=_fmt(y + ROW_HEIGHT * 0.68), fs=FONT_SIZE, label=_shorten(bar.label),
            bx=_fmt(label_width), by=_fmt(y + 3), bw=_fmt(length), bh=ROW_HEIGHT - 6,
            value=bar.value, vx=_fmt(label_width + length + 6), tip=_("%(label)s: %(value)s", label=bar.label, value=bar.value),
        )
        if bar.href:
            row = Markup('<a href="{href}" tabindex="-1">{row}</a>').format(href=bar.href, row=row)
        parts.append(row)
    parts.append(Markup("</svg>"))
    return Markup("").join(parts)


def day_columns(days: list[tuple[date, int]], title: str, href: str | None = None) -> Markup:
    """Registrations per day as columns, with the running total as a line on its own scale."""
    if not days:
        return Markup("")
    height, left, right, top_pad, bottom = 180, 30, 36, 10, 24
    plot_w, plot_h = DAYS_WIDTH - left - right, height - top_pad - bottom
    step = plot_w / len(days)
    bar_w = max(step * 0.75, 0.5)
    peak = max(count for _, count in days) or 1
    total = sum(count for _, count in days) or 1
    parts = [Markup('<svg class="chart chart-days" viewBox="0 0 {w} {h}" width="{w}" height="{h}" role="img" '
                    'xmlns="http://www.w3.org/2000/svg"><title>{title}</title>').format(w=DAYS_WIDTH, h=height, title=title)]
    # Axes and scale labels: daily count on the left, running total on the right.
    base = top_pad + plot_h
    parts.append(Markup(
        '<line class="axis" x1="{l}" y1="{b}" x2="{r}" y2="{b}"/>'
        '<text class="tick" x="{lt}" y="{tt}" text-anchor="end" font-size="12">{peak}</text>'
        '<text class="tick" x="{lt}" y="{b}" text-anchor="end" font-size="12">0</text>'
        '<text class="tick total" x="{rt}" y="{tt}" font-size="12">{total}</text>'
    ).format(l=left, r=DAYS_WIDTH - right, b=base, lt=left - 4, rt=DAYS_WIDTH - right + 4, tt=top_pad + 9, peak=peak,
             total=sum(count for _, count in days)))
    running, points = 0, []
    label_every = max(1, round(len(days) / 6))
    for index, (day, count) in enumerate(days):
        x = left + index * step
        running += count
        points.append(f"{_fmt(x + step / 2)},{_fmt(base - plot_h * running / total)}")
        if count:
            bar_h = plot_h * count / peak
            parts.append(Markup(
                '<rect class="bar" x="{x}" y="{y}" width="{w}" height="{h}"><title>{tip}</title></rect>'
            ).format(x=_fmt(x + (step - bar_w) / 2), y=_fmt(base - bar_h), w=_fmt(bar_w), h=_fmt(bar_h),
                     tip=_("%(label)s: %(value)s", label=format_date(day, "long"), value=count)))
        if index % label_every == 0 or index == len(days) - 1 and len(days) <= 8:
            parts.append(Markup('<text class="tick" x="{x}" y="{y}" text-anchor="middle" font-size="12">{label}</text>')
                         .format(x=_fmt(x + step / 2), y=base + 14, label=format_date(day, "d MMM")))
    parts.append(Markup('<polyline class="running-total" fill="none" points="{points}"><title>{title}</title></polyline>')
                 .format(points=" ".join(points), title=_("Running total")))
    parts.append(Markup("</svg>"))
    chart = Markup("").join(parts)
    if href:
        chart = Markup('<a href="{href}" class="chart-link">{chart}</a>').format(href=href, chart=chart)
    return chart
