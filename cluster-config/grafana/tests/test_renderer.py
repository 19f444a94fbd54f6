"""Tests of the dashboard renderer: python3 -B -m unittest discover -s cluster-config/grafana/tests -v"""

import gzip
import json
import math
import os
import sys
import tempfile
import unittest
import importlib.util

GRAFANA = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, GRAFANA)
sys.dont_write_bytecode = True

from renderer import charts, dashboard, exposition, promql, units  # noqa: E402

_spec = importlib.util.spec_from_file_location("render_dashboard", os.path.join(GRAFANA, "render-dashboard.py"))
render_dashboard = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(render_dashboard)

NODE = "127.0.0.1:9095"


def history(*scrapes):
    """scrapes: (t, exposition text) of NODE."""
    h = promql.History()
    for t, text in scrapes:
        h.add(t, NODE, exposition.parse(text))
    return h


def value(expr, h, t):
    return promql.evaluate(promql.parse(expr), h, t)


class ExpositionTest(unittest.TestCase):
    def test_samples_with_escaped_labels_special_values_and_timestamps(self):
        text = '# TYPE x counter\nx_total{a="q\\"uote",b="back\\\\slash"} 3.0\ny_bucket{le="+Inf"} +Inf 1700000000\nz NaN\n'
        samples = exposition.parse(text)
        self.assertEqual(("x_total", {"a": 'q"uote', "b": "back\\slash"}, 3.0), samples[0])
        self.assertEqual(math.inf, samples[1][2])
        self.assertTrue(math.isnan(samples[2][2]))

    def test_a_malformed_line_names_its_number(self):
        with self.assertRaisesRegex(exposition.ExpositionError, r"node line 2: value 'abc' is not a number"):
            exposition.parse("ok 1\nbad{a=\"b\"} abc\n", source="node")
        with self.assertRaisesRegex(exposition.ExpositionError, "unterminated value of label a"):
            exposition.parse('bad{a="b} 1')


class ParserTest(unittest.TestCase):
    def test_the_supported_forms(self):
        tree = promql.parse('histogram_quantile(0.99, sum by (le, type) (rate(x_bucket{instance=~"a|b", code!="00"}[1m])))')
        self.assertEqual(promql.Quantile(0.99, promql.Aggregate("sum", ("le", "type"), promql.Rate(
            promql.Selector("x_bucket", (("instance", "=~", "a|b"), ("code", "!=", "00"))), 60))), tree)
        self.assertEqual(promql.Aggregate("max", ("endpoint",), promql.Selector("g", ())),
                         promql.parse("max(g) by (endpoint)"))
        self.assertIsInstance(promql.parse("sum(rate(a_sum[1m])) / sum(rate(a_count[1m]))"), promql.Divide)

    def test_anything_else_fails_loudly(self):
        for expr, reason in [("irate(x[1m])", "unsupported function"), ("x + y", "unsupported operator"),
                             ("sum without (a) (x)", "'without' is not supported"),
                             ("x[5m]", "only supported inside rate"), ("x offset 5m", "offset"),
                             ('x{a=~"("}', "bad regular expression"), ("rate(x[1m30s])", "cannot read '1m30s"),
                             ("x == 1", "unsupported operator")]:
            with self.subTest(expr=expr), self.assertRaisesRegex(promql.UnsupportedExpression, reason):
                promql.parse(expr)

    def test_variables_are_substituted_and_an_unknown_one_is_an_error(self):
        self.assertEqual('x{instance=~"a"}', promql.substitute('x{instance=~"${instance}"}', {"instance": "a"}))
        with self.assertRaisesRegex(promql.UnsupportedExpression, r"unknown dashboard variable \$__rate_interval"):
            promql.substitute("rate(x[$__rate_interval])", {"instance": "a"})

    def test_grafana_escapes_instances_for_the_regex_matcher(self):
        regex = render_dashboard.regex_of(["10.0.0.1:9095", "10.0.0.2:9095"])
        tree = promql.parse(f'x{{instance=~"{regex}"}}')
        self.assertEqual(r"(10\.0\.0\.1:9095|10\.0\.0\.2:9095)", tree.matchers[0][2])


