"""SVG bodies of the three panel types of the dashboard: time series, stat, state timeline."""

import math
from dataclasses import dataclass
from html import escape

from . import units

GRID = "rgba(204,204,220,0.10)"
AXIS_TEXT = "#8E8E9A"
TEXT = "#CCCCDC"


@dataclass
class Series:
    name: str
    points: list  # [(t, value or None)], None where the expression had no finite value


def _finite(v):
    return v is not None and not math.isnan(v) and not math.isinf(v)


def _values(series):
    return [v for s in series for _, v in s.points if _finite(v)]


def last(series):
    return next((v for _, v in reversed(series.points) if _finite(v)), None)


def no_data(w, h):
    return (f'<svg width="{w}" height="{h}"><text x="{w / 2}" y="{h / 2}" fill="{AXIS_TEXT}" font-size="14" '
            f'text-anchor="middle" dominant-baseline="middle">No data</text></svg>')


def _stack(series):
    """Stacked copies of series (Grafana 'normal' stacking): each point adds the ones below it."""
    out, below = [], {}
    for s in series:
        pts = []
        for t, v in s.points:
            if _finite(v):
                below[t] = below.get(t, 0.0) + v
                pts.append((t, below[t]))
            else:
                pts.append((t, None))
        out.append(Series(s.name, pts))
    return out


