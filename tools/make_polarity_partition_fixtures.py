#!/usr/bin/env python3
"""Reference values for Tests/ClusteringTests/PolarityPartitionTests.swift (run with
/work/venv/bin/python tools/make_polarity_partition_fixtures.py).

Writes fixtures/polarity/partition.json: one-component windows of 32 samples at 100 Hz, the pick
at sample 16, at three stations whose first-motion pulses differ in shape (a sharp pulse, a
ringing one, a slow one), each window with a random polarity, pick jitter of up to +-3 samples
and noise; and the labels of the method of decision 0019 computed independently in float64
with numpy: per station, unit-norm segments [pick-8, pick+8) at lags -4..4, signed correlation
at the lag of largest magnitude, symmetrised, the leading eigenvector from numpy.linalg.eigh,
its signs oriented by a first-motion vote (3 samples after the pick minus 3 before); 0 = up.
The truth (the polarity drawn) is written too.
"""
import json
import os

import numpy as np

OUT = os.path.join(os.path.dirname(__file__), "..", "fixtures", "polarity")
P, A, B, L, VOTE = 16, -8, 8, 4, 3


def unit(x):
    n = np.linalg.norm(x, axis=1, keepdims=True)
    return np.where(n > 0, x / np.where(n > 0, n, 1), 0)


def spectral(X):
    s0 = unit(X[:, P + A:P + B])
    best = np.zeros((len(X), len(X)))
    for lag in range(-L, L + 1):
        c = s0 @ unit(X[:, P + A + lag:P + B + lag]).T
        best = np.where(np.abs(c) > np.abs(best), c, best)
    best = (best + best.T) / 2
    _, v = np.linalg.eigh(best)
    return np.where(v[:, -1] >= 0, 1.0, -1.0), v[:, -1]


def first_motion(X):
    return X[:, P:P + VOTE].sum(1) - X[:, P - VOTE:P][:, ::-1].sum(1)


def main():
    rng = np.random.default_rng(19)
    t = np.arange(-40, 40)
    shapes = {
        "SHARP": np.where(t >= 0, np.exp(-t / 2.0) * np.sin(2 * np.pi * t / 10), 0),
        "RING": np.where(t >= 0, np.exp(-t / 12.0) * np.sin(2 * np.pi * t / 7), 0),
        "SLOW": np.where(t >= 0, np.exp(-t / 8.0) * np.sin(2 * np.pi * t / 24), 0),
    }
    windows, stations, truth = [], [], []
    for sid, (name, shape) in enumerate(shapes.items()):
        for _ in range(40):
            up = rng.random() < 0.5
            jitter = int(rng.integers(-3, 4))
            start = 40 - P + jitter
            w = shape[start:start + 32] * (1 if up else -1) * rng.uniform(0.5, 2)
            w = w + rng.normal(0, 0.35, 32)
            windows.append(w.astype(np.float32))
            stations.append(sid)
            truth.append(0 if up else 1)
    X = np.array(windows, dtype=np.float64)
    st = np.array(stations)
    labels = np.zeros(len(X), dtype=int)
    margins = np.zeros(len(X))
    for s in sorted(set(stations)):
        m = st == s
        side, vec = spectral(X[m])
        up = 1.0 if (side * first_motion(X[m])).sum() >= 0 else -1.0
        labels[m] = np.where(side * up > 0, 0, 1)
        margins[m] = np.abs(vec)
    os.makedirs(OUT, exist_ok=True)
    with open(os.path.join(OUT, "partition.json"), "w") as f:
        json.dump({
            "count": len(X), "length": 32, "pick": P, "samplingRate": 100.0,
            "windows": [float(v) for v in np.array(windows).ravel()],
            "stations": stations, "labels": labels.tolist(), "truth": truth,
            "margins": margins.tolist(),
        }, f)
    acc = (labels == np.array(truth)).mean()
    print(f"wrote {len(X)} windows; reference labels agree with the truth on {acc:.3f}")


if __name__ == "__main__":
    main()
