#!/usr/bin/env python3
"""Reference values for Tests/ClusteringTests/InputSeparationTests.swift (run with
/work/venv/bin/python tools/make_separation_fixtures.py).

Writes fixtures/separation/separation.json:
- rows: float32 points (N x D) with a two-class split along one direction and more variance
  along others than within the classes, so that the leading 8 principal components hold the
  split, and a decoy split along a minor direction;
- pca: scikit-learn PCA(8, svd_solver="full") coordinates of the rows (signs are arbitrary: the
  test compares the subspace, through the Calinski-Harabasz index, which is invariant to a
  rotation inside it);
- partitions: label vectors (the true split, the decoy, a random one, three clusters) with
  scikit-learn's calinski_harabasz_score on the raw rows and on the PCA coordinates;
- reference: calinski_harabasz_score of KMeans(2, n_init=20) on the PCA coordinates (the
  classes are far apart, so every k-means restart finds the same split);
- eigen: a random symmetric 16 x 16 matrix and numpy.linalg.eigh's eigenvalues, largest first.
"""
import json
import os

import numpy as np
import sklearn
from sklearn.cluster import KMeans
from sklearn.decomposition import PCA
from sklearn.metrics import calinski_harabasz_score

OUT = os.path.join(os.path.dirname(__file__), "..", "fixtures", "separation")


def flat(a):
    return [float(x) for x in np.asarray(a, dtype=np.float64).ravel()]


def main():
    rng = np.random.default_rng(20261205)
    n, d = 160, 40
    truth = (np.arange(n) % 2).astype(int)
    decoy = ((np.arange(n) // 2) % 3 == 0).astype(int)
    x = rng.normal(0, 1, (n, d))
    x[:, 0] += 12 * truth         # the split, along a leading direction
    x[:, 1:5] *= 3                # more spread along other directions
    x[:, 7] += 1.5 * decoy        # a weak split along a minor direction
    x = x.astype(np.float32)
    z = PCA(8, svd_solver="full").fit_transform(x.astype(np.float64))
    partitions = {
        "truth": truth,
        "decoy": decoy,
        "random": rng.integers(0, 2, n),
        "three": np.where(truth == 1, 2, (np.arange(n) // 2) % 2),
    }
    km = KMeans(2, n_init=20, random_state=0).fit_predict(z)
    m = rng.normal(0, 1, (16, 16))
    m = m + m.T
    out = {
        "about": "made by tools/make_separation_fixtures.py (numpy %s, scikit-learn %s)"
        % (np.__version__, sklearn.__version__),
        "count": n, "width": d, "rows": flat(x), "pca": flat(z),
        "partitions": [
            {"name": k, "labels": [int(v) for v in lab],
             "raw": calinski_harabasz_score(x.astype(np.float64), lab),
             "pca": calinski_harabasz_score(z, lab)}
            for k, lab in partitions.items()
        ],
        "reference": calinski_harabasz_score(z, km),
        "referenceMatchesTruth": bool(abs(np.corrcoef(km, truth)[0, 1]) > 0.99),
        "eigen": {"matrix": flat(m), "values": flat(np.sort(np.linalg.eigvalsh(m))[::-1])},
    }
    os.makedirs(OUT, exist_ok=True)
    with open(os.path.join(OUT, "separation.json"), "w") as f:
        json.dump(out, f)
    print({p["name"]: (round(p["raw"], 3), round(p["pca"], 3)) for p in out["partitions"]},
          "reference", round(out["reference"], 3), out["referenceMatchesTruth"])


if __name__ == "__main__":
    main()
