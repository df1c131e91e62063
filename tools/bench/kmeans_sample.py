#!/usr/bin/env python3
# Usage: tools/bench/kmeans_sample.py STORE.sqlite   (the latest run's stored embeddings)
# Sampled vs full k-means on stored embeddings (decision 0017): k-means++ with 20 inits on a
# uniform sample of 10 % (as 20 k of 200 k), every point to its nearest centroid; against the full fit.
import sqlite3, sys, numpy as np
from sklearn.cluster import KMeans
from sklearn.metrics import adjusted_rand_score
db = sys.argv[1]
con = sqlite3.connect(db)
rows = con.execute("SELECT embedding FROM assignments WHERE run_id = (SELECT max(run_id) FROM assignments) ORDER BY window_id").fetchall()
z = np.stack([np.frombuffer(r[0], dtype=np.float32) for r in rows]).astype(np.float64)
print(f"{db}: {z.shape[0]} embeddings of {z.shape[1]}")
for k in (2, 4, 8):
    full = KMeans(k, n_init=20, random_state=0).fit(z)
    for seed in (0, 1, 2):
        rng = np.random.default_rng(seed)
        idx = rng.choice(len(z), len(z) // 10, replace=False)
        s = KMeans(k, n_init=20, random_state=seed).fit(z[idx])
        lab = s.predict(z)
        inertia = ((z - s.cluster_centers_[lab]) ** 2).sum()
        print(f"K={k} sample seed {seed}: ARI vs full {adjusted_rand_score(full.labels_, lab):.4f}, inertia ratio {inertia / full.inertia_:.5f}")
