"""A small PromQL evaluator for exactly the forms the POSP dashboard uses, failing loudly on anything else.

Supported (nothing more, on purpose: a form we cannot evaluate faithfully must not be drawn):
  metric{label="v", label!="v", label=~"re", label!~"re"}        instant selector (gauges)
  rate(metric{...}[1m])                                          per-second rate of a counter
  sum|max|min|avg [by (l, ...)] (expr)   and   ... (expr) by (l, ...)
  histogram_quantile(0.99, sum by (le, ...) (rate(x_bucket{...}[1m])))
  expr / expr                                                    one-to-one on identical label sets
Grafana's $instance / ${instance} is substituted by the caller; any other variable is an error.

rate() takes the increase between the first and last sample inside the window (counter resets
handled) divided by their distance in time; unlike Prometheus it does not extrapolate to the window
edges, which matters only for the first window of a recording.
"""

import bisect
import math
import re
from dataclasses import dataclass


class UnsupportedExpression(ValueError):
    """An expression outside the supported subset, or not valid PromQL at all."""


# ---- syntax tree

@dataclass(frozen=True)
class Selector:
    name: str
    matchers: tuple  # ((label, op, value), ...)


@dataclass(frozen=True)
class Rate:
    selector: Selector
    seconds: float


@dataclass(frozen=True)
class Aggregate:
    op: str
    by: tuple
    expr: object


@dataclass(frozen=True)
class Quantile:
    q: float
    expr: object


@dataclass(frozen=True)
class Divide:
    left: object
    right: object


AGGREGATIONS = ("sum", "max", "min", "avg")
_DURATION = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400}
_TOKEN = re.compile(r"""
    (?P<ws>\s+)
  | (?P<number>[0-9]+(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?(?![a-zA-Z_]))
  | (?P<duration>[0-9]+(?:ms|s|m|h|d)(?![a-zA-Z0-9_]))
  | (?P<ident>[a-zA-Z_:][a-zA-Z0-9_:]*)
  | (?P<string>"(?:[^"\\]|\\.)*")
  | (?P<op>=~|!~|!=|==|>=|<=|[(){}\[\],=/*+\-%^<>@])
""", re.VERBOSE)


def substitute(expr, variables):
    """Replaces $name and ${name} from variables (name -> text); an unknown variable is an error."""
    def repl(m):
        name = m.group(1) or m.group(2)
        if name not in variables:
            raise UnsupportedExpression(f"unknown dashboard variable ${name} in {expr!r}")
        return variables[name]
    return re.sub(r"\$\{(\w+)\}|\$(\w+)", repl, expr)


def _tokens(text):
    pos, out = 0, []
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m:
            raise UnsupportedExpression(f"cannot read {text[pos:pos + 20]!r} at column {pos + 1} of {text!r}")
        pos = m.end()
        if m.lastgroup != "ws":
            out.append((m.lastgroup, m.group(m.lastgroup)))
    return out


