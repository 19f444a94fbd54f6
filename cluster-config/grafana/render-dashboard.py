#!/usr/bin/env python3
"""Renders posp-switch-dashboard.json from a live node's real metrics, without Grafana.

Scrapes GET /metrics of one or more nodes every --interval seconds for --seconds, evaluates every
panel's PromQL (the subset in renderer/promql.py; anything else stops the run before sampling),
writes <out>/dashboard.html (self-contained, Grafana's grid and dark theme), <out>/scrapes.json.gz
(the raw scrapes, for --replay) and, when /usr/bin/chromium exists, <out>/dashboard.png.

  python3 render-dashboard.py --metrics http://127.0.0.1:9095/metrics --seconds 60 --interval 2 --out /tmp/dash
  python3 render-dashboard.py --replay /tmp/dash/scrapes.json.gz --out /tmp/dash2
  python3 render-dashboard.py --check          (parse every expression of the dashboard, sample nothing)

Standard library only. Exit code 0 on success, 1 on any error (the message says which URL, panel or line).
"""

import sys

sys.dont_write_bytecode = True     # keep the source tree free of __pycache__

import argparse
import gzip
import json
import os
import re
import shutil
import subprocess
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request

from renderer import dashboard, exposition, page, promql

HERE = os.path.dirname(os.path.abspath(__file__))
CHROMIUM = "/usr/bin/chromium"


def arguments(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--dashboard", default=os.path.join(HERE, "posp-switch-dashboard.json"))
    p.add_argument("--metrics", action="append", default=[], metavar="URL",
                   help="a node's metrics URL (repeat for several nodes)")
    p.add_argument("--seconds", type=float, default=60, help="time span charted (default 60)")
    p.add_argument("--warmup", type=float, help="seconds sampled before the charted span so that every rate() "
                   "window is full from the first point (default: the longest window of the dashboard)")
    p.add_argument("--interval", type=float, default=2, help="seconds between scrapes (default 2)")
    p.add_argument("--timeout", type=float, default=10, help="seconds a scrape may take (default 10, as Prometheus)")
    p.add_argument("--out", help="output directory (created)")
    p.add_argument("--node", help="node name in the page title (default: the scraped instances)")
    p.add_argument("--width", type=int, default=1600, help="page width in pixels (default 1600)")
    p.add_argument("--replay", metavar="SCRAPES", help="render from a scrapes.json.gz of an earlier run")
    p.add_argument("--no-screenshot", action="store_true", help="write the HTML page only")
    p.add_argument("--check", action="store_true", help="only check that every panel can be evaluated")
    a = p.parse_args(argv)
    if not a.check:
        if not a.out:
            p.error("--out is required")
        if bool(a.metrics) == bool(a.replay):
            p.error("give either --metrics URL (one or more) or --replay FILE")
    if a.interval <= 0 or a.seconds < a.interval:
        p.error("--interval must be > 0 and --seconds at least one interval")
    return a


def instance_of(url):
    """Prometheus' default instance label: host:port of the scrape target."""
    u = urllib.parse.urlsplit(url)
    if u.scheme not in ("http", "https") or not u.hostname:
        raise ValueError(f"--metrics {url!r} is not an http(s) URL")
    port = u.port or (443 if u.scheme == "https" else 80)
    return f"{u.hostname}:{port}"


def regex_of(instances):
    """$instance as Grafana formats a multi-value variable for a Prometheus regex: escaped, (a|b)."""
    escaped = [re.sub(r"([\\.+*?()|\[\]{}^$])", r"\\\\\1", i) for i in instances]
    return escaped[0] if len(escaped) == 1 else "(" + "|".join(escaped) + ")"


def scrape(url, timeout):
    try:
        with urllib.request.urlopen(url, timeout=timeout) as r:
            return r.read().decode("utf-8")
    except (urllib.error.URLError, OSError) as e:
        raise RuntimeError(f"cannot scrape {url}: {getattr(e, 'reason', e)}") from None


def sample(urls, seconds, interval, timeout):
    """[(t, instance, text)], every interval seconds on a fixed schedule (a slow scrape does not drift it;
    one slower than the interval delays the next round, which then runs at once)."""
    rounds = int(round(seconds / interval)) + 1
    start, scrapes = time.monotonic(), []
    for k in range(rounds):
        delay = start + k * interval - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        for url in urls:
            scrapes.append((time.time(), instance_of(url), scrape(url, timeout)))
        if k % 10 == 0 or k == rounds - 1:
            print(f"scrape {k + 1}/{rounds}", file=sys.stderr)
    return scrapes


def screenshot(html_path, png_path, width, height):
    profile = tempfile.mkdtemp(prefix="posp-dash-chromium-")
    try:
        cmd = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
               "--disable-background-networking", "--disable-component-update", "--disable-sync",
               "--hide-scrollbars", f"--user-data-dir={profile}", f"--screenshot={png_path}",
               f"--window-size={width},{height}", "file://" + os.path.abspath(html_path)]
        print(" ".join(cmd), file=sys.stderr)
        if os.path.exists(png_path):
            os.remove(png_path)
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=180)
        if done.returncode != 0 or not os.path.exists(png_path):
            raise RuntimeError(f"chromium failed (exit {done.returncode}): {done.stderr.strip()[-800:]}")
    finally:
        shutil.rmtree(profile, ignore_errors=True)