class EvaluationTest(unittest.TestCase):
    def test_rate_is_per_second_over_the_window_and_survives_a_counter_reset(self):
        h = history((0, 'c_total{t="a"} 100'), (10, 'c_total{t="a"} 150'), (20, 'c_total{t="a"} 200'),
                    (30, 'c_total{t="a"} 20'), (40, 'c_total{t="a"} 70'))
        self.assertEqual({(("instance", NODE), ("t", "a")): 5.0}, value("rate(c_total[1m])", h, 20))
        # 100 -> 200 (+100), reset to 20 (+20), -> 70 (+50): 170 over 40 s
        self.assertAlmostEqual(170 / 40, value("rate(c_total[1m])", h, 40)[(("instance", NODE), ("t", "a"))])
        self.assertEqual({}, value("rate(c_total[1m])", h, 0), "one sample is no rate")

    def test_sum_by_and_matchers(self):
        def text(a, b, c):
            return f'r_total{{type="SALE",code="00"}} {a}\nr_total{{type="SALE",code="55"}} {b}\nr_total{{type="ECHO",code="00"}} {c}'
        h = history((0, text(0, 0, 0)), (10, text(100, 10, 20)))
        self.assertEqual({(("type", "SALE"),): 11.0, (("type", "ECHO"),): 2.0},
                         value("sum by (type) (rate(r_total[1m]))", h, 10))
        self.assertEqual({(("code", "55"),): 1.0}, value('sum by (code) (rate(r_total{code!="00"}[1m]))', h, 10))
        self.assertEqual({(): 12.0}, value('sum(rate(r_total{code=~"0+"}[1m]))', h, 10))
        ratio = value('sum(rate(r_total{code="00"}[1m])) / sum(rate(r_total[1m]))', h, 10)
        self.assertAlmostEqual(12 / 13, ratio[()])

    def test_histogram_quantile_interpolates_like_prometheus(self):
        def scrape(c1, c2, c3):
            return (f'l_bucket{{type="SALE",le="0.01"}} {c1}\nl_bucket{{type="SALE",le="0.1"}} {c2}\n'
                    f'l_bucket{{type="SALE",le="+Inf"}} {c3}')
        h = history((0, scrape(0, 0, 0)), (10, scrape(500, 900, 1000)))
        q = lambda x: value(f"histogram_quantile({x}, sum by (le, type) (rate(l_bucket[1m])))", h, 10)[(("type", "SALE"),)]
        self.assertAlmostEqual(0.005, q(0.25))               # rank 250 of 500 in [0, 0.01]
        self.assertAlmostEqual(0.01 + 0.09 * 0.5, q(0.7))    # rank 700: 200 of the 400 in [0.01, 0.1]
        self.assertAlmostEqual(0.1, q(0.99))                 # in +Inf: the highest finite bound
        self.assertTrue(math.isnan(promql.histogram_quantile(0.5, [(0.1, 0), (math.inf, 0)])))
        self.assertTrue(math.isnan(promql.histogram_quantile(0.5, [(0.1, 3), (1.0, 5)])), "no +Inf bucket")

    def test_quantile_without_le_in_the_grouping_is_refused(self):
        h = history((0, 'l_bucket{le="1"} 0\nl_bucket{le="+Inf"} 0'), (10, 'l_bucket{le="1"} 5\nl_bucket{le="+Inf"} 5'))
        with self.assertRaisesRegex(promql.UnsupportedExpression, "without an 'le' label"):
            value("histogram_quantile(0.5, sum(rate(l_bucket[1m])))", h, 10)

    def test_a_gauge_missing_from_the_last_scrape_is_stale(self):
        h = history((0, 'g{endpoint="core"} 1\ng{endpoint="cups"} 1'), (10, 'g{endpoint="core"} 0'))
        self.assertEqual({(("endpoint", "core"), ("instance", NODE)): 0.0}, value("g", h, 10))
        self.assertEqual(2, len(value("g", h, 5)))

    def test_division_by_zero_is_not_a_number_or_infinite(self):
        h = history((0, "a_sum 0\na_count 0"), (10, "a_sum 0\na_count 0"))
        self.assertTrue(math.isnan(value("sum(rate(a_sum[1m])) / sum(rate(a_count[1m]))", h, 10)[()]))


class UnitsTest(unittest.TestCase):
    def test_grafana_like_formatting(self):
        self.assertEqual("12.5 ms", units.fmt(0.0125, "s"))
        self.assertEqual("250 µs", units.fmt(0.00025, "s"))
        self.assertEqual("223 MiB", units.fmt(223 * 1024 * 1024, "bytes"))
        self.assertEqual("97.5%", units.fmt(0.975, "percentunit", 1))
        self.assertEqual("1.5 K req/s", units.fmt(1500, "reqps"))
        self.assertEqual("–", units.fmt(None, "s"))
        with self.assertRaisesRegex(ValueError, "unit 'ops' is not supported"):
            units.check_unit("ops")
        self.assertEqual([0, 20, 40, 60, 80, 100], units.ticks(0, 97))


