"""Benchmarks that print figures (never timed assertions): `python3 bench/run.py` runs them all."""
