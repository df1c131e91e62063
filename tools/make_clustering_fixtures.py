#!/usr/bin/env python3
"""Reference values for Tests/ClusteringTests (run with /work/venv/bin/python).

Writes fixtures/clustering/{dec,kmeans,metrics}.json:
- dec.json: DEC soft assignment q, target p, KL(P||Q) (mean over rows) and its gradients with
  respect to z and mu (P held constant), computed in float64 with NumPy for q/p/KL and PyTorch
  autograd for the gradients; plus a constrained (semi-supervised) target.
- kmeans.json: Gaussian blobs and an unstructured cloud, with scikit-learn KMeans(n_init=20)
  inertia for comparison.
- metrics.json: random label vectors (any integer values, different class counts) with
  scikit-learn NMI/ARI, Hungarian ACC via scipy.optimize.linear_sum_assignment, Cramer's V via
  scipy.stats.contingency.association, and conditional mutual information I(C;S|T).
"""
import json
import os

import numpy as np
import scipy
import sklearn
import torch
from scipy.optimize import linear_sum_assignment
from scipy.stats.contingency import association, crosstab
from sklearn.cluster import KMeans
from sklearn.datasets import make_blobs
from sklearn.metrics import adjusted_rand_score, mutual_info_score, normalized_mutual_info_score

OUT = os.path.join(os.path.dirname(__file__), "..", "fixtures", "clustering")
HEADER = (
    "made by tools/make_clustering_fixtures.py (numpy %s, scikit-learn %s, scipy %s, torch %s)"
    % (np.__version__, sklearn.__version__, scipy.__version__, torch.__version__)
)


def f32(a):
    return np.asarray(a, dtype=np.float32)


def flat(a):
    return [float(x) for x in np.asarray(a, dtype=np.float64).ravel()]


def soft_assignment(z, mu, alpha):
    d2 = ((z[:, None, :] - mu[None, :, :]) ** 2).sum(-1)
    u = (1.0 + d2 / alpha) ** (-(alpha + 1.0) / 2.0)
    return u / u.sum(1, keepdims=True)


def target(q):
    w = q**2 / q.sum(0)
    return w / w.sum(1, keepdims=True)


def dec_case(rng, n, k, d, alpha, spread):
    z = f32(rng.normal(size=(n, d)) * spread).astype(np.float64)
    mu = f32(rng.normal(size=(k, d)) * spread).astype(np.float64)
    q = soft_assignment(z, mu, alpha)
    p = f32(target(q)).astype(np.float64)  # P as the Float code would hold it
    kl = float((p * (np.log(p) - np.log(q))).sum() / n)
    zt = torch.tensor(z, dtype=torch.float64, requires_grad=True)
    mt = torch.tensor(mu, dtype=torch.float64, requires_grad=True)
    pt = torch.tensor(p, dtype=torch.float64)
    d2 = ((zt[:, None, :] - mt[None, :, :]) ** 2).sum(-1)
    logu = -(alpha + 1.0) / 2.0 * torch.log1p(d2 / alpha)
    logq = logu - torch.logsumexp(logu, dim=1, keepdim=True)
    loss = torch.nn.functional.kl_div(logq, pt, reduction="batchmean")
    loss.backward()
    return {
        "count": n, "clusters": k, "dimension": d, "alpha": alpha,
        "embeddings": flat(z), "centroids": flat(mu),
        "q": flat(q), "p": flat(p), "kl": kl, "torchKL": float(loss.item()),
        "gradEmbeddings": flat(zt.grad.numpy()), "gradCentroids": flat(mt.grad.numpy()),
        "targetFromQ": flat(target(f32(q).astype(np.float64))),
    }


def constrained_case(rng):
    n, k = 8, 3
    q = f32(rng.dirichlet(np.ones(k), size=n)).astype(np.float64)
    fixed = [None, 2, None, 0, None, None, 1, None]
    f = q.sum(0)
    w = q**2 / f
    p = w / w.sum(1, keepdims=True)
    for i, c in enumerate(fixed):
        if c is not None:
            p[i] = np.eye(k)[c]
    return {"count": n, "clusters": k, "q": flat(q),
            "fixed": [-1 if c is None else c for c in fixed], "p": flat(p)}


