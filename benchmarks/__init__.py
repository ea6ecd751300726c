"""Benchmarks: each module prints ``metric_name: value`` lines first, then details."""
