#!/usr/bin/env python3
"""Screen behind decision 0020: would measuring each spectrogram bin against itself separate the
classes better? k-means on the 8 leading principal components of exported windows (`windows
export`; the worse of two k-means seeds), a 5-fold logistic regression on 32, and the worst
station's accuracy under the k-means labels, for the window as built and four per-window
transforms of its [0, 1] dB values.

    tools/experiments/spectrogram_reference_screen.py NAME:WINDOWS.npy:INDEX.csv:TRUTH.csv ...
"""
import csv, os, sys
import numpy as np
from sklearn.cluster import KMeans
from sklearn.decomposition import PCA
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import cross_val_score

sys.path.insert(0, os.path.dirname(__file__))
from station_centring import accuracy  # noqa: E402

def screen(label, x, y, station):
    flat = x.reshape(len(x), -1)
    z8 = PCA(8, random_state=0).fit_transform(flat)
    km = min(accuracy(y, KMeans(2, n_init=10, random_state=s).fit_predict(z8)) for s in (0, 1))
    p = KMeans(2, n_init=10, random_state=0).fit_predict(z8)
    # per-station accuracy under the global mapping
    ys = sorted(set(y)); best = None
    for mp in ((0, 1), (1, 0)):
        ok = np.array([mp[ys.index(a)] == b for a, b in zip(y, p)])
        if best is None or ok.mean() > best.mean(): best = ok
    per = {s: best[station == s].mean() for s in sorted(set(station))}
    z32 = PCA(32, random_state=0).fit_transform(flat)
    lr = cross_val_score(LogisticRegression(max_iter=2000), z32, y, cv=5).mean()
    print(f'  {label:28s} kmeans {km:.3f}  logistic {lr:.3f}  worst station {min(per.values()):.3f} ({min(per, key=per.get)})')

def run(name, npy, index, truth_file):
    x = np.load(npy).astype(np.float64)
    print(name, x.shape, 'min %.3f max %.3f' % (x.min(), x.max()))
    rows = list(csv.DictReader(open(index)))
    key = lambda r: f"{r['network']}.{r['station']}.{r['location']}|{r['time'][:23]}"
    truth = {key(r): r['label'] for r in csv.DictReader(open(truth_file))}
    y = np.array([truth[key(r)] for r in rows])
    station = np.array([r['station'] for r in rows])
    screen('raw', x, y, station)
    screen('minus bin max over time', x - x.max(2, keepdims=True), y, station)
    screen('minus bin mean over time', x - x.mean(2, keepdims=True), y, station)
    screen('minus pre-pick bins (0-5)', x - x[:, :, :6].mean(2, keepdims=True), y, station)
    # time envelope only: per component, mean over bins
    c = x.reshape(len(x), 3, -1, x.shape[2])
    screen('envelope per component', c.mean(2), y, station)

for spec in sys.argv[1:]:
    run(*spec.split(':'))
