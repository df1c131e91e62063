#!/usr/bin/env python3
"""An outside reference for a labelled data set: how separable are the classes at all?

Cuts the windows with ObsPy the way the contract describes (merge, demean, linear detrend, 5 %
taper, 4-corner zero-phase band-pass, resample, cut pick-before..pick+after, normalise by the
window's maximum), computes simple features (windows shorter than 2 s: the samples themselves) (log band powers per component in 16 log-spaced
bands between the band edges, and the 1 s envelope of the vertical and the horizontals), then
reports
  * supervised separability: 5-fold cross-validated accuracy of a logistic regression and of a
    random forest (an upper-ish bound on what unsupervised clustering of these windows can reach
    with such features; not a target),
  * an unsupervised baseline: k-means (K = number of classes) on the standardised first 10
    principal components, ACC by Hungarian matching, over 8 seeds (worst and median).

  python tools/reference_features.py DATASET [--before 5 --after 55 --bandpass 1,20 --components ZNE]
"""
import argparse
import collections
import csv
import os
import sys
import warnings

import numpy as np
from scipy import signal as sps
from scipy.optimize import linear_sum_assignment
from obspy import Stream, UTCDateTime, read


def hungarian_acc(y, c):
    ys, cs = np.unique(y), np.unique(c)
    m = np.zeros((len(cs), len(ys)))
    for i, a in enumerate(cs):
        for j, b in enumerate(ys):
            m[i, j] = np.sum((c == a) & (y == b))
    r, k = linear_sum_assignment(-m)
    return m[r, k].sum() / len(y)