def main(argv):
    a = arguments(argv)
    if a.replay:
        with gzip.open(a.replay, "rt", encoding="utf-8") as f:
            saved = json.load(f)
        scrapes = [(s["t"], s["instance"], s["text"]) for s in saved["scrapes"]]
        interval, warmup = saved["interval"], saved["warmup"] if a.warmup is None else a.warmup
    else:
        scrapes, interval, warmup = None, a.interval, a.warmup
    instances = sorted({s[1] for s in scrapes}) if scrapes else [instance_of(u) for u in a.metrics] or ["check"]
    title, panels = dashboard.load(a.dashboard, {"instance": regex_of(instances)})
    if a.check:
        print(f"{a.dashboard}: {sum(len(p.targets) for p in panels)} expressions in "
              f"{sum(p.type != 'row' for p in panels)} panels can be evaluated")
        return 0
    if warmup is None:
        warmup = max(promql.longest_range(t.tree) for p in panels for t in p.targets)
    if scrapes is None:
        print(f"sampling {', '.join(a.metrics)} for {warmup:g} s (rate windows) + {a.seconds:g} s (charted)",
              file=sys.stderr)
        scrapes = sample(a.metrics, warmup + a.seconds, a.interval, a.timeout)
    os.makedirs(a.out, exist_ok=True)
    if not a.replay:
        with gzip.open(os.path.join(a.out, "scrapes.json.gz"), "wt", encoding="utf-8") as f:
            json.dump({"interval": interval, "warmup": warmup, "scrapes": [{"t": t, "instance": i, "text": x} for t, i, x in scrapes]}, f)

    history, rounds = promql.History(), {}
    for t, instance, text in scrapes:
        history.add(t, instance, exposition.parse(text, source=f"{instance} at {time.strftime('%H:%M:%S', time.localtime(t))}"))
        rounds.setdefault(instance, []).append(t)
    # evaluate once per round, at the moment the last node of the round was scraped, after the warm-up
    times = [max(ts) for ts in zip(*rounds.values())]
    times = [t for t in times if t >= times[0] + warmup - interval / 2]
    if len(times) < 2:
        raise ValueError(f"{len(times)} scrape rounds after the {warmup:g} s warm-up: nothing to chart")
    data = {p.id: dashboard.evaluate(p, history, times) for p in panels if p.type != "row"}
    empty = [p.title for p in panels if p.type != "row" and not any(v is not None for s in data[p.id] for _, v in s.points)]

    node = a.node or ", ".join(instances)
    heading = f"POSP switch \u2014 {node} \u2014 rendered from live metrics"
    html = page.render(heading, page.subtitle(title, times[0], times[-1], len(times), interval, instances,
                                             max(promql.longest_range(t.tree) for p in panels for t in p.targets)),
                       panels, data, times[0], times[-1], a.width)
    html_path = os.path.join(a.out, "dashboard.html")
    with open(html_path, "w", encoding="utf-8") as f:
        f.write(html)
    print(f"wrote {html_path} ({len(times)} points per series, {len(empty)} of "
          f"{len(data)} panels without data{': ' + '; '.join(empty) if empty else ''})")
    if not a.no_screenshot:
        if os.path.exists(CHROMIUM):
            png = os.path.join(a.out, "dashboard.png")
            screenshot(html_path, png, a.width, page.height(panels))
            print(f"wrote {png}")
        else:
            print(f"{CHROMIUM} not found (apt-get install -y chromium): HTML only", file=sys.stderr)
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except (dashboard.DashboardError, promql.UnsupportedExpression, exposition.ExpositionError,
            RuntimeError, ValueError, OSError) as e:
        print(f"render-dashboard: {e}", file=sys.stderr)
        sys.exit(1)