class ChartsTest(unittest.TestCase):
    def test_a_state_timeline_merges_runs_and_colours_them_by_mapping(self):
        points = [(0, 1.0), (10, 1.0), (20, 0.0), (30, None), (40, 1.0)]
        self.assertEqual([(0, 20, 1.0), (20, 30, 0.0), (40, 50, 1.0)], charts._states(points, 50))
        svg = charts.state_timeline([charts.Series("core/core-1.1", points)], 0, 50, 400, 100,
                                    {"0": {"text": "DOWN", "color": "red"}, "1": {"text": "UP", "color": "green"}})
        self.assertEqual(2, svg.count('fill="#73BF69" fill-opacity="0.8"'))
        self.assertEqual(1, svg.count('fill="#F2495C" fill-opacity="0.8"'))

    def test_no_finite_value_is_no_data(self):
        self.assertIn("No data", charts.timeseries([charts.Series("x", [(0, None), (1, None)])], 0, 1, 300, 200, "s"))


class DashboardTest(unittest.TestCase):
    def test_every_expression_of_the_real_dashboard_can_be_evaluated(self):
        _, panels = dashboard.load(os.path.join(GRAFANA, "posp-switch-dashboard.json"), {"instance": ".*"})
        self.assertGreaterEqual(sum(len(p.targets) for p in panels), 25)
        self.assertEqual(6, sum(p.type == "row" for p in panels))

    def test_an_unsupported_expression_names_the_panel(self):
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "d.json")
            with open(path, "w") as f:
                json.dump({"panels": [{"id": 7, "type": "timeseries", "title": "T", "gridPos": {"x": 0, "y": 0, "w": 1, "h": 1},
                                       "targets": [{"refId": "A", "expr": "irate(x[1m])"}]}]}, f)
            with self.assertRaisesRegex(dashboard.DashboardError, "panel 7 'T', target A: unsupported function"):
                dashboard.load(path, {})

    def test_legend_format(self):
        self.assertEqual("n1 SALE", dashboard.legend("{{instance}} {{ type }}", (("instance", "n1"), ("type", "SALE"))))
        self.assertEqual('{type="SALE"}', dashboard.legend("", (("type", "SALE"),)))


class ReplayTest(unittest.TestCase):
    def test_a_replay_renders_the_page_with_values_and_no_data_panels(self):
        scrapes = []
        for k in range(40):      # 10 SALE/s approved, 1/s declined 55; 3 tcp connections
            scrapes.append({"t": 1_700_000_000 + 2 * k, "instance": NODE, "text":
                            f'posp_terminal_requests_total{{type="SALE",code="00"}} {20 * k}\n'
                            f'posp_terminal_requests_total{{type="SALE",code="55"}} {2 * k}\n'
                            f'posp_terminal_connections{{front="tcp"}} 3\n'})
        with tempfile.TemporaryDirectory() as d:
            with gzip.open(os.path.join(d, "scrapes.json.gz"), "wt") as f:
                json.dump({"interval": 2, "warmup": 60, "scrapes": scrapes}, f)
            out = os.path.join(d, "out")
            self.assertEqual(0, render_dashboard.main(["--replay", os.path.join(d, "scrapes.json.gz"),
                                                       "--out", out, "--no-screenshot", "--node", "node-1"]))
            with open(os.path.join(out, "dashboard.html"), encoding="utf-8") as f:
                html = f.read()
        self.assertIn("POSP switch \u2014 node-1 \u2014 rendered from live metrics", html)
        self.assertIn(">SALE</text>", html)
        self.assertIn(">11 req/s</text>", html)          # stacked requests by type: Last
        self.assertIn(">declined 55</text>", html)
        self.assertIn(">90.9%</text>", html)             # approval rate stat, 1 decimal
        self.assertIn(">127.0.0.1:9095 tcp</text>", html)
        self.assertIn("No data", html)                    # e.g. the card-bus panels: not in these scrapes
        self.assertIn("10 scrapes every 2 s", html)       # 40 rounds minus the 60 s warm-up


if __name__ == "__main__":
    unittest.main()
