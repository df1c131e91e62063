#!/usr/bin/env python3
"""Per-window probabilities of a finished run scored against the truth (docs/evaluation.md,
"Later figures (stop 49)"). The run's latest `cluster` run is read from STORE: its windows'
embeddings, q and clusters, and its model's centroids. Candidates: q (what the tool stores);
Student-t with distances divided by the mean squared distance to the own centroid; a
multivariate t mixture (one degree of freedom) and a spherical Gaussian mixture with each
cluster's spread and weight taken from q's partition. Each is scored on the window's own
cluster: mean, ECE (10 equal bins), Brier, AUROC of right against wrong windows.

    probability_calibration.py STORE TRUTH.csv LABEL"""
import sqlite3, sys, csv, numpy as np
from datetime import datetime, timezone
from scipy.optimize import linear_sum_assignment
from sklearn.metrics import roc_auc_score

store, truth_path, tag = sys.argv[1:4]
db = sqlite3.connect(store)
run_id, model_id, K = db.execute("select id, model_id, cluster_count from runs where kind='cluster' and status='complete' order by id desc limit 1").fetchone()
C = np.frombuffer(db.execute("select centroids from models where id=?", (model_id,)).fetchone()[0], dtype=np.float32).reshape(K, -1).astype(np.float64)
D = C.shape[1]
rows = db.execute("""select a.cluster, a.q, a.embedding, w.network, w.station, w.location, w.pick_time_ns
  from assignments a join windows w on w.id=a.window_id where a.run_id=? order by a.window_id""", (run_id,)).fetchall()
def ns(t):
    t = t.rstrip('Z'); base, _, frac = t.partition('.')
    dt = datetime.strptime(base, "%Y-%m-%dT%H:%M:%S").replace(tzinfo=timezone.utc)
    return int(dt.timestamp()) * 10**9 + int((frac + '000000000')[:9])
truth = {}
with open(truth_path) as f:
    for r in csv.DictReader(f):
        truth[(r['network'], r['station'], r['location'], ns(r['time']) // 1000)] = r['label']
lab, Z, Q, y = [], [], [], []
for c, q, e, n, s, l, t in rows:
    key = (n, s, l, t // 1000)
    if key not in truth: continue
    lab.append(c); Q.append(np.frombuffer(q, dtype=np.float32)); Z.append(np.frombuffer(e, dtype=np.float32)); y.append(truth[key])
lab = np.array(lab); Q = np.array(Q, dtype=np.float64); Z = np.array(Z, dtype=np.float64)
classes = sorted(set(y)); yi = np.array([classes.index(v) for v in y])
M = np.zeros((K, len(classes)))
for a, b in zip(lab, yi): M[a, b] += 1
r, c = linear_sum_assignment(-M); mp = dict(zip(r, c))
correct = np.array([mp.get(a, -1) == b for a, b in zip(lab, yi)])
d2 = ((Z[:, None, :] - C[None, :, :]) ** 2).sum(-1)
N = len(lab)
def own(P): return P[np.arange(N), lab]
cands = {}
cands['q'] = own(Q)
# Student-t, distances scaled by the mean squared distance to the own centroid
s = d2[np.arange(N), lab].mean()
T = 1 / (1 + d2 / s); cands['t_scaled'] = own(T / T.sum(1, keepdims=True))
# multivariate t mixture (dof 1), per-cluster scale and weight from q's partition
sj = np.array([d2[lab == j, j].mean() / D if (lab == j).sum() > 1 else s / D for j in range(K)])
wj = np.array([(lab == j).mean() for j in range(K)])
logt = np.log(wj)[None] - 0.5 * D * np.log(sj)[None] - 0.5 * (1 + D) * np.log1p(d2 / sj[None])
P = np.exp(logt - logt.max(1, keepdims=True)); cands['t_mixture'] = own(P / P.sum(1, keepdims=True))
# spherical Gaussian mixture responsibilities from q's partition (one M step)
vj = np.array([d2[lab == j, j].mean() / D + 1e-6 if (lab == j).sum() > 1 else s / D for j in range(K)])
logg = np.log(wj)[None] - 0.5 * D * np.log(vj)[None] - 0.5 * d2 / vj[None]
G = np.exp(logg - logg.max(1, keepdims=True)); cands['gauss_mixture'] = own(G / G.sum(1, keepdims=True))
acc = correct.mean()
for name, p in cands.items():
    bins = np.clip((p * 10).astype(int), 0, 9)
    ece = sum(abs(p[bins == b].mean() - correct[bins == b].mean()) * (bins == b).sum() for b in range(10) if (bins == b).any()) / N
    brier = ((p - correct) ** 2).mean()
    try: auc = roc_auc_score(correct, p)
    except ValueError: auc = float('nan')
    lowest = np.sort(p)[: max(1, N // 10)].mean()
    print(f"{tag} {name:14s} acc={acc:.4f} meanp={p.mean():.4f} minp={p.min():.3f} ece={ece:.4f} brier={brier:.4f} auroc={auc:.3f} wrong={(~correct).sum()} wrong_meanp={p[~correct].mean() if (~correct).any() else float('nan'):.3f}")
