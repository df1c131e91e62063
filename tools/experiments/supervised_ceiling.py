#!/usr/bin/env python3
"""How separable are a window set's classes with labels? A yardstick for issue 14's >= 0.99.

    supervised_ceiling.py WINDOWS.npy INDEX.csv TRUTH.csv [--folds 5] [--epochs 40] [--seed 0]

WINDOWS.npy and INDEX.csv come from `seiscluster windows export --output W.npy --index I.csv`;
TRUTH.csv has network,station,location,time,label (tools/make_events.py, make_synthetics_b.py).
Prints the k-fold accuracy (folds stratified by label, seeded) of
  - logistic regression on the 32 leading principal components of the flattened windows, and
  - a supervised CNN with the encoder of `cluster`'s default network (conv 3,5,5 + max-pool,
    16 filters each, ReLU, 16-unit dense) and a 2-way head, trained with Adam (lr 1e-3, batch
    32) on the training folds only.
Accuracy here is what labels buy; an unsupervised run near it has little left to find.
"""
import argparse, csv
import numpy as np
import torch
from encoder_cnn import EncoderCNN
from sklearn.decomposition import PCA
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

p = argparse.ArgumentParser()
p.add_argument("npy"); p.add_argument("index"); p.add_argument("truth")
p.add_argument("--folds", type=int, default=5); p.add_argument("--epochs", type=int, default=40)
p.add_argument("--seed", type=int, default=0)
a = p.parse_args()
torch.manual_seed(a.seed); torch.set_num_threads(2)
X = np.load(a.npy).astype(np.float32)
key = lambda r: (r["network"], r["station"], r["location"], r["time"])
truth = {key(r): r["label"] for r in csv.DictReader(open(a.truth))}
rows = list(csv.DictReader(open(a.index)))
keep = [i for i, r in enumerate(rows) if key(r) in truth]
X = X[keep]; names = sorted(set(truth[key(rows[i])] for i in keep))
y = np.array([names.index(truth[key(rows[i])]) for i in keep])
print(f"{len(y)} windows of {len(rows)} with truth, shape {X.shape[1:]}, classes {names}")


folds = StratifiedKFold(a.folds, shuffle=True, random_state=a.seed)
lr_acc, cnn_acc = [], []
pad = (-X.shape[2]) % 8
Xp = np.pad(X, ((0, 0), (0, 0), (0, pad)))
for train, test in folds.split(X, y):
    clf = make_pipeline(StandardScaler(), PCA(32, random_state=a.seed),
                        LogisticRegression(max_iter=2000))
    clf.fit(X[train].reshape(len(train), -1), y[train])
    lr_acc.append(clf.score(X[test].reshape(len(test), -1), y[test]))
    net = EncoderCNN(X.shape[1], Xp.shape[2], len(names))
    opt = torch.optim.Adam(net.parameters(), 1e-3)
    xt, yt = torch.from_numpy(Xp[train]), torch.from_numpy(y[train])
    g = torch.Generator().manual_seed(a.seed)
    for _ in range(a.epochs):
        for b in torch.randperm(len(train), generator=g).split(32):
            opt.zero_grad()
            torch.nn.functional.cross_entropy(net(xt[b]), yt[b]).backward()
            opt.step()
    with torch.no_grad():
        pred = net(torch.from_numpy(Xp[test])).argmax(1).numpy()
    cnn_acc.append(float((pred == y[test]).mean()))
    print(f"fold: logistic {lr_acc[-1]:.4f}  cnn {cnn_acc[-1]:.4f}", flush=True)
print(f"logistic regression on 32 PCs: {np.mean(lr_acc):.4f} (folds {min(lr_acc):.4f}-{max(lr_acc):.4f})")
print(f"supervised CNN (3,5,5): {np.mean(cnn_acc):.4f} (folds {min(cnn_acc):.4f}-{max(cnn_acc):.4f})")
