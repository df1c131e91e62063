#!/usr/bin/env python3
"""What do relabel's 10 labels per class buy without the network? A yardstick (docs/evaluation.md,
"Later figures (stop 31)").

    few_shot_probe.py WINDOWS.npy INDEX.csv TRUTH.csv [--draws 8]

WINDOWS.npy and INDEX.csv come from `seiscluster windows export` (the set relabel would train
on); TRUTH.csv has network,station,location,time,label. For each draw d, 10 windows per class are
drawn from TRUTH.csv with Python's random.Random(d), as tools/experiments/relabel_matrix.sh draws
relabel's labels, and two transductive baselines label the other windows:
  - logistic regression (C = 0.1 and 1) on the 32 leading principal components of all windows,
  - scikit-learn's LabelSpreading (k-nearest-neighbour graph, k = 7 and 15) on the same components.
Prints the accuracy on the windows that were not drawn, per draw, and the 5-fold logistic
regression with every label for reference.
"""
import argparse, csv, random
import numpy as np
from sklearn.decomposition import PCA
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold, cross_val_score
from sklearn.semi_supervised import LabelSpreading

p = argparse.ArgumentParser()
p.add_argument("npy"); p.add_argument("index"); p.add_argument("truth")
p.add_argument("--draws", type=int, default=8)
a = p.parse_args()
key = lambda r: (r["network"], r["station"], r["location"], r["time"])
X = np.load(a.npy); X = X.reshape(X.shape[0], -1)
rows = list(csv.DictReader(open(a.index)))
truth_rows = list(csv.DictReader(open(a.truth)))
truth = {key(r): r["label"] for r in truth_rows}
keep = [i for i, r in enumerate(rows) if key(r) in truth]
X = X[keep]
names = sorted(set(truth[key(rows[i])] for i in keep))
y = np.array([names.index(truth[key(rows[i])]) for i in keep])
position = {key(rows[i]): j for j, i in enumerate(keep)}
Z = PCA(32, random_state=0).fit_transform(X)
folds = StratifiedKFold(5, shuffle=True, random_state=0)
full = cross_val_score(LogisticRegression(max_iter=2000), Z, y, cv=folds).mean()
print(f"{len(y)} windows with truth; 5-fold logistic regression with every label: {full:.4f}")
for d in range(a.draws):
    rng = random.Random(d); by = {}
    for r in truth_rows: by.setdefault(r["label"], []).append(r)
    given = [r for k in sorted(by) for r in rng.sample(by[k], 10)]
    idx = [position[key(r)] for r in given if key(r) in position]
    rest = np.setdiff1d(np.arange(len(y)), idx)
    out = []
    for C in (0.1, 1.0):
        m = LogisticRegression(max_iter=2000, C=C).fit(Z[idx], y[idx])
        out.append(f"logistic C={C} {(m.predict(Z[rest]) == y[rest]).mean():.4f}")
    for k in (7, 15):
        seeds = -np.ones(len(y), int); seeds[idx] = y[idx]
        m = LabelSpreading(kernel="knn", n_neighbors=k, alpha=0.2, max_iter=200).fit(Z, seeds)
        out.append(f"spreading k={k} {(m.transduction_[rest] == y[rest]).mean():.4f}")
    print(f"draw {d} ({len(idx)} labelled): " + "  ".join(out))