def main():
    warnings.filterwarnings("ignore")
    ap = argparse.ArgumentParser()
    ap.add_argument("dataset")
    ap.add_argument("--before", type=float, default=5.0)
    ap.add_argument("--after", type=float, default=55.0)
    ap.add_argument("--bandpass", default="1,20")
    ap.add_argument("--components", default="ZNE")
    ap.add_argument("--rate", type=float, default=100.0)
    ap.add_argument("--margin", type=float, default=None, help="seconds of data each side for preprocessing (default 30, 5 for windows < 2 s)")
    args = ap.parse_args()
    lo, hi = (float(v) for v in args.bandpass.split(","))
    ds = args.dataset
    wf = os.path.join(ds, "waveforms") if os.path.isdir(os.path.join(ds, "waveforms")) else ds
    # index files by station (headers only)
    files = collections.defaultdict(set)
    for root, _, fns in os.walk(wf):
        for fn in fns:
            if fn.endswith(".csv"):
                continue
            p = os.path.join(root, fn)
            try:
                for tr in read(p, headonly=True):
                    files[(tr.stats.network, tr.stats.station, tr.stats.location)].add(p)
            except Exception:
                pass
    truth = {(r["network"], r["station"], r["location"], r["time"]): r["label"]
             for r in csv.DictReader(open(os.path.join(ds, "truth.csv")))}
    picks = list(csv.DictReader(open(os.path.join(ds, "picks.csv"))))
    by_sta = collections.defaultdict(list)
    for p in picks:
        by_sta[(p["network"], p["station"], p["location"])].append(p)
    X, Y = [], []
    skipped = collections.Counter()
    n = int(round((args.before + args.after) * args.rate))
    margin = args.margin if args.margin is not None else (30.0 if args.before + args.after >= 2 else 5.0)
    edges = np.geomspace(lo, hi, 17)
    for key, ps in sorted(by_sta.items()):
        st = Stream()
        for f in sorted(files.get(key, ())):
            st += read(f)
        for tr in st:
            tr.data = tr.data.astype(np.float64)
        st.merge(method=1)  # one trace per channel; identical overlaps collapse, gaps become masks
        for p in ps:
            t = UTCDateTime(p["time"])
            cha = p.get("channel") or ""
            comps = []
            ok = True
            for comp in args.components:
                alt = {"N": "1", "E": "2"}.get(comp, comp)
                cands = [tr for tr in st if tr.stats.channel[-1] in (comp, alt)
                         and (not cha or tr.stats.channel[:2] == cha[:2])]
                if not cands:
                    ok = False
                    skipped["missing component"] += 1
                    break
                src = max(cands, key=lambda tr: tr.stats.sampling_rate)
                fs = src.stats.sampling_rate
                i0 = int(round((t - args.before - margin - src.stats.starttime) * fs))
                i1 = int(round((t + args.after + margin - src.stats.starttime) * fs))
                seg = src.data[max(i0, 0):i1]
                if i0 < 0 or i1 > len(src.data) or (np.ma.isMaskedArray(seg) and np.ma.count_masked(seg)):
                    ok = False
                    skipped["gap or edge"] += 1
                    break
                if fs / 2 <= hi:
                    ok = False
                    skipped["Nyquist <= band"] += 1
                    break
                tr = src.copy()
                tr.data = np.asarray(seg, dtype=np.float64).copy()
                tr.stats.starttime = src.stats.starttime + i0 / fs
                tr.detrend("demean")
                tr.detrend("linear")
                tr.taper(0.05)
                tr.filter("bandpass", freqmin=lo, freqmax=hi, corners=4, zerophase=True)
                if tr.stats.sampling_rate != args.rate:
                    tr.resample(args.rate)
                j0 = int(round((t - args.before - tr.stats.starttime) * args.rate))
                x = tr.data[j0:j0 + n]
                if len(x) < n:
                    ok = False
                    skipped["short"] += 1
                    break
                comps.append(x)
            if not ok:
                continue
            x = np.array(comps)
            x /= np.abs(x).max() or 1.0
            if args.before + args.after < 2.0:  # short (polarity) windows: the samples themselves
                X.append(list(x.ravel()))
                Y.append(str(truth[(p["network"], p["station"], p["location"], p["time"])]))
                continue
            feats = []
            for c in x:
                f, P = sps.periodogram(c, args.rate)
                feats += [np.log10(P[(f >= a) & (f < b)].mean() + 1e-12) for a, b in zip(edges[:-1], edges[1:])]
            env = np.abs(sps.hilbert(x, axis=1))
            k = int(args.rate)
            m = (n // k) * k
            ez = env[0, :m].reshape(-1, k).mean(1)
            feats += list(ez)
            if len(x) > 1:
                feats += list(env[1:, :m].mean(0).reshape(-1, k).mean(1))
            X.append(feats)
            Y.append(str(truth[(p["network"], p["station"], p["location"], p["time"])]))
    X = np.array(X)
    Y = np.array(Y)
    print("%s: %d windows (skipped %s), classes %s" % (os.path.basename(os.path.normpath(ds)), len(Y), dict(skipped),
                                                        dict(collections.Counter(Y))))
    from sklearn.cluster import KMeans
    from sklearn.decomposition import PCA
    from sklearn.ensemble import RandomForestClassifier
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import cross_val_score
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler
    lr = cross_val_score(make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000)), X, Y, cv=5)
    rf = cross_val_score(RandomForestClassifier(300, random_state=0, n_jobs=1), X, Y, cv=5)
    print("  supervised 5-fold accuracy: logistic %.4f, random forest %.4f" % (lr.mean(), rf.mean()))
    Z = PCA(10, random_state=0).fit_transform(StandardScaler().fit_transform(X))
    Z = StandardScaler().fit_transform(Z)
    k = len(set(Y))
    accs = [hungarian_acc(Y, KMeans(k, n_init=1, random_state=s).fit_predict(Z)) for s in range(8)]
    print("  k-means (K=%d) on 10 PCs, 8 seeds: worst %.4f median %.4f best %.4f" % (k, min(accs), np.median(accs), max(accs)))


if __name__ == "__main__":
    sys.exit(main())
