"""Parser of the Prometheus text exposition format (version 0.0.4), as Kamon's reporter writes it.

Only what a scrape needs: samples with labels and a value; comments (# HELP, # TYPE) are skipped.
A malformed line is an error naming the line, never silently dropped: a picture drawn from half a
scrape would look plausible and be wrong.
"""

import math
import re

_NAME = re.compile(r"[a-zA-Z_:][a-zA-Z0-9_:]*")
_LABEL_NAME = re.compile(r"[a-zA-Z_][a-zA-Z0-9_]*")
_ESCAPES = {"\\": "\\", '"': '"', "n": "\n"}


class ExpositionError(ValueError):
    """A /metrics body that is not valid exposition text."""


def parse(text, source="metrics"):
    """Returns [(name, {label: value}, float)] for every sample line of text."""
    samples = []
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        try:
            samples.append(_sample(line))
        except ExpositionError as e:
            raise ExpositionError(f"{source} line {number}: {e}: {line[:200]!r}") from None
    return samples


def _sample(line):
    m = _NAME.match(line)
    if not m:
        raise ExpositionError("no metric name")
    name, pos = m.group(0), m.end()
    labels = {}
    if pos < len(line) and line[pos] == "{":
        labels, pos = _labels(line, pos + 1)
    rest = line[pos:].split()
    if len(rest) not in (1, 2):
        raise ExpositionError("expected a value and an optional timestamp after the labels")
    return name, labels, _value(rest[0])


def _labels(line, pos):
    labels = {}
    while True:
        while pos < len(line) and line[pos] in " ,":
            pos += 1
        if pos < len(line) and line[pos] == "}":
            return labels, pos + 1
        m = _LABEL_NAME.match(line, pos)
        if not m:
            raise ExpositionError(f"bad label name at column {pos + 1}")
        key, pos = m.group(0), m.end()
        if line[pos:pos + 2] != '="':
            raise ExpositionError(f'expected =" after label {key}')
        pos += 2
        value = []
        while True:
            if pos >= len(line):
                raise ExpositionError(f"unterminated value of label {key}")
            c = line[pos]
            if c == "\\":
                if pos + 1 >= len(line) or line[pos + 1] not in _ESCAPES:
                    raise ExpositionError(f"bad escape in label {key}")
                value.append(_ESCAPES[line[pos + 1]])
                pos += 2
            elif c == '"':
                pos += 1
                break
            else:
                value.append(c)
                pos += 1
        if key in labels:
            raise ExpositionError(f"label {key} twice")
        labels[key] = "".join(value)


def _value(text):
    special = {"+Inf": math.inf, "Inf": math.inf, "-Inf": -math.inf, "NaN": math.nan}
    if text in special:
        return special[text]
    try:
        return float(text)
    except ValueError:
        raise ExpositionError(f"value {text!r} is not a number") from None
