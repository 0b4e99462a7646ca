"""City-scale benchmarks (run as python -m benchmarks)."""
