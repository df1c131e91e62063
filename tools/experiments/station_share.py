#!/usr/bin/env python3
"""The station share within clusters (InputSeparation.stationShare, decision 0020) of stored
runs' clusters, replayed in Python on exported windows.

    tools/experiments/station_share.py NAME=WINDOWS.npy:DUMP1.npz,DUMP2.npz,... ...

WINDOWS.npy is the set's `windows export`; each DUMP a `bad_optima.py --dump` of one run on it
(its `labels`, `truth` and `station` arrays, in the export's order). Prints, per set, the
share of each run's clusters, of the truth's classes and of no clustering at all, in PCA-8 of
the windows (the tool's sample is the whole set up to 2,000 windows).
"""
import sys

import numpy as np
from sklearn.decomposition import PCA


def station_share(z, clusters, stations, minimum=20):
    num = den = 0.0
    for c in np.unique(clusters):
        if c < 0:
            continue
        zc, sc = z[clusters == c], stations[clusters == c]
        means, variances, sampling = [], [], []
        for s in np.unique(sc):
            zs = zc[sc == s]
            if len(zs) < minimum:
                continue
            m = zs.mean(0)
            v = ((zs - m) ** 2).sum() / (len(zs) - 1)
            means.append(m)
            variances.append(v)
            sampling.append(v / len(zs))
        if len(means) < 2:
            continue
        means = np.array(means)
        b = max(((means - means.mean(0)) ** 2).sum() / (len(means) - 1) - np.mean(sampling), 0)
        w = np.mean(variances)
        num += (b / (b + w) if b + w > 0 else 0) * len(zc)
        den += len(zc)
    return num / den if den else None


for spec in sys.argv[1:]:
    name, files = spec.split("=", 1)
    windows, dumps = files.split(":", 1)
    x = np.load(windows).astype(np.float64)
    z = PCA(8, random_state=0).fit_transform(x.reshape(len(x), -1))
    runs = [np.load(d) for d in dumps.split(",")]
    shares = [station_share(z, d["labels"], d["station"]) for d in runs]
    d = runs[0]
    known = d["truth"] >= 0
    print(f"{name}: runs {min(shares):.3f}-{max(shares):.3f} ({len(shares)}) | truth "
          f"{station_share(z[known], d['truth'][known], d['station'][known]):.3f} | none "
          f"{station_share(z, np.zeros(len(z), int), d['station']):.3f}")
