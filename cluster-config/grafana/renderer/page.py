"""The self-contained HTML page: the dashboard's rows and panels placed on Grafana's 24-column grid."""

import time
from html import escape

from . import charts

GRID_COLUMNS, ROW_PX, GAP, PAD, HEADER, TITLE_PX = 24, 30, 8, 16, 86, 30

CSS = """
body { margin: 0; background: #111217; color: #CCCCDC; font-family: Inter, Helvetica, Arial, sans-serif; }
.head { position: absolute; left: %(pad)dpx; top: 12px; right: %(pad)dpx; }
.head h1 { font-size: 20px; font-weight: 500; margin: 0 0 6px 0; }
.head div { font-size: 12px; color: #8E8E9A; }
.row { position: absolute; font-size: 15px; font-weight: 500; border-bottom: 1px solid rgba(204,204,220,0.12); }
.panel { position: absolute; background: #181B1F; border: 1px solid rgba(204,204,220,0.12); border-radius: 2px;
         box-sizing: border-box; overflow: hidden; }
.panel h2 { font-size: 13px; font-weight: 500; margin: 0; padding: 7px 8px 0 8px; height: %(title)dpx;
            box-sizing: border-box; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
.panel .body { padding: 0 4px 4px 4px; }
svg text { font-family: Inter, Helvetica, Arial, sans-serif; }
""" % {"pad": PAD, "title": TITLE_PX}


def layout(width):
    col = (width - 2 * PAD - (GRID_COLUMNS - 1) * GAP) / GRID_COLUMNS

    def box(g):
        return (PAD + g["x"] * (col + GAP), HEADER + g["y"] * (ROW_PX + GAP),
                g["w"] * col + (g["w"] - 1) * GAP, g["h"] * ROW_PX + (g["h"] - 1) * GAP)
    return box


def height(panels):
    return HEADER + max(p.grid["y"] + p.grid["h"] for p in panels) * (ROW_PX + GAP) + PAD


def render(title, subtitle, panels, data, t0, t1, width):
    """data: panel id -> [Series] (rows have none)."""
    box = layout(width)
    out = ["<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>", escape(title), "</title><style>",
           CSS, "</style></head>", f'<body style="width:{width}px;height:{height(panels)}px;position:relative">',
           f'<div class="head"><h1>{escape(title)}</h1><div>{escape(subtitle)}</div></div>']
    for p in panels:
        x, y, w, h = box(p.grid)
        if p.type == "row":
            out.append(f'<div class="row" style="left:{x:.0f}px;top:{y + 4:.0f}px;width:{w:.0f}px;height:{h - 4:.0f}px">'
                       f'&#9662; {escape(p.title)}</div>')
            continue
        bw, bh = int(w - 10), int(h - TITLE_PX - 6)
        out.append(f'<div class="panel" style="left:{x:.0f}px;top:{y:.0f}px;width:{w:.0f}px;height:{h:.0f}px">'
                   f'<h2>{escape(p.title)}</h2><div class="body">{_body(p, data[p.id], t0, t1, bw, bh)}</div></div>')
    out.append("</body></html>")
    return "".join(out)


def _body(p, series, t0, t1, w, h):
    defaults = p.raw.get("fieldConfig", {}).get("defaults", {})
    if p.type == "timeseries":
        custom = defaults.get("custom", {})
        stacked = custom.get("stacking", {}).get("mode", "none") == "normal"
        return charts.timeseries(series, t0, t1, w, h, p.unit, p.decimals, defaults.get("min"), stacked,
                                 custom.get("fillOpacity", 0) / 100)
    if p.type == "stat":
        return charts.stat(series, t0, t1, w, h, p.unit, defaults["thresholds"]["steps"], p.decimals)
    mappings = {}
    for m in defaults.get("mappings", []):
        if m.get("type") != "value":
            raise ValueError(f"panel {p.id}: only value mappings are supported, not {m.get('type')!r}")
        mappings.update(m["options"])
    return charts.state_timeline(series, t0, t1, w, h, mappings)


def subtitle(dashboard_title, t0, t1, rounds, interval, nodes, window):
    zone = time.strftime("%Z", time.localtime(t1))
    return (f"Dashboard \u201c{dashboard_title}\u201d, {time.strftime('%Y-%m-%d %H:%M:%S', time.localtime(t0))} \u2013 "
            f"{time.strftime('%H:%M:%S', time.localtime(t1))} {zone}, {rounds} scrapes every {interval:g} s of "
            f"{', '.join(nodes)}; rate() and quantiles over {window:g} s windows. Rendered by "
            f"cluster-config/grafana/render-dashboard.py, not by Grafana.")
