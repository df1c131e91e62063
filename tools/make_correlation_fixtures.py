#!/usr/bin/env python3
"""Reference values for Tests/ClusteringTests/CorrelationProfilesTests.swift (run with
/work/venv/bin/python tools/make_correlation_fixtures.py).

Writes fixtures/correlation/profiles.json:
- windows: float32 windows (N x C x L, C order) and references (M x C x L): shifted, scaled and
  noisy copies of a few templates, a window with a silent component, odd and even lengths;
- profiles: for every window and reference, max over all lags of the mean, over the components
  live (with energy) in both, of the normalised cross-correlation, computed directly in float64
  with scipy.signal.correlate (method="direct", mode="full"); 0 when no component is live in
  both;
- linkage: scipy.cluster.hierarchy.linkage(method="average") on a distance matrix with block
  structure, as the list of every merged cluster's leaves, which the Swift leaf order must keep
  contiguous.
"""
import json
import os

import numpy as np
import scipy
from scipy.cluster.hierarchy import linkage
from scipy.signal import correlate
from scipy.spatial.distance import squareform

OUT = os.path.join(os.path.dirname(__file__), "..", "fixtures", "correlation")


def peak(x, y):
    total = np.zeros(2 * x.shape[1] - 1)
    live = 0
    for k in range(x.shape[0]):
        nx, ny = np.linalg.norm(x[k]), np.linalg.norm(y[k])
        if nx == 0 or ny == 0:
            continue
        total += correlate(y[k], x[k], mode="full", method="direct") / (nx * ny)
        live += 1
    return float(np.max(total / live)) if live else 0.0


def case(rng, n, m, c, length):
    templates = rng.standard_normal((3, c, length))
    def member(t):
        shift = int(rng.integers(-length // 4, length // 4 + 1))
        x = np.roll(templates[t], shift, axis=1) * rng.uniform(0.2, 5.0)
        return x + 0.3 * rng.standard_normal((c, length))
    windows = np.stack([member(int(rng.integers(0, 3))) for _ in range(n)]).astype(np.float32)
    windows[1, c - 1] = 0  # a silent component
    refs = np.stack([member(i % 3) for i in range(m)]).astype(np.float32)
    if c > 1:
        refs[0, 0] = 0  # a dead channel in a reference too
        windows[2] = 0  # a window of silence: 0 with everything
    prof = [[peak(w.astype(np.float64), r.astype(np.float64)) for r in refs] for w in windows]
    return {
        "count": n, "references": m, "channels": c, "length": length,
        "windows": [float(v) for v in windows.ravel()],
        "referenceWindows": [float(v) for v in refs.ravel()],
        "profiles": [v for row in prof for v in row],
    }


def linkage_case(rng):
    sizes = [5, 3, 7, 4]
    labels = np.repeat(np.arange(len(sizes)), sizes)
    perm = rng.permutation(len(labels))
    labels = labels[perm]
    n = len(labels)
    d = np.where(labels[:, None] == labels[None, :], rng.uniform(0.05, 0.3, (n, n)),
                 rng.uniform(0.6, 1.0, (n, n)))
    d = (d + d.T) / 2
    np.fill_diagonal(d, 0)
    z = linkage(squareform(d), method="average")
    members = {i: [i] for i in range(n)}
    groups = []
    for k, row in enumerate(z):
        merged = members.pop(int(row[0])) + members.pop(int(row[1]))
        members[n + k] = merged
        groups.append(sorted(merged))
    return {"count": n, "distances": [float(v) for v in d.ravel()], "groups": groups}


def main():
    rng = np.random.default_rng(20261205)
    os.makedirs(OUT, exist_ok=True)
    data = {
        "source": "made by tools/make_correlation_fixtures.py (numpy %s, scipy %s)"
        % (np.__version__, scipy.__version__),
        "cases": [case(rng, 6, 5, 3, 64), case(rng, 4, 3, 1, 37)],
        "linkage": linkage_case(rng),
    }
    with open(os.path.join(OUT, "profiles.json"), "w") as f:
        json.dump(data, f)


if __name__ == "__main__":
    main()
