"""Benchmarks: scripts that print figures (bench/README.md); never part of the tests."""
