#!/usr/bin/env python3
"""Reference values for InputSeparation.stationShare (run with
/work/venv/bin/python tools/make_station_share_fixtures.py).

Writes fixtures/separation/station_share.json: 240 float32 rows of width 8 (so the principal
coordinates are the centred rows turned, and squared distances are those of the rows) from four
stations and two classes, and, for several (clusters, stations) cases, the share computed here
in float64 from the rows as decision 0020 defines it: per cluster, over its stations with at
least 10 windows, B = the variance of the station means (each station once, divisor S - 1)
less the mean of each station's variance over its count, W = the mean within-station variance
(divisor n - 1), share = max(B, 0) / (max(B, 0) + W); clusters weighted by their windows;
negative labels left out; None when no cluster has two such stations, or when the stations
compared hold fewer than half the windows.
"""
import json
import os

import numpy as np

OUT = os.path.join(os.path.dirname(__file__), "..", "fixtures", "separation")


def share(x, clusters, stations, minimum=10):
    num = den = 0.0
    compared = total = 0
    for c in sorted(set(clusters) - {v for v in clusters if v < 0}):
        rows = [i for i in range(len(x)) if clusters[i] == c]
        total += len(rows)
        means, variances, sampling, counts = [], [], [], []
        for s in sorted({stations[i] for i in rows}):
            members = x[[i for i in rows if stations[i] == s]]
            if len(members) < minimum:
                continue
            counts.append(len(members))
            m = members.mean(0)
            v = ((members - m) ** 2).sum() / (len(members) - 1)
            means.append(m)
            variances.append(v)
            sampling.append(v / len(members))
        if len(means) < 2:
            continue
        compared += sum(n for n in counts)
        means = np.array(means)
        b = ((means - means.mean(0)) ** 2).sum() / (len(means) - 1) - np.mean(sampling)
        b = max(b, 0.0)
        w = float(np.mean(variances))
        num += (b / (b + w) if b + w > 0 else 0.0) * len(rows)
        den += len(rows)
    return num / den if den and 2 * compared >= total else None


def main():
    rng = np.random.default_rng(20261205)
    n, d = 240, 8
    stations = [f"XX.S{i % 4}." for i in range(n)]
    station = np.array([i % 4 for i in range(n)])
    truth = (np.arange(n) // 4) % 2
    offsets = rng.normal(0, 1.5, (4, d))          # a response per station
    noise = rng.normal(0, 1, (n, d))
    x_resp = noise + 6 * truth[:, None] * np.eye(d)[0] + offsets[station]
    # Same stations, no response; classes kept unevenly (S0, S1 mostly class 0).
    mix = np.where(station < 2, (rng.random(n) < 0.2), (rng.random(n) < 0.8)).astype(int)
    x_mix = noise + 6 * mix[:, None] * np.eye(d)[0]
    sets = {"responses": x_resp.astype(np.float32), "mixes": x_mix.astype(np.float32)}
    cases = []

    def add(name, rows, clusters):
        x = sets[rows].astype(np.float64)
        cases.append({"name": name, "rows": rows, "clusters": [int(c) for c in clusters],
                      "share": share(x, list(clusters), stations)})

    add("responses", "responses", truth)
    add("mixes", "mixes", mix)
    # Station S3 keeps only 9 windows in cluster 1: left out there.
    few = truth.copy()
    s3_in_1 = [i for i in range(n) if station[i] == 3 and truth[i] == 1]
    for i in s3_in_1[9:]:
        few[i] = 0
    add("few", "responses", few)
    # Cluster 0 holds the first 80 windows (20 a station); the other 160 fall into clusters
    # of 10 windows, 2 or 3 a station: the stations compared hold a third of the windows.
    thin = np.array([0 if i < 80 else 1 + (i - 80) // 10 for i in range(n)])
    add("thin", "responses", thin)
    # One station per cluster, the others orphans: nothing to compare.
    alone = np.where(station == 0, 0, np.where(station == 1, 1, -1))
    add("alone", "responses", alone)
    os.makedirs(OUT, exist_ok=True)
    with open(os.path.join(OUT, "station_share.json"), "w") as f:
        json.dump({"about": "made by tools/make_station_share_fixtures.py (numpy %s)"
                   % np.__version__, "count": n, "width": d, "stations": stations,
                   "rows": {k: [float(v) for v in x.ravel()] for k, x in sets.items()},
                   "cases": cases}, f)
    print({c["name"]: c["share"] for c in cases})


if __name__ == "__main__":
    main()
