"""Renders the POSP Grafana dashboard from live Prometheus metrics without Grafana (standard library only)."""
