"""Benchmarks of Kaoping at province scale (docs/performance.md); ``make bench`` runs bench/run.py."""
