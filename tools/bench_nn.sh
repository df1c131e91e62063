#!/bin/sh
# Neural-network training benchmark: Swift (release, OpenBLAS SkylakeX kernels, one BLAS thread,
# batch split over 2 workers) against PyTorch and JAX on 2 threads, same nets.
# Usage: PYTHON=/path/to/venv/bin/python tools/bench_nn.sh [seconds-per-case]   (from the repository root;
# the Python needs torch and jax: pip install torch "jax[cpu]")
set -e
SECONDS_PER_CASE=${1:-3}
swift build -c release --product Benchmarks >/dev/null
echo "# $(date -u +%FT%TZ) load: $(cut -d' ' -f1-3 /proc/loadavg) cores: $(nproc)"
OPENBLAS_CORETYPE=SkylakeX .build/release/Benchmarks --threads 2 --seconds "$SECONDS_PER_CASE"
.build/release/Benchmarks --threads 2 --seconds "$SECONDS_PER_CASE" --net b
"${PYTHON:-python3}" tools/bench_nn.py --threads 2 --seconds "$SECONDS_PER_CASE" 2>/dev/null
