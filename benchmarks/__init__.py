"""Performance measurements, run on demand (`make benchmarks`; see benchmarks/run.py)."""
