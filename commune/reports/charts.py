"""Small bar charts drawn on the server as inline SVG markup (no chart library, prints well).

No style attributes (the CSP forbids them): colours come from classes in
static/css/reports.css, with fill="" presentation attributes as a fallback for print.

With `link` (month, key, value) -> (href, accessible name), each bar (each segment of a stacked
bar) is a link to that month's dossiers (reports/drilldown.month_url). An svg with role="img"
hides its children from assistive technology, so a chart with links is a labelled group instead.
"""
from markupsafe import Markup, escape

WIDTH, HEIGHT = 640, 240
TOP, BOTTOM, LEFT = 26, 36, 8
SERIES = (
    ("early", "bar-early", "#1f7a3f", "Sớm hạn"),
    ("on_time", "bar-on-time", "#6fb38a", "Đúng hạn"),
    ("late", "bar-late", "#b3261e", "Trễ hạn"),
)


def month_label(month):
    """'2026-03' as '03/26'."""
    year, number = month.split("-")
    return f"{number}/{year[2:]}"


def _frame(title, body, legend="", linked=False):
    role = "group" if linked else "img"
    return Markup(
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT + 26}" role="{role}" '
        f'aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg">'
        f"<title>{escape(title)}</title>{body}{legend}</svg>"
    )


def _linked(markup, link, month, key, value):
    """`markup` inside a link to the dossiers behind the bar, when there is one."""
    href, name = link(month, key, value) if link else (None, None)
    if not href:
        return markup
    return f'<a href="{escape(href)}" class="bar-link" aria-label="{escape(name)}">{markup}</a>'


def _slots(count):
    usable = WIDTH - 2 * LEFT
    slot = usable / max(count, 1)
    bar = min(48.0, slot * 0.7)
    return slot, bar


def stacked_months(months, title, labels=None, link=None):
    """Stacked bars per month: early / on time / late resolved dossiers (each segment a link with `link`)."""
    labels = labels or {key: text for key, _cls, _fill, text in SERIES}
    top = max([m["early"] + m["on_time"] + m["late"] for m in months] + [1])
    scale = (HEIGHT - TOP - BOTTOM) / top
    slot, bar = _slots(len(months))
    parts = [f'<line class="axis" x1="{LEFT}" y1="{HEIGHT - BOTTOM}" x2="{WIDTH - LEFT}" '
             f'y2="{HEIGHT - BOTTOM}" stroke="#555"/>']
    for i, month in enumerate(months):
        x = LEFT + i * slot + (slot - bar) / 2
        y = HEIGHT - BOTTOM
        total = 0
        for key, css, fill, _text in SERIES:
            value = month[key]
            if value:
                height = value * scale
                y -= height
                rect = (f'<rect class="{css}" x="{x:.1f}" y="{y:.1f}" width="{bar:.1f}" '
                        f'height="{height:.1f}" fill="{fill}"><title>{escape(labels[key])}: '
                        f"{value}</title></rect>")
                parts.append(_linked(rect, link, month["month"], key, value))
                total += value
        center = x + bar / 2
        if total:
            parts.append(f'<text class="chart-value" x="{center:.1f}" y="{y - 4:.1f}" '
                         f'text-anchor="middle">{total}</text>')
        parts.append(f'<text class="chart-label" x="{center:.1f}" y="{HEIGHT - BOTTOM + 16}" '
                     f'text-anchor="middle">{month_label(month["month"])}</text>')
    return _frame(title, "".join(parts), _legend(labels), linked=link is not None)


def bars_months(months, key, title, link=None):
    """Simple bars per month of one value (e.g. dossiers received); each bar a link with `link`."""
    top = max([m[key] for m in months] + [1])
    scale = (HEIGHT - TOP - BOTTOM) / top
    slot, bar = _slots(len(months))
    parts = [f'<line class="axis" x1="{LEFT}" y1="{HEIGHT - BOTTOM}" x2="{WIDTH - LEFT}" '
             f'y2="{HEIGHT - BOTTOM}" stroke="#555"/>']
    for i, month in enumerate(months):
        x = LEFT + i * slot + (slot - bar) / 2
        height = month[key] * scale
        y = HEIGHT - BOTTOM - height
        center = x + bar / 2
        if month[key]:
            bar_and_value = (f'<rect class="bar-received" x="{x:.1f}" y="{y:.1f}" width="{bar:.1f}" '
                             f'height="{height:.1f}" fill="#0b5cab"><title>{month[key]}</title></rect>'
                             f'<text class="chart-value" x="{center:.1f}" y="{y - 4:.1f}" '
                             f'text-anchor="middle">{month[key]}</text>')
            parts.append(_linked(bar_and_value, link, month["month"], key, month[key]))
        parts.append(f'<text class="chart-label" x="{center:.1f}" y="{HEIGHT - BOTTOM + 16}" '
                     f'text-anchor="middle">{month_label(month["month"])}</text>')
    return _frame(title, "".join(parts), linked=link is not None)


def _legend(labels):
    items, x = [], LEFT
    for key, css, fill, _text in SERIES:
        items.append(f'<rect class="{css}" x="{x}" y="{HEIGHT + 6}" width="14" height="14" fill="{fill}"/>'
                     f'<text class="chart-label" x="{x + 20}" y="{HEIGHT + 19}">{escape(labels[key])}</text>')
        x += 150
    return "".join(items)
