"""`make bench` / `make bench-small`: how fast and how lean a refresh is, rerunnable by anyone.

See docs/benchmarks.md. ``python -m benchmarks.run --mode small|full`` generates the SYNTHETIC set
(scripts/generate_synthetic_national.py), measures every stage and scenario as wall time and peak
memory of the whole process tree (benchmarks/monitor.py), and writes benchmarks/results/.
"""
