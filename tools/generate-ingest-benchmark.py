#!/usr/bin/env python3
"""Generates >= 200 MB of distinct MiniSEED (Steim-1, Steim-2, INT32, FLOAT32) and SAC files
for the ingest benchmark (docs/benchmarks.md, section "Ingest").

Usage: generate-ingest-benchmark.py OUTDIR [--megabytes 200]

Each file holds one hour of 100 Hz data of one channel: a random walk with a microseism-like
oscillation and occasional event bursts, seeded per file so every file has distinct content.
Files are written with ObsPy 1.5.1 (4096-byte MiniSEED records; SAC little-endian).
"""
import argparse
import os

import numpy as np
from obspy import Stream, Trace, UTCDateTime

ENCODINGS = [("STEIM1", np.int32), ("STEIM2", np.int32), ("INT32", np.int32), ("FLOAT32", np.float32)]


def waveform(rng, n, rate):
    t = np.arange(n) / rate
    walk = np.cumsum(rng.normal(0, 3.0, n))
    walk -= np.linspace(walk[0], walk[-1], n)  # keep the drift bounded
    micro = 400 * np.sin(2 * np.pi * rng.uniform(0.1, 0.3) * t + rng.uniform(0, 6.28))
    x = walk + micro
    for _ in range(rng.integers(1, 5)):
        at = rng.integers(0, n - 3000)
        k = np.arange(3000)
        x[at:at + 3000] += rng.uniform(2e3, 2e4) * np.exp(-k / 600.0) * np.sin(2 * np.pi * 5 * k / rate)
    return x


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("outdir")
    ap.add_argument("--megabytes", type=float, default=200)
    args = ap.parse_args()
    os.makedirs(args.outdir, exist_ok=True)
    rate, n = 100.0, 360_000
    total, i = 0, 0
    start = UTCDateTime("2026-01-01T00:00:00")
    while total < args.megabytes * 1e6:
        rng = np.random.default_rng(1000 + i)
        x = waveform(rng, n, rate)
        station = f"S{i:03d}"
        kind = i % 5
        header = dict(network="XB", station=station, location="00", channel="HHZ",
                      sampling_rate=rate, starttime=start + 3600 * i)
        if kind < 4:
            encoding, dtype = ENCODINGS[kind]
            tr = Trace(data=np.round(x).astype(dtype) if dtype == np.int32 else x.astype(dtype), header=header)
            path = os.path.join(args.outdir, f"{i:04d}_{station}_{encoding.lower()}.mseed")
            Stream([tr]).write(path, format="MSEED", encoding=encoding, reclen=4096)
        else:
            tr = Trace(data=x.astype(np.float32), header=header)
            path = os.path.join(args.outdir, f"{i:04d}_{station}.sac")
            tr.write(path, format="SAC")
        total += os.path.getsize(path)
        i += 1
    print(f"{i} files, {total / 1e6:.1f} MB in {args.outdir}")


if __name__ == "__main__":
    main()
