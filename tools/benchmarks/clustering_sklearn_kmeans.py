#!/usr/bin/env python3
"""scikit-learn KMeans timing for the Clustering section of docs/benchmarks.md (/work/venv/bin/python)."""
import time, numpy as np
from sklearn.cluster import KMeans
rng = np.random.default_rng(1)
for k in (2, 10):
    centres = 6 * rng.normal(size=(k, 16))
    x = (centres[np.arange(10000) % k] + rng.normal(size=(10000, 16))).astype(np.float32)
    t = time.perf_counter(); KMeans(n_clusters=k, n_init=20, random_state=0).fit(x); dt = time.perf_counter() - t
    print(f"sklearn KMeans N=10000 D=16 K={k} n_init=20 float32: {dt:.3f} s")