def timeseries(series, t0, t1, w, h, unit, decimals=None, minimum=0, stacked=False, fill=0.1):
    if not _values(series):
        return no_data(w, h)
    shown = _stack(series) if stacked else series
    legend_rows = max(1, min(len(series), int(h * 0.42 // 18) - 1))
    legend_h = 18 * (legend_rows + 1) + (14 if legend_rows < len(series) else 0)
    left, right, top, bottom = 62, 10, 6, h - legend_h - 20
    lo = min([minimum] + _values(shown)) if minimum is not None else min(_values(shown))
    hi = max(_values(shown))
    yt = units.ticks(lo, hi if hi > lo else lo + (abs(lo) or 1), integer=decimals == 0)
    y_lo, y_hi = yt[0], yt[-1]
    x = lambda t: left + (w - left - right) * (t - t0) / max(t1 - t0, 1e-9)
    y = lambda v: bottom - (bottom - top) * (v - y_lo) / (y_hi - y_lo)
    out = [f'<svg width="{w}" height="{h}" font-size="11">']
    for v in yt:
        out.append(f'<line x1="{left}" x2="{w - right}" y1="{y(v):.1f}" y2="{y(v):.1f}" stroke="{GRID}"/>'
                   f'<text x="{left - 6}" y="{y(v):.1f}" fill="{AXIS_TEXT}" text-anchor="end" '
                   f'dominant-baseline="middle">{escape(units.fmt(v, unit, decimals))}</text>')
    for t in units.time_ticks(t0, t1):
        out.append(f'<line x1="{x(t):.1f}" x2="{x(t):.1f}" y1="{top}" y2="{bottom}" stroke="{GRID}"/>'
                   f'<text x="{x(t):.1f}" y="{bottom + 14}" fill="{AXIS_TEXT}" text-anchor="middle">'
                   f'{units.clock(t)}</text>')
    for i, s in enumerate(shown):
        c = units.PALETTE[i % len(units.PALETTE)]
        base = shown[i - 1] if stacked and i > 0 else None
        for run in _runs(s.points):
            line = " ".join(f"{x(t):.1f},{y(v):.1f}" for t, v in run)
            if fill:
                floor = dict(base.points) if base else {}
                under = " ".join(f"{x(t):.1f},{y(floor.get(t) or max(y_lo, 0)):.1f}" for t, _ in reversed(run))
                out.append(f'<polygon points="{line} {under}" fill="{c}" fill-opacity="{fill}" stroke="none"/>')
            out.append(f'<polyline points="{line}" fill="none" stroke="{c}" stroke-width="1.5"/>')
    out.append(_legend(series, w, bottom + 22, legend_rows, unit, decimals))
    out.append("</svg>")
    return "".join(out)


def _runs(points):
    """Consecutive finite points: a gap in the data is a gap in the line, as in Grafana (spanNulls off)."""
    run = []
    for t, v in points:
        if _finite(v):
            run.append((t, v))
        elif run:
            yield run
            run = []
    if run:
        yield run


def _legend(series, w, top, rows, unit, decimals):
    out = [f'<text x="{w - 90}" y="{top + 12}" fill="{AXIS_TEXT}" text-anchor="end">Last *</text>'
           f'<text x="{w - 10}" y="{top + 12}" fill="{AXIS_TEXT}" text-anchor="end">Max</text>']
    for i, s in enumerate(series[:rows]):
        yy = top + 18 * (i + 1) + 12
        vals = [v for _, v in s.points if _finite(v)]
        out.append(f'<rect x="8" y="{yy - 8}" width="14" height="4" rx="1" fill="{units.PALETTE[i % len(units.PALETTE)]}"/>'
                   f'<text x="28" y="{yy}" fill="{TEXT}">{escape(_clip(s.name, (w - 200) // 6))}</text>'
                   f'<text x="{w - 90}" y="{yy}" fill="{TEXT}" text-anchor="end">'
                   f'{escape(units.fmt(last(s), unit, decimals))}</text>'
                   f'<text x="{w - 10}" y="{yy}" fill="{TEXT}" text-anchor="end">'
                   f'{escape(units.fmt(max(vals) if vals else None, unit, decimals))}</text>')
    if rows < len(series):
        out.append(f'<text x="28" y="{top + 18 * (rows + 1) + 10}" fill="{AXIS_TEXT}">'
                   f'… {len(series) - rows} more series</text>')
    return "".join(out)


def _clip(text, n):
    n = max(int(n), 8)
    return text if len(text) <= n else text[:n - 1] + "…"


def threshold_color(v, steps):
    """The colour of the highest threshold step at or below v (the first step's value is null: base)."""
    chosen = steps[0]["color"]
    for step in steps[1:]:
        if v is not None and v >= step["value"]:
            chosen = step["color"]
    return units.color(chosen)


def stat(series, t0, t1, w, h, unit, steps, decimals=None):
    if not _values(series):
        return no_data(w, h)
    cell = w / len(series)
    out = [f'<svg width="{w}" height="{h}">']
    for i, s in enumerate(series):
        v = last(s)
        c = threshold_color(v, steps)
        cx = cell * i
        vals = [p for p in s.points if _finite(p[1])]
        if len(vals) >= 2:      # graphMode "area": the sparkline under the value
            lo, hi = min(p[1] for p in vals), max(p[1] for p in vals)
            span = (hi - lo) or 1
            px = lambda t: cx + cell * (t - t0) / max(t1 - t0, 1e-9)
            py = lambda x: h - 4 - (h * 0.45) * (x - lo) / span
            line = " ".join(f"{px(t):.1f},{py(x):.1f}" for t, x in vals)
            out.append(f'<polygon points="{line} {px(vals[-1][0]):.1f},{h} {px(vals[0][0]):.1f},{h}" '
                       f'fill="{c}" fill-opacity="0.15"/><polyline points="{line}" fill="none" stroke="{c}" '
                       f'stroke-width="1.5"/>')
        size = min(h * 0.42, cell / max(len(units.fmt(v, unit, decimals)), 1) * 1.6)
        out.append(f'<text x="{cx + cell / 2:.1f}" y="{h * 0.42:.1f}" fill="{c}" font-size="{size:.0f}" '
                   f'font-weight="500" text-anchor="middle" dominant-baseline="middle">'
                   f'{escape(units.fmt(v, unit, decimals))}</text>')
        if len(series) > 1:
            out.append(f'<text x="{cx + cell / 2:.1f}" y="14" fill="{AXIS_TEXT}" font-size="11" '
                       f'text-anchor="middle">{escape(s.name)}</text>')
    out.append("</svg>")
    return "".join(out)


def state_timeline(series, t0, t1, w, h, mappings):
    """mappings: {"1": {"text": "UP", "color": "green"}, ...} (Grafana value mappings of type value)."""
    if not _values(series):
        return no_data(w, h)
    legend_h, axis_h, label_w = 22, 18, min(210, w * 0.4)
    rows = series[: max(1, int((h - legend_h - axis_h) // 18))]
    row_h = (h - legend_h - axis_h) / len(rows)
    x = lambda t: label_w + (w - label_w - 8) * (t - t0) / max(t1 - t0, 1e-9)
    out = [f'<svg width="{w}" height="{h}" font-size="11">']
    for i, s in enumerate(rows):
        top = i * row_h + row_h * 0.1
        out.append(f'<text x="{label_w - 6}" y="{top + row_h * 0.4:.1f}" fill="{TEXT}" text-anchor="end" '
                   f'dominant-baseline="middle">{escape(_clip(s.name, label_w // 6))}</text>')
        for start, end, v in _states(s.points, t1):
            m = mappings.get(_key(v))
            fill = units.color(m["color"]) if m else units.NAMED["blue"]
            out.append(f'<rect x="{x(start):.1f}" y="{top:.1f}" width="{max(x(end) - x(start), 1):.1f}" '
                       f'height="{row_h * 0.8:.1f}" fill="{fill}" fill-opacity="0.8"/>')
    if len(rows) < len(series):
        out.append(f'<text x="4" y="{h - legend_h - axis_h - 2}" fill="{AXIS_TEXT}">… '
                   f'{len(series) - len(rows)} more</text>')
    base = h - legend_h - axis_h
    for t in units.time_ticks(t0, t1, 4):
        out.append(f'<text x="{x(t):.1f}" y="{base + 13}" fill="{AXIS_TEXT}" text-anchor="middle">'
                   f'{units.clock(t)}</text>')
    lx = 8
    for value, m in sorted(mappings.items(), key=lambda kv: kv[1].get("index", 0)):
        out.append(f'<rect x="{lx}" y="{h - 14}" width="14" height="8" fill="{units.color(m["color"])}"/>'
                   f'<text x="{lx + 20}" y="{h - 7}" fill="{TEXT}">{escape(m["text"])}</text>')
        lx += 30 + 7 * len(m["text"])
    out.append("</svg>")
    return "".join(out)


def _states(points, t1):
    """(start, end, value) of each run of one value (Grafana's mergeValues); a point holds until the next one."""
    runs = []
    for k, (t, v) in enumerate(points):
        end = points[k + 1][0] if k + 1 < len(points) else t1
        if not _finite(v):
            continue
        if runs and runs[-1][2] == v and runs[-1][1] == t:
            runs[-1] = (runs[-1][0], end, v)
        else:
            runs.append((t, end, v))
    return runs


def _key(v):
    return str(int(v)) if v == int(v) else str(v)
