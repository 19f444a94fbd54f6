"""Grafana units, colours and axis ticks, for the units the POSP dashboard uses."""

import math
import time

# Grafana's "classic palette" and named colours of the dark theme.
PALETTE = ["#7EB26D", "#EAB839", "#6ED0E0", "#EF843C", "#E24D42", "#1F78C1", "#BA43A9", "#705DA0",
           "#508642", "#CCA300", "#447EBC", "#C15C17", "#890F02", "#0A437C", "#6D1F62", "#584477"]
NAMED = {"green": "#73BF69", "red": "#F2495C", "orange": "#FF9830", "yellow": "#FADE2A", "blue": "#5794F2",
         "purple": "#B877D9", "text": "#CCCCDC", "transparent": "transparent"}
UNITS = ("reqps", "s", "bytes", "percent", "percentunit", "short", "none")


def color(name):
    """A Grafana colour name or #rgb; an unknown name is an error, not a silent black."""
    if name.startswith("#") or name.startswith("rgb"):
        return name
    if name not in NAMED:
        raise ValueError(f"unknown Grafana colour {name!r}")
    return NAMED[name]


def check_unit(unit):
    if unit not in UNITS:
        raise ValueError(f"unit {unit!r} is not supported by the renderer (supported: {', '.join(UNITS)})")


def _trim(x, decimals):
    """Fixed decimals when the panel sets them, otherwise a few significant digits without trailing zeros."""
    if decimals is not None:
        return f"{x:.{decimals}f}"
    auto = 0 if abs(x) >= 100 else 1 if abs(x) >= 10 else 2 if abs(x) >= 1 else 3
    text = f"{x:.{auto}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _scaled(x, steps, decimals):
    """steps: [(factor, suffix)] from largest to smallest."""
    for factor, suffix in steps:
        if abs(x) >= factor:
            return _trim(x / factor, decimals) + suffix
    return _trim(x / steps[-1][0], decimals) + steps[-1][1]


def fmt(x, unit, decimals=None):
    """x in the panel's unit, as Grafana would print it (approximately: same suffixes and scaling)."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "–"
    if math.isinf(x):
        return "∞" if x > 0 else "-∞"
    if unit == "percent":
        return _trim(x, decimals) + "%"
    if unit == "percentunit":
        return _trim(x * 100, decimals) + "%"
    if unit == "bytes":
        return _scaled(x, [(1024 ** 3, " GiB"), (1024 ** 2, " MiB"), (1024, " KiB"), (1, " B")], decimals)
    if unit == "s":
        if x == 0:
            return "0 s"
        return _scaled(x, [(3600, " h"), (60, " min"), (1, " s"), (1e-3, " ms"), (1e-6, " µs")], decimals)
    short = _scaled(x, [(1e9, " Bil"), (1e6, " Mil"), (1e3, " K"), (1, "")], decimals) if x else "0"
    return short + (" req/s" if unit == "reqps" else "")


def ticks(lo, hi, count=5, integer=False):
    """Round axis ticks covering [lo, hi]; whole numbers only for integer (a panel with 0 decimals)."""
    if hi <= lo:
        hi = lo + 1
    raw = (hi - lo) / count
    mag = 10 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw)
    if integer:
        step = max(1, math.ceil(step))
    start = math.floor(lo / step) * step
    out, v = [], start
    while v <= hi + step * 1e-9 and len(out) < 50:
        out.append(round(v, 12))
        v += step
    if out[-1] < hi:
        out.append(round(out[-1] + step, 12))
    return out


def clock(t):
    return time.strftime("%H:%M:%S", time.localtime(t))


def time_ticks(t0, t1, count=6):
    span = max(t1 - t0, 1)
    step = next(s for s in (1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200) if s * count >= span)
    first = math.ceil(t0 / step) * step
    return [t for t in range(int(first), int(t1) + 1, step)]