def make_dec():
    rng = np.random.default_rng(7)
    cases = [dec_case(rng, 9, 3, 4, 1.0, 1.5), dec_case(rng, 12, 4, 5, 2.0, 2.0),
             dec_case(rng, 6, 2, 3, 0.5, 1.0)]
    return {"header": HEADER, "cases": cases, "constrained": constrained_case(rng)}


def make_kmeans():
    sets = []
    x, y = make_blobs(n_samples=300, centers=4, n_features=5, cluster_std=0.6, random_state=3)
    sets.append(("blobs", f32(x), y, 4))
    rng = np.random.default_rng(11)
    sets.append(("cloud", f32(rng.normal(size=(400, 3))), np.zeros(400, dtype=int), 6))
    x2, y2 = make_blobs(n_samples=500, centers=8, n_features=2, cluster_std=1.5, random_state=5)
    sets.append(("overlapping", f32(x2), y2, 8))
    out = []
    for name, x, y, k in sets:
        inertias = []
        for seed in range(5):
            km = KMeans(n_clusters=k, n_init=20, random_state=seed).fit(x.astype(np.float64))
            inertias.append(float(km.inertia_))
        out.append({"name": name, "count": len(x), "dimension": x.shape[1], "clusters": k,
                    "points": flat(x), "labels": [int(v) for v in y],
                    "sklearnInertia": min(inertias), "sklearnInertias": inertias})
    return {"header": HEADER, "sets": out}


def hungarian_acc(t, p):
    _, ti = np.unique(t, return_inverse=True)
    _, pi = np.unique(p, return_inverse=True)
    w = np.zeros((pi.max() + 1, ti.max() + 1))
    for a, b in zip(pi, ti):
        w[a, b] += 1
    r, c = linear_sum_assignment(-w)
    return float(w[r, c].sum() / len(t))


def conditional_mi(c, s, t):
    total = 0.0
    for v in np.unique(t):
        m = t == v
        total += m.mean() * mutual_info_score(c[m], s[m])
    return float(total)


def make_metrics():
    rng = np.random.default_rng(2024)
    cases = []
    specs = [(50, [0, 1], [0, 1]), (120, [3, 7, 9], [0, 1]), (200, [0, 1], [5, 2, -1, 8]),
             (80, [1, 2, 3, 4, 5], [10, 20, 30, 40, 50]), (150, [-3, 4], [-3, 4]),
             (60, [0, 1, 2], [0, 1, 2, 3, 4, 5, 6])]
    for n, classes, clusters in specs:
        t = rng.choice(classes, size=n)
        # Agree partly with the truth so the scores are not all near zero.
        p = rng.choice(clusters, size=n)
        agree = rng.random(n) < 0.6
        mapped = np.array(clusters)[np.searchsorted(classes, t) % len(clusters)]
        p = np.where(agree, mapped, p)
        s = rng.choice(["A", "B", "C", "D"], size=n)
        cases.append({
            "truth": [int(v) for v in t], "predicted": [int(v) for v in p],
            "stations": [str(v) for v in s],
            "acc": hungarian_acc(t, p), "nmi": float(normalized_mutual_info_score(t, p)),
            "ari": float(adjusted_rand_score(t, p)),
            "cramersVPredictedStation": float(association(crosstab(p, s).count, method="cramer")),
            "conditionalMI": conditional_mi(p, s, t),
            "clusterEntropy": float(mutual_info_score(p, p)),
        })
    return {"header": HEADER, "cases": cases}


def main():
    os.makedirs(OUT, exist_ok=True)
    for name, data in (("dec", make_dec()), ("kmeans", make_kmeans()), ("metrics", make_metrics())):
        with open(os.path.join(OUT, name + ".json"), "w") as fh:
            json.dump(data, fh, separators=(",", ":"))


if __name__ == "__main__":
    main()
