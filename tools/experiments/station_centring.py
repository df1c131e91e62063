#!/usr/bin/env python3
"""Does subtracting each station's mean spectrum separate the classes better? (Screen behind a
negative result, docs/evaluation.md, "Later figures (stop 22)".)

For spectrogram windows exported by `seiscluster windows export` (N x C x L, C = components x
frequency bins), compares k-means on the 8 leading principal components (two k-means seeds,
the worse shown) and a 5-fold logistic regression on 32 (the information kept), on: the raw
windows; each window minus its station's mean window; each window minus its station's mean per
channel (per frequency bin: a site or instrument response in dB); and that divided by the
station's standard deviation per channel.

    tools/experiments/station_centring.py NAME:WINDOWS.npy:INDEX.csv:TRUTH.csv ...
"""
import csv, sys
import numpy as np
from scipy.optimize import linear_sum_assignment
from sklearn.cluster import KMeans
from sklearn.decomposition import PCA
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import cross_val_score


def accuracy(y, p):
    ys, ps = sorted(set(y)), sorted(set(p))
    table = np.zeros((len(ps), len(ys)))
    for a, b in zip(p, y):
        table[ps.index(a), ys.index(b)] += 1
    rows, cols = linear_sum_assignment(-table)
    return table[rows, cols].sum() / len(y)


def run(name, npy, index, truth_file):
    x = np.load(npy).astype(np.float64)
    rows = list(csv.DictReader(open(index)))
    key = lambda r: f"{r['network']}.{r['station']}.{r['location']}|{r['time'][:23]}"
    truth = {key(r): r['label'] for r in csv.DictReader(open(truth_file))}
    y = np.array([truth[key(r)] for r in rows])
    station = np.array([f"{r['network']}.{r['station']}.{r['location']}" for r in rows])
    n = len(x)
    window_mean, bin_mean = x.copy(), x.copy()
    for s in set(station):
        m = station == s
        window_mean[m] -= window_mean[m].mean(0)
        bin_mean[m] -= bin_mean[m].mean(axis=(0, 2), keepdims=True)
    z_score = bin_mean.copy()
    for s in set(station):
        m = station == s
        z_score[m] /= z_score[m].std(axis=(0, 2), keepdims=True) + 1e-3
    for label, v in [('raw', x), ('minus station mean window', window_mean),
                     ('minus station mean per bin', bin_mean), ('station z-score per bin', z_score)]:
        f = v.reshape(n, -1)
        z8 = PCA(8, random_state=0).fit_transform(f)
        km = min(accuracy(y, KMeans(2, n_init=10, random_state=s).fit_predict(z8)) for s in (0, 1))
        z32 = PCA(32, random_state=0).fit_transform(f)
        lr = cross_val_score(LogisticRegression(max_iter=2000), z32, y, cv=5).mean()
        print(f'{name}: {label:28s} k-means PCA-8 {km:.3f}  logistic PCA-32 {lr:.3f}')


if __name__ == '__main__':
    for spec in sys.argv[1:]:
        run(*spec.split(':'))
