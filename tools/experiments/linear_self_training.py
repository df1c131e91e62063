"""Screen: a convex self-training step on the network's input.
Usage: tools/experiments/linear_self_training.py DIR  (DIR: w.npy and w.csv from `windows export`,
catalog.csv from `export --format csv`, truth.csv)
Prints the run's ACC and the ACC after relabelling with a logistic regression on the input's
leading principal components, trained on the run's own most confident windows per cluster."""
import csv, sys, itertools
import numpy as np
from sklearn.decomposition import PCA
from sklearn.linear_model import LogisticRegression
from scipy.optimize import linear_sum_assignment

d = sys.argv[1]
X = np.load(f"{d}/w.npy")
X = X.reshape(X.shape[0], -1).astype(np.float64)
idx = list(csv.DictReader(open(f"{d}/w.csv")))
cat = {r["window_id"]: r for r in csv.DictReader(open(f"{d}/catalog.csv"))}
truth = {(r["network"], r["station"], r["location"], r["time"]): r["label"] for r in csv.DictReader(open(sys.argv[2] if len(sys.argv) > 2 else f"{d}/truth.csv"))}
keep, y, lab, prob = [], [], [], []
for i, r in enumerate(idx):
    c = cat.get(r["window_id"]); t = truth.get((r["network"], r["station"], r["location"], r["time"]))
    if c is None or t is None: continue
    keep.append(i); y.append(t); lab.append(int(c["cluster"])); prob.append(float(c["probability"]))
X = X[keep]; lab = np.array(lab); prob = np.array(prob)
classes = sorted(set(y)); yi = np.array([classes.index(v) for v in y])

def acc(pred):
    ks = sorted(set(pred)) ; m = np.zeros((len(ks), len(classes)))
    for p, t in zip(pred, yi): m[ks.index(p), t] += 1
    r, c = linear_sum_assignment(-m); return m[r, c].sum() / len(pred)

out = [f"run {acc(lab):.4f}"]
for ncomp, frac, C in [(16, 0.8, 1.0), (32, 0.8, 1.0), (32, 0.9, 1.0), (32, 0.8, 0.1), (64, 0.8, 1.0)]:
    Z = PCA(n_components=ncomp, random_state=0).fit_transform(X)
    Z = (Z - Z.mean(0)) / Z.std(0)
    conf = np.zeros(len(lab), bool)
    for k in set(lab):
        ii = np.where(lab == k)[0]
        top = ii[np.argsort(-prob[ii])][: int(round(frac * len(ii)))]
        conf[top] = True
    clf = LogisticRegression(C=C, max_iter=2000).fit(Z[conf], lab[conf])
    p = clf.predict(Z)
    low = lab.copy(); low[~conf] = p[~conf]
    out.append(f"pc{ncomp} f{frac} C{C}: low {acc(low):.4f} all {acc(p):.4f}")
print(" | ".join(out))
