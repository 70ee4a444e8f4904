"""Small SVG charts drawn on the appliance (no JavaScript chart library, no internet). Pure."""
from __future__ import annotations

from xml.sax.saxutils import escape


def bar_chart(title: str, bars: list[tuple[str, float]], maximum: float = 100.0, unit: str = "%",
              width: int = 640) -> str:
    """Horizontal bars with labels; every text is escaped, so a question text can never inject markup."""
    row, label_width, top = 26, 220, 34
    height = top + row * max(1, len(bars)) + 10
    scale = (width - label_width - 60) / (maximum or 1)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
             f'aria-label="{escape(title, {chr(34): "&quot;"})}" class="chart">',
             f'<text x="0" y="20" font-size="16" font-weight="bold">{escape(title)}</text>']
    if not bars:
        parts.append(f'<text x="0" y="{top + 16}" font-size="14">No data yet</text>')
    for i, (label, value) in enumerate(bars):
        y = top + i * row
        short = label if len(label) <= 32 else label[:31] + "…"
        parts.append(f'<text x="0" y="{y + 16}" font-size="13">{escape(short)}</text>')
        parts.append(f'<rect x="{label_width}" y="{y + 3}" width="{max(0.0, value * scale):.1f}" height="{row - 8}"'
                     f' fill="#3366cc"/>')
        parts.append(f'<text x="{label_width + value * scale + 6:.1f}" y="{y + 16}" font-size="13">'
                     f'{value:g}{escape(unit)}</text>')
    parts.append("</svg>")
    return "".join(parts)
