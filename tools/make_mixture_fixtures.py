#!/usr/bin/env python3
"""Reference values for SphericalMixture (Tests/ClusteringTests; run with /work/venv/bin/python).

Writes fixtures/clustering/mixture.json: point clouds (float32) whose clusters differ in spread,
each with its truth, the k-means partition the fit starts from (scikit-learn KMeans, n_init=20,
then the nearest centroid in float32), and scikit-learn's
GaussianMixture(covariance_type="spherical", reg_covar=1e-6, tol=1e-12) started from that
partition: its means, variances, weights and mean log-likelihood, and the accuracy against the
truth of the k-means partition and of the mixture's.

scikit-learn starts from parameters; the first M step on the hard partition gives them (as
SphericalMixture does), so both run the same EM iterations.
"""
import json
import os

import numpy as np
import sklearn
from scipy.optimize import linear_sum_assignment
from sklearn.cluster import KMeans
from sklearn.mixture import GaussianMixture

OUT = os.path.join(os.path.dirname(__file__), "..", "fixtures", "clustering", "mixture.json")
REG = 1e-6


def accuracy(truth, labels, k):
    m = np.zeros((k, k))
    for a, b in zip(labels, truth):
        m[a, b] += 1
    r, c = linear_sum_assignment(-m)
    return m[r, c].sum() / len(truth)


def case(name, centres, spreads, sizes, seed):
    rng = np.random.default_rng(seed)
    d = len(centres[0])
    x = np.vstack([rng.normal(c, s, size=(n, d)) for c, s, n in zip(centres, spreads, sizes)])
    truth = np.concatenate([np.full(n, j) for j, n in enumerate(sizes)])
    order = rng.permutation(len(x))
    x, truth = x[order].astype(np.float32), truth[order]
    k = len(sizes)
    km = KMeans(k, n_init=20, random_state=seed).fit(x)
    c32 = km.cluster_centers_.astype(np.float32)
    start = (((x[:, None, :] - c32[None]) ** 2).sum(-1)).argmin(1)
    xd = x.astype(np.float64)
    # The first M step on the hard partition.
    nk = np.bincount(start, minlength=k).astype(np.float64)
    means0 = np.vstack([xd[start == j].mean(0) for j in range(k)])
    var0 = np.array([((xd[start == j] - means0[j]) ** 2).sum() / (nk[j] * d) for j in range(k)]) + REG
    gm = GaussianMixture(
        k, covariance_type="spherical", reg_covar=REG, tol=1e-12, max_iter=5000,
        weights_init=nk / len(x), means_init=means0, precisions_init=1 / var0,
    ).fit(xd)
    return {
        "name": name, "dimension": d, "clusterCount": k,
        "points": [float(v) for v in x.ravel()], "truth": truth.tolist(), "start": start.tolist(),
        "kmeansCentroids": [float(v) for v in c32.ravel()],
        "means": gm.means_.ravel().tolist(), "variances": gm.covariances_.tolist(),
        "weights": gm.weights_.tolist(), "logLikelihood": float(gm.score(xd)),
        "kmeansAccuracy": accuracy(truth, start, k),
        "mixtureAccuracy": accuracy(truth, gm.predict(xd), k),
    }


cases = [
    # A compact cluster beside a broad one: k-means cuts the broad one.
    case("compact-and-broad", [[0, 0, 0, 0], [1.2, 0, 0, 0]], [0.08, 0.5], [300, 200], 1),
    # Three clusters of three spreads in 3-D.
    case("three-spreads", [[0, 0, 0], [1.5, 0, 0], [0, 2.5, 0]], [0.1, 0.35, 0.7], [150, 120, 90], 2),
]
for c in cases:
    print(c["name"], "k-means ACC %.4f, mixture ACC %.4f" % (c["kmeansAccuracy"], c["mixtureAccuracy"]))
with open(OUT, "w") as f:
    json.dump({"header": "made by tools/make_mixture_fixtures.py (numpy %s, scikit-learn %s)"
               % (np.__version__, sklearn.__version__), "cases": cases}, f)