class _Parser:
    def __init__(self, text):
        self.text = text
        self.toks = _tokens(text)
        self.i = 0

    def fail(self, what):
        near = " ".join(t[1] for t in self.toks[self.i:self.i + 4]) or "the end"
        return UnsupportedExpression(f"{what} near '{near}' in {self.text!r}")

    def peek(self, k=0):
        j = self.i + k
        return self.toks[j] if j < len(self.toks) else (None, None)

    def take(self, kind=None, value=None):
        tok = self.peek()
        if tok[0] is None or (kind and tok[0] != kind) or (value and tok[1] != value):
            raise self.fail(f"expected {value or kind}")
        self.i += 1
        return tok[1]

    def parse(self):
        e = self.expr()
        if self.i != len(self.toks):
            raise self.fail("unsupported operator or trailing input")
        return e

    def expr(self):
        left = self.unary()
        while self.peek() == ("op", "/"):
            self.i += 1
            left = Divide(left, self.unary())
        return left

    def unary(self):
        kind, value = self.peek()
        if (kind, value) == ("op", "("):
            self.i += 1
            e = self.expr()
            self.take("op", ")")
            return e
        if kind != "ident":
            raise self.fail("expected a selector or a function")
        if value in AGGREGATIONS:
            return self.aggregate()
        if value == "rate":
            return self.rate()
        if value == "histogram_quantile":
            return self.quantile()
        if self.peek(1) == ("op", "("):
            raise self.fail(f"unsupported function or aggregation {value}()")
        sel = self.selector()
        if self.peek() == ("op", "["):
            raise self.fail("a range vector is only supported inside rate()")
        return sel

    def aggregate(self):
        op = self.take("ident")
        by = self.by() if self.peek() == ("ident", "by") else None
        if self.peek() == ("ident", "without"):
            raise self.fail("'without' is not supported")
        self.take("op", "(")
        e = self.expr()
        self.take("op", ")")
        if self.peek() == ("ident", "by"):
            if by is not None:
                raise self.fail("'by' given twice")
            by = self.by()
        return Aggregate(op, by or (), e)

    def by(self):
        self.take("ident", "by")
        self.take("op", "(")
        labels = [self.take("ident")]
        while self.peek() == ("op", ","):
            self.i += 1
            labels.append(self.take("ident"))
        self.take("op", ")")
        return tuple(labels)

    def rate(self):
        self.take("ident", "rate")
        self.take("op", "(")
        sel = self.selector()
        self.take("op", "[")
        d = self.take("duration")
        self.take("op", "]")
        self.take("op", ")")
        unit = re.search(r"[a-z]+$", d).group(0)
        return Rate(sel, int(d[:-len(unit)]) * _DURATION[unit])

    def quantile(self):
        self.take("ident", "histogram_quantile")
        self.take("op", "(")
        q = float(self.take("number"))
        self.take("op", ",")
        e = self.expr()
        self.take("op", ")")
        return Quantile(q, e)

    def selector(self):
        name = self.take("ident")
        if name in ("by", "without", "offset", "on", "ignoring", "and", "or", "unless", "bool"):
            raise self.fail(f"'{name}' is not supported here")
        matchers = []
        if self.peek() == ("op", "{"):
            self.i += 1
            while self.peek() != ("op", "}"):
                label = self.take("ident")
                kind, op = self.peek()
                if op not in ("=", "!=", "=~", "!~"):
                    raise self.fail(f"expected a matcher operator after {label}")
                self.i += 1
                raw = self.take("string")
                value = re.sub(r"\\(.)", r"\1", raw[1:-1])
                if op in ("=~", "!~"):
                    try:
                        re.compile(value)
                    except re.error as e:
                        raise self.fail(f"bad regular expression {value!r} ({e})") from None
                matchers.append((label, op, value))
                if self.peek() == ("op", ","):
                    self.i += 1
            self.take("op", "}")
        if self.peek() == ("ident", "offset") or self.peek() == ("op", "@"):
            raise self.fail("offset and @ are not supported")
        return Selector(name, tuple(matchers))


def parse(text):
    """Parses one expression of the supported subset; UnsupportedExpression otherwise."""
    return _Parser(text).parse()


def metric_names(node):
    """The metric names an expression reads."""
    if isinstance(node, Selector):
        return {node.name}
    if isinstance(node, Rate):
        return {node.selector.name}
    if isinstance(node, (Aggregate, Quantile)):
        return metric_names(node.expr)
    return metric_names(node.left) | metric_names(node.right)


def longest_range(node):
    """The longest rate() window of an expression, in seconds (0 without one)."""
    if isinstance(node, Selector):
        return 0
    if isinstance(node, Rate):
        return node.seconds
    if isinstance(node, (Aggregate, Quantile)):
        return longest_range(node.expr)
    return max(longest_range(node.left), longest_range(node.right))


# ---- evaluation

class History:
    """Scrapes of one or more nodes: each scrape is (time, instance, [(name, labels, value)])."""

    def __init__(self):
        self._series = {}     # name -> {labels tuple: ([times], [values])}
        self._scrapes = {}    # instance -> [times]

    def add(self, t, instance, samples):
        times = self._scrapes.setdefault(instance, [])
        if times and t <= times[-1]:
            raise ValueError(f"scrapes of {instance} out of order")
        times.append(t)
        for name, labels, value in samples:
            key = tuple(sorted({**labels, "instance": instance}.items()))
            ts, vs = self._series.setdefault(name, {}).setdefault(key, ([], []))
            ts.append(t)
            vs.append(value)

    def names(self):
        return set(self._series)

    def series(self, name):
        return self._series.get(name, {})

    def last_scrape(self, instance, t):
        times = self._scrapes.get(instance, [])
        k = bisect.bisect_right(times, t)
        return times[k - 1] if k else None


