"""Benchmarks of the production setup: `python -m bench` (see bench/README.md). Never part of the tests' pass or fail."""
