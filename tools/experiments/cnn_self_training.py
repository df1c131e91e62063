#!/usr/bin/env python3
"""Would a classifier trained on a run's own confident windows fix its unsure ones? (Screen,
docs/evaluation.md, "Later figures (stop 31)"; not in the tool.)

    cnn_self_training.py DIR NAME:TRUTH.csv ... [--top 0.8] [--epochs 15] [--seeds 0,1,2]

DIR holds, per NAME, the run's catalog (`export --format csv --output NAME.cat.csv`) and its
window set (`windows export --output NAME.npy --index NAME.idx.csv`) from the same store. A CNN
with the default encoder (conv 3,5,5 + max-pool, 16 filters, ReLU, dense 16, ReLU, dense K) is
trained from scratch with cross-entropy (Adam 1e-3, batch 32, `--epochs`) on the run's labels of
its most confident `--top` of windows per cluster (largest probability), once per seed in
`--seeds`, then labels every window. Per run it prints the run's ACC, then per seed the ACC of
the classifier's labels and how many changed, and three guarded variants:
  R      only windows outside the training set may change;
  ensR   R with the seeds' mean softmax;
  unanR  R, and a window changes only when every seed changes it the same way.
"""
import argparse, csv
import numpy as np
import torch
from encoder_cnn import EncoderCNN
from scipy.optimize import linear_sum_assignment

torch.set_num_threads(1)
ap = argparse.ArgumentParser()
ap.add_argument("dir"); ap.add_argument("runs", nargs="+")
ap.add_argument("--top", type=float, default=0.8); ap.add_argument("--epochs", type=int, default=15)
ap.add_argument("--seeds", default="0,1,2")
a = ap.parse_args()
key = lambda r: (r["network"], r["station"], r["location"], r["time"])




for spec in a.runs:
    name, truth_file = spec.split(":")
    X = np.load(f"{a.dir}/{name}.npy").astype(np.float32)
    index = list(csv.DictReader(open(f"{a.dir}/{name}.idx.csv")))
    catalog = {r["window_id"]: r for r in csv.DictReader(open(f"{a.dir}/{name}.cat.csv"))}
    truth = {key(r): r["label"] for r in csv.DictReader(open(truth_file))}
    labels = np.array([int(catalog[r["window_id"]]["cluster"]) for r in index])
    prob = np.array([float(catalog[r["window_id"]]["probability"]) for r in index])
    K = labels.max() + 1
    names = sorted(set(truth.values()))
    t = np.array([names.index(truth[key(r)]) if key(r) in truth else -1 for r in index])
    known = t >= 0

    def acc(pred):
        table = np.zeros((K, len(names)))
        for x, y in zip(pred[known], t[known]): table[x, y] += 1
        r, c = linear_sum_assignment(-table)
        return table[r, c].sum() / known.sum()

    train = np.zeros(len(labels), bool)
    for k in range(K):
        ids = np.where(labels == k)[0]
        if len(ids): train[ids[prob[ids] >= np.quantile(prob[ids], 1 - a.top)]] = True
    pad = (-X.shape[2]) % 8
    xs = torch.from_numpy(np.pad(X, ((0, 0), (0, 0), (0, pad))))
    ys = torch.from_numpy(labels)
    members = torch.from_numpy(np.where(train)[0])
    out = [f"{name:9s} run {acc(labels):.4f}"]
    mean_softmax, unanimous, previous = None, None, None
    for seed in [int(s) for s in a.seeds.split(",")]:
        torch.manual_seed(seed)
        net = EncoderCNN(X.shape[1], xs.shape[2], K)
        opt = torch.optim.Adam(net.parameters(), 1e-3)
        g = torch.Generator().manual_seed(seed)
        for _ in range(a.epochs):
            for b in members[torch.randperm(len(members), generator=g)].split(32):
                opt.zero_grad()
                torch.nn.functional.cross_entropy(net(xs[b]), ys[b]).backward()
                opt.step()
        with torch.no_grad():
            sm = torch.softmax(net(xs), 1).numpy()
        pred = sm.argmax(1)
        mean_softmax = sm if mean_softmax is None else mean_softmax + sm
        changed = pred != labels
        unanimous = changed if unanimous is None else unanimous & changed & (pred == previous)
        previous = pred
        out.append(f"s{seed} {acc(pred):.4f} ({int(changed.sum())}) R {acc(np.where(train, labels, pred)):.4f}")
    ens = np.where(train, labels, mean_softmax.argmax(1))
    una = np.where(unanimous & ~train, previous, labels)
    out.append(f"ensR {acc(ens):.4f} ({int((ens != labels).sum())})")
    out.append(f"unanR {acc(una):.4f} ({int((una != labels).sum())})")
    print("  ".join(out), flush=True)
