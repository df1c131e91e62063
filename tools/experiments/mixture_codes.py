#!/usr/bin/env python3
"""Partitions of the pretrained codes: k-means against Gaussian mixtures (decision 0022).

    mixture_codes.py DIR@TRUTH.csv [DIR@TRUTH.csv ...]

DIR holds what a build with tools/experiments/mixture_experiment.patch writes when run with
SEISCLUSTER_EXPERIMENT_DUMPZ=DIR: zpre-SEED-N.f32 (each restart's code after pretraining,
N x D float32) and zfinal-SEED-N.f32 (after the joint stage), plus w.npy / w.csv from
`seiscluster windows export --output DIR/w.npy --index DIR/w.csv` after the run (the window
order of the codes). For every pretrained code it prints the accuracy against TRUTH.csv of
k-means (K = 2, n_init 10) and of scikit-learn GaussianMixture with full, diagonal, tied and
spherical covariance (reg_covar 1e-4), each mixture's BIC per window, its ARI with k-means and
its smallest cluster, and the ratio of the spherical mixture's two variances.
"""
import csv, glob, os, sys
import numpy as np
from scipy.optimize import linear_sum_assignment
from sklearn.cluster import KMeans
from sklearn.metrics import adjusted_rand_score as ari
from sklearn.mixture import GaussianMixture


def acc(y, p):
    m = np.zeros((2, 2))
    for a, b in zip(p, y):
        m[a, b] += 1
    r, c = linear_sum_assignment(-m)
    return m[r, c].sum() / len(y)


for arg in sys.argv[1:]:
    d, truthf = arg.split("@")
    rows = list(csv.DictReader(open(d + "/w.csv")))
    key = lambda r: (r["network"], r["station"], r["location"], r["time"])
    truth = {key(r): r["label"] for r in csv.DictReader(open(truthf))}
    keep = np.array([i for i, r in enumerate(rows) if key(r) in truth])
    names = sorted(set(truth.values()))
    y = np.array([names.index(truth[key(rows[i])]) for i in keep])
    for f in sorted(glob.glob(d + "/zpre*.f32")):
        z = np.fromfile(f, dtype=np.float32).astype(np.float64)
        z = z.reshape(len(rows), z.size // len(rows))[keep]
        kml = KMeans(2, n_init=10, random_state=0).fit_predict(z)
        out = [f"km={acc(y, kml):.4f}"]
        ratio = 0.0
        for ct in ("full", "diag", "tied", "spherical"):
            g = GaussianMixture(2, covariance_type=ct, random_state=0, reg_covar=1e-4).fit(z)
            lab = g.predict(z)
            out.append(f"{ct}={acc(y, lab):.4f}(bic {g.bic(z) / len(z):.1f}, "
                       f"ari-km {ari(kml, lab):.2f}, min {np.bincount(lab).min()})")
            if ct == "spherical":
                ratio = g.covariances_.max() / g.covariances_.min()
        print(os.path.basename(d), os.path.basename(f), " ".join(out), f"ratio={ratio:.1f}",
              flush=True)
