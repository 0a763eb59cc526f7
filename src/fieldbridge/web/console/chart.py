"""A small bar chart drawn on the server as SVG (no script, no inline style): events per hour."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from markupsafe import Markup, escape

WIDTH, HEIGHT, AXIS = 288, 64, 14
"""24 bars of 12 units; the bars' room above the hour labels."""


def hourly_bars(counts: Sequence[int], failing: Sequence[int], first_hour: datetime) -> Markup:
    """`counts[i]` events received in the hour starting `first_hour + i h`, `failing[i]` of them failing
    (retrying or dead): drawn as the red part of the bar."""
    top = max([*counts, 1])
    room = HEIGHT - AXIS
    step = WIDTH / len(counts)
    total, busiest = sum(counts), max(counts, default=0)
    label = f"Events received in the last 24 hours: {total} in all, at most {busiest} in one hour."
    parts = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-label="{escape(label)}">',
        f'<line class="axis" x1="0" y1="{room}" x2="{WIDTH}" y2="{room}"/>',
    ]
    for i, (count, bad) in enumerate(zip(counts, failing, strict=True)):
        hour = first_hour + timedelta(hours=i)
        x, tall, red = i * step + 1, room * count / top, room * bad / top
        title = f"{hour:%H}:00 to {hour + timedelta(hours=1):%H}:00 UTC: {count} events, {bad} failing"
        parts.append(f"<g><title>{escape(title)}</title>")
        parts.append(_bar("bar", x, room - tall, step - 2, tall))
        if bad:
            parts.append(_bar("bar-failed", x, room - red, step - 2, red))
        parts.append("</g>")
    for i in range(0, len(counts), 6):
        hour = first_hour + timedelta(hours=i)
        parts.append(f'<text x="{i * step + 1:.1f}" y="{HEIGHT - 2}">{hour:%H}:00</text>')
    parts.append(f'<text x="{WIDTH}" y="{HEIGHT - 2}" text-anchor="end">now</text>')
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 (built above from numbers and escaped text only)


def _bar(css_class: str, x: float, y: float, width: float, height: float) -> str:
    return f'<rect class="{css_class}" x="{x:.1f}" y="{y:.1f}" width="{width:.1f}" height="{height:.1f}"/>'
