"""Small inline SVG charts, drawn by hand so the report needs no chart library and no requests.

Every label is escaped here (the markup is returned as `Markup`, which the template inserts as is).
Text width is estimated (CJK glyphs ~1 em, others ~0.6 em) to wrap long labels onto two lines
(and only then truncate). Every chart carries a <title> with its data in words: it is the alt text
of the chart in the tagged PDF and for screen readers.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

FONT = "Noto Sans CJK SC, Noto Sans, DejaVu Sans, sans-serif"
ACCENT = "#1f5fa8"
GRID = "#c9d3df"
TEXT = "#24303c"
MUTED = "#8a96a3"


def _num(value: float) -> str:
    """Fixed precision keeps the SVG byte-identical across runs and platforms."""
    text = f"{value:.1f}"
    return "0.0" if text == "-0.0" else text


def text_width(text: str, size: float) -> float:
    # 0.6 em for Latin text: a little wider than Noto Sans' average, so an estimate never runs past
    # the chart's edge (the labels were cut off at 0.56).
    return sum(size if ord(ch) > 0x2E7F else size * 0.6 for ch in text)


def wrap(text: str, size: float, width: float, lines: int = 2) -> list[str]:
    """Break a label into at most `lines` lines of `width` (at spaces, or anywhere in CJK text);
    the last line is truncated with an ellipsis only when the words still do not fit."""
    out: list[str] = []
    rest = text.strip()
    while rest and len(out) < lines - 1:
        if text_width(rest, size) <= width:
            break
        cut = 0
        for i, ch in enumerate(rest):
            if text_width(rest[: i + 1], size) > width:
                break
            if ch == " " or ord(ch) > 0x2E7F:
                cut = i + 1
        if cut == 0:  # one word longer than the line: break inside it
            cut = max(1, len(fit(rest, size, width)) - 1)
        out.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    if rest:
        out.append(fit(rest, size, width))
    return out


def _title(title: str, summary: str = "") -> str:
    text = f"{title}: {summary}" if summary else title
    return f"<title>{escape(text)}</title>"


def _label(x: float, y: float, label: str, width: float, *, size: float, anchor: str = "start", weight: str = "normal", lines: int = 2) -> tuple[str, int]:
    """A label wrapped onto up to `lines` lines starting at baseline y; returns (markup, lines used)."""
    parts = wrap(label, size, width, lines)
    step = size * 1.2
    return "".join(_text(x, y + k * step, part, size=size, anchor=anchor, weight=weight) for k, part in enumerate(parts)), len(parts)


def fit(text: str, size: float, width: float) -> str:
    if text_width(text, size) <= width:
        return text
    out = ""
    for ch in text:
        if text_width(out + ch + "…", size) > width:
            break
        out += ch
    return out + "…"


def _text(x: float, y: float, label: str, *, size: float = 10, anchor: str = "start", fill: str = TEXT, weight: str = "normal") -> str:
    return (
        f'<text x="{_num(x)}" y="{_num(y)}" font-size="{_num(size)}" text-anchor="{anchor}" '
        f'fill="{fill}" font-weight="{weight}" font-family="{FONT}">{escape(label)}</text>'
    )


def radar(axes: Sequence[tuple[str, int]], *, title: str, max_level: int = 5) -> Markup:
    """Radar of levels 0..max_level, one axis per (label, level). Needs at least three axes."""
    if len(axes) < 3:
        raise ValueError("a radar needs at least three axes")
    width, height = 640.0, 360.0
    cx, cy, radius = width / 2, height / 2 + 6, 112.0
    n = len(axes)

    def point(i: int, value: float) -> tuple[float, float]:
        angle = -math.pi / 2 + 2 * math.pi * i / n
        r = radius * value / max_level
        return cx + r * math.cos(angle), cy + r * math.sin(angle)

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart radar" viewBox="0 0 {_num(width)} {_num(height)}" '
        f'width="{_num(width)}" height="{_num(height)}" role="img" aria-label="{escape(title)}">',
        _title(title, "; ".join(f"{label} L{level}" for label, level in axes)),
    ]
    for ring in range(1, max_level + 1):
        pts = " ".join(f"{_num(x)},{_num(y)}" for x, y in (point(i, ring) for i in range(n)))
        parts.append(f'<polygon points="{pts}" fill="none" stroke="{GRID}" stroke-width="0.8"/>')
        x, y = point(0, ring)
        parts.append(_text(x + 3, y + 3, str(ring), size=8, fill=MUTED))
    for i in range(n):
        x, y = point(i, max_level)
        parts.append(f'<line x1="{_num(cx)}" y1="{_num(cy)}" x2="{_num(x)}" y2="{_num(y)}" stroke="{GRID}" stroke-width="0.8"/>')
    shape = " ".join(f"{_num(x)},{_num(y)}" for x, y in (point(i, level) for i, (_, level) in enumerate(axes)))
    parts.append(f'<polygon points="{shape}" fill="{ACCENT}" fill-opacity="0.25" stroke="{ACCENT}" stroke-width="2"/>')
    for i, (label, level) in enumerate(axes):
        x, y = point(i, level)
        parts.append(f'<circle cx="{_num(x)}" cy="{_num(y)}" r="3" fill="{ACCENT}"/>')
        lx, ly = point(i, max_level + 0.5)
        anchor = "middle" if abs(lx - cx) < 8 else ("start" if lx > cx else "end")
        room = min(170.0, (width - lx - 6) if anchor == "start" else (lx - 6 if anchor == "end" else 220.0))
        used = len(wrap(label, 10.5, room))
        block = used * 12.6 + 13  # name lines, then the level line
        top = ly - block + 10 if ly < cy - 8 else (ly + 2 if ly > cy + 8 else ly - block / 2 + 8)
        markup, used = _label(lx, top, label, room, size=10.5, anchor=anchor)
        parts.append(markup)
        parts.append(_text(lx, top + used * 12.6, f"L{level}", size=10.5, anchor=anchor, weight="bold"))
    parts.append("</svg>")
    return Markup("".join(parts))


@dataclass(frozen=True)
class Bar:
    label: str
    score: float | None  # 0..100, None = not applicable
    level: int


@dataclass(frozen=True)
class BarGroup:
    label: str
    bars: Sequence[Bar]


def grouped_bars(groups: Sequence[BarGroup], *, title: str, empty_label: str) -> Markup:
    """Horizontal bars (0..100) under one heading per group, with the level printed at the end.
    Long practice names wrap onto a second line (the row grows) instead of being cut."""
    label_w, bar_w, right = 270.0, 260.0, 50.0
    row, head, line = 15.0, 19.0, 11.4
    width = label_w + bar_w + right
    label_room = label_w - 14
    heights = [
        [row + line * (len(wrap(b.label, 9.5, label_room)) - 1) for b in g.bars] or [row] for g in groups
    ]
    height = 22 + sum(sum(h) for h in heights) + len(groups) * head
    summary = "; ".join(
        f"{g.label}: " + ", ".join(f"{b.label} {'—' if b.score is None else f'{b.score:.0f}'} L{b.level}" for b in g.bars)
        for g in groups
    )
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart bars" viewBox="0 0 {_num(width)} {_num(height)}" '
        f'width="{_num(width)}" height="{_num(height)}" role="img" aria-label="{escape(title)}">',
        _title(title, summary),
    ]
    for tick in (0, 25, 50, 75, 100):
        x = label_w + bar_w * tick / 100
        parts.append(f'<line x1="{_num(x)}" y1="14" x2="{_num(x)}" y2="{_num(height)}" stroke="{GRID}" stroke-width="0.6"/>')
        parts.append(_text(x, 10, str(tick), size=8, anchor="middle", fill=MUTED))
    y = 22.0
    for group, sizes in zip(groups, heights):
        parts.append(_text(2, y + 11, fit(group.label, 10.5, width - 4), size=10.5, weight="bold"))
        y += head
        if not group.bars:
            parts.append(_text(label_w, y + 10, empty_label, size=9, fill=MUTED))
            y += row
            continue
        for bar, h in zip(group.bars, sizes):
            markup, _ = _label(label_w - 6, y + 10, bar.label, label_room, size=9.5, anchor="end")
            parts.append(markup)
            if bar.score is None:
                parts.append(_text(label_w + 2, y + 10, empty_label, size=9, fill=MUTED))
            else:
                w = bar_w * max(0.0, min(100.0, bar.score)) / 100
                parts.append(
                    f'<rect x="{_num(label_w)}" y="{_num(y + 2)}" width="{_num(w)}" height="{_num(row - 5)}" fill="{ACCENT}" fill-opacity="0.8"/>'
                )
                parts.append(_text(label_w + bar_w + 4, y + 10, f"{bar.score:.0f} · L{bar.level}", size=9))
            y += h
    parts.append("</svg>")
    return Markup("".join(parts))


def level_bars(items: Sequence[tuple[str, int]], *, title: str, max_level: int = 5) -> Markup:
    """Fallback for fewer than three domains, where a radar says nothing: one bar per level."""
    label_w, bar_w = 200.0, 260.0
    row = 20.0
    width, height = label_w + bar_w + 50, 16 + row * len(items)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart levels" viewBox="0 0 {_num(width)} {_num(height)}" '
        f'width="{_num(width)}" height="{_num(height)}" role="img" aria-label="{escape(title)}">',
        _title(title, "; ".join(f"{label} L{level}" for label, level in items)),
    ]
    for i, (label, level) in enumerate(items):
        y = 8 + i * row
        parts.append(_text(label_w - 6, y + 12, fit(label, 10.5, label_w - 10), size=10.5, anchor="end"))
        parts.append(f'<rect x="{_num(label_w)}" y="{_num(y + 2)}" width="{_num(bar_w)}" height="{_num(row - 6)}" fill="{GRID}" fill-opacity="0.4"/>')
        parts.append(
            f'<rect x="{_num(label_w)}" y="{_num(y + 2)}" width="{_num(bar_w * level / max_level)}" height="{_num(row - 6)}" fill="{ACCENT}"/>'
        )
        parts.append(_text(label_w + bar_w + 6, y + 12, f"L{level}", size=10.5))
    parts.append("</svg>")
    return Markup("".join(parts))
