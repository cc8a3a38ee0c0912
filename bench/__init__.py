"""Benchmarks, run by hand (never by the test suite); results go to docs/PERFORMANCE.md."""