def _matches(labels, matchers):
    d = dict(labels)
    for label, op, value in matchers:
        actual = d.get(label, "")
        if op == "=" and actual != value or op == "!=" and actual == value:
            return False
        if op == "=~" and not re.fullmatch(value, actual) or op == "!~" and re.fullmatch(value, actual):
            return False
    return True


def evaluate(node, history, t):
    """The instant vector {labels tuple (without __name__ after functions): value} of node at time t."""
    if isinstance(node, Selector):
        out = {}
        for key, (ts, vs) in history.series(node.name).items():
            if not _matches(key, node.matchers):
                continue
            last = history.last_scrape(dict(key)["instance"], t)
            k = bisect.bisect_right(ts, t)
            if last is not None and k and ts[k - 1] == last:   # absent from the last scrape = stale
                out[key] = vs[k - 1]
        return out
    if isinstance(node, Rate):
        out = {}
        for key, (ts, vs) in history.series(node.selector.name).items():
            if not _matches(key, node.selector.matchers):
                continue
            lo, hi = bisect.bisect_left(ts, t - node.seconds), bisect.bisect_right(ts, t)
            if hi - lo >= 2:
                out[key] = _increase(vs[lo:hi]) / (ts[hi - 1] - ts[lo])
        return out
    if isinstance(node, Aggregate):
        groups = {}
        for key, v in evaluate(node.expr, history, t).items():
            d = dict(key)
            groups.setdefault(tuple((b, d.get(b, "")) for b in sorted(node.by) if b in d), []).append(v)
        return {k: _aggregate(node.op, vs) for k, vs in groups.items()}
    if isinstance(node, Quantile):
        buckets = {}
        for key, v in evaluate(node.expr, history, t).items():
            d = dict(key)
            if "le" not in d:
                raise UnsupportedExpression("histogram_quantile over series without an 'le' label "
                                            "(aggregate with 'by (le, ...)')")
            group = tuple((k, x) for k, x in key if k not in ("le", "__name__"))
            buckets.setdefault(group, []).append((float(d["le"]), v))
        return {k: histogram_quantile(node.q, b) for k, b in buckets.items()}
    if isinstance(node, Divide):
        left, right = evaluate(node.left, history, t), evaluate(node.right, history, t)
        strip = lambda key: tuple(kv for kv in key if kv[0] != "__name__")
        rights = {strip(k): v for k, v in right.items()}
        out = {}
        for key, v in left.items():
            r = rights.get(strip(key))
            if r is not None:
                out[strip(key)] = v / r if r else (math.nan if v == 0 or math.isnan(v) else math.copysign(math.inf, v))
        return out
    raise UnsupportedExpression(f"cannot evaluate {node!r}")


def _increase(values):
    total = 0.0
    for prev, cur in zip(values, values[1:]):
        total += cur - prev if cur >= prev else cur   # a smaller value is a counter reset (node restart)
    return total


def _aggregate(op, values):
    if op == "sum":
        return math.fsum(values)
    if op == "max":
        return max(values)
    if op == "min":
        return min(values)
    return math.fsum(values) / len(values)


def histogram_quantile(q, buckets):
    """Prometheus' bucketQuantile: linear interpolation inside the bucket holding rank q * count."""
    if q < 0:
        return -math.inf
    if q > 1:
        return math.inf
    buckets = sorted(buckets)
    if len(buckets) < 2 or buckets[-1][0] != math.inf:
        return math.nan
    counts, top = [], 0.0
    for _, c in buckets:            # rates of cumulative buckets can dip by float noise: keep them monotonic
        top = max(top, c)
        counts.append(top)
    observations = counts[-1]
    if observations == 0 or math.isnan(observations):
        return math.nan
    rank = q * observations
    b = next(i for i, c in enumerate(counts) if c >= rank)
    if b == len(buckets) - 1:
        return buckets[-2][0]
    if b == 0 and buckets[0][0] <= 0:
        return buckets[0][0]
    start, end, count = 0.0, buckets[b][0], counts[b]
    if b > 0:
        start = buckets[b - 1][0]
        count -= counts[b - 1]
        rank -= counts[b - 1]
    return start + (end - start) * (rank / count)
