"""The dashboard model the renderer needs: rows and panels in grid order, with parsed expressions.

Everything is checked when the dashboard is loaded, before any sampling starts, so an unsupported
expression, panel type or unit fails the run at once rather than after a minute of scraping.
"""

import json
import math
import re
from dataclasses import dataclass

from . import promql, units
from .charts import Series

PANEL_TYPES = ("row", "timeseries", "stat", "state-timeline")


class DashboardError(ValueError):
    """A dashboard the renderer cannot draw faithfully."""


@dataclass
class Target:
    ref: str
    expr: str
    legend: str
    tree: object


@dataclass
class Panel:
    id: int
    type: str
    title: str
    grid: dict
    unit: str
    decimals: object
    targets: list
    raw: dict


def load(path, variables):
    """Panels of the dashboard at path, with $variables substituted (name -> regex text)."""
    with open(path, encoding="utf-8") as f:
        doc = json.load(f)
    panels = []
    for raw in doc.get("panels", []):
        panels.append(_panel(raw, variables))
        for nested in raw.get("panels", []):      # panels of a collapsed row
            panels.append(_panel(nested, variables))
    if not panels:
        raise DashboardError(f"{path}: no panels")
    panels.sort(key=lambda p: (p.grid["y"], p.grid["x"]))
    return doc.get("title", "dashboard"), panels


def _panel(raw, variables):
    where = f"panel {raw.get('id')} '{raw.get('title', '')}'"
    kind = raw.get("type")
    if kind not in PANEL_TYPES:
        raise DashboardError(f"{where}: panel type {kind!r} is not supported by the renderer")
    grid = raw.get("gridPos") or {}
    if any(not isinstance(grid.get(k), int) for k in ("x", "y", "w", "h")):
        raise DashboardError(f"{where}: gridPos needs integer x, y, w, h")
    defaults = raw.get("fieldConfig", {}).get("defaults", {})
    unit = defaults.get("unit", "short")
    targets = []
    if kind != "row":
        units.check_unit(unit)
        for t in raw.get("targets", []):
            expr = promql.substitute(t["expr"], variables)
            try:
                tree = promql.parse(expr)
            except promql.UnsupportedExpression as e:
                raise DashboardError(f"{where}, target {t.get('refId')}: {e}") from None
            targets.append(Target(t.get("refId", "?"), expr, t.get("legendFormat", ""), tree))
        if not targets:
            raise DashboardError(f"{where}: no targets")
    return Panel(raw.get("id"), kind, raw.get("title", ""), grid, unit, defaults.get("decimals"), targets, raw)


def legend(fmt, labels):
    """Grafana's legendFormat: {{label}} replaced by its value; no format shows the label set."""
    d = dict(labels)
    if not fmt or fmt == "__auto":
        return "{" + ", ".join(f'{k}="{v}"' for k, v in labels) + "}"
    return re.sub(r"\{\{\s*(\w+)\s*\}\}", lambda m: d.get(m.group(1), ""), fmt).strip()


def evaluate(panel, history, times):
    """[Series] of the panel over times, one per (target, label set), sorted as Grafana lists them."""
    out = []
    for target in panel.targets:
        by_labels = {}
        for k, t in enumerate(times):
            for labels, v in promql.evaluate(target.tree, history, t).items():
                pts = by_labels.setdefault(labels, [None] * len(times))
                pts[k] = v if not math.isnan(v) else None
        for labels in sorted(by_labels, key=lambda ls: legend(target.legend, ls)):
            out.append(Series(legend(target.legend, labels), list(zip(times, by_labels[labels]))))
    return out
