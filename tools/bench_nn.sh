#!/bin/sh
# Neural-network training benchmark: Swift (release, one BLAS thread, batch split over 2 workers)
# against PyTorch (and JAX for nets a and b) on 2 threads, same nets.
# Usage: PYTHON=/path/to/venv/bin/python tools/bench_nn.sh [seconds-per-case] [family]
#   (from the repository root; the Python needs torch, and jax for nets a and b).
#   With `family` as second argument, only the autoencoder family (conv, tcn, lstm, dense on
#   78 x 92 spectrograms and 3 x 3000 waveforms, batch 32) against PyTorch.
# OPENBLAS_CORETYPE=SkylakeX is set only on a CPU with AVX-512 (avx512f in /proc/cpuinfo): on
# one without, OpenBLAS's SkylakeX kernels crash with an illegal instruction.
set -e
SECONDS_PER_CASE=${1:-3}
if grep -qw avx512f /proc/cpuinfo 2>/dev/null; then
  export OPENBLAS_CORETYPE=SkylakeX
fi
swift build -c release --product Benchmarks >/dev/null
echo "# $(date -u +%FT%TZ) load: $(cut -d' ' -f1-3 /proc/loadavg) cores: $(nproc) OPENBLAS_CORETYPE=${OPENBLAS_CORETYPE:-unset}"
if [ "$2" = family ]; then
  .build/release/Benchmarks --threads 2 --seconds "$SECONDS_PER_CASE" --net family
  "${PYTHON:-python3}" tools/bench_nn.py --threads 2 --seconds "$SECONDS_PER_CASE" --family 2>/dev/null
  exit 0
fi
.build/release/Benchmarks --threads 2 --seconds "$SECONDS_PER_CASE"
"${PYTHON:-python3}" tools/bench_nn.py --threads 2 --seconds "$SECONDS_PER_CASE" 2>/dev/null
