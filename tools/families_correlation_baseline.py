#!/usr/bin/env python3
"""Per-station families baseline (decision 0018): builds each station's windows with the CLI
(--input waveform, -5..+35 s), exports them and scores average-linkage clustering of the
peak cross-correlation distance and k-means on correlation profiles, with the true K.

  /work/venv/bin/python tools/families_correlation_baseline.py DATA BASE_STORE "NET.STA ..."
"""
import numpy as np, csv, sys, subprocess, os, shutil
from scipy.cluster.hierarchy import linkage, fcluster
from scipy.spatial.distance import squareform
from sklearn.cluster import KMeans
from sklearn.metrics import adjusted_rand_score
from scipy.optimize import linear_sum_assignment
def acc(t, p):
    tl = sorted(set(t)); pl = sorted(set(p))
    M = np.zeros((len(pl), len(tl)))
    for a, b in zip(p, t): M[pl.index(a), tl.index(b)] += 1
    r, c = linear_sum_assignment(-M); return M[r, c].sum() / len(t)
data, store, stations = sys.argv[1], sys.argv[2], sys.argv[3].split()
truth = {}
for r in csv.DictReader(open(f"{data}/truth.csv")):
    truth[(r["network"], r["station"], r["time"][:21])] = r["label"]
S = os.environ.get("SEISCLUSTER", ".build/release/seiscluster")
for st in stations:
    db = f"/tmp/cc_{st}.sqlite"; shutil.copy(store, db)
    env = dict(os.environ, SEISCLUSTER_DB=db)
    subprocess.run([S, "windows", "build", "--stations", st, "--before", "5", "--after", "35", "--input", "waveform"], env=env, capture_output=True)
    subprocess.run([S, "windows", "export", "--output", f"/tmp/cc_{st}.npy", "--index", f"/tmp/cc_{st}.csv"], env=env, capture_output=True)
    X = np.load(f"/tmp/cc_{st}.npy").astype(np.float64)
    idx = list(csv.DictReader(open(f"/tmp/cc_{st}.csv")))
    y = [truth.get((r["network"], r["station"], r["time"][:21]), "?") for r in idx]
    N, C, L = X.shape
    nf = 1 << int(np.ceil(np.log2(2 * L)))
    Xn = X / np.maximum(np.linalg.norm(X, axis=2, keepdims=True), 1e-12)
    F = np.fft.rfft(Xn, nf, axis=2)
    CC = np.zeros((N, N))
    for i in range(N):
        cs = (F[i][None] * np.conj(F)).sum(axis=1) / C
        cc = np.fft.irfft(cs, nf, axis=1)
        CC[i] = cc.max(axis=1)
    K = len(set(y))
    D = 1 - CC; D = (D + D.T) / 2; np.fill_diagonal(D, 0)
    Z = linkage(squareform(np.clip(D, 0, None)), "average")
    la = fcluster(Z, K, "maxclust")
    km = KMeans(K, n_init=10, random_state=0).fit_predict(CC)
    within = np.median([CC[i, j] for i in range(N) for j in range(i+1, N) if y[i] == y[j]])
    between = np.median([CC[i, j] for i in range(N) for j in range(i+1, N) if y[i] != y[j]])
    # threshold linkage as REDPy-ish: cut at 1-0.7? 
    lt = fcluster(Z, 0.5, "distance")
    print(f"{st} N={N} K={K} within={within:.2f} between={between:.2f} avg-link ACC={acc(y, la):.3f} kmeans-profile ACC={acc(y, km):.3f} cut0.5 nclust={len(set(lt))}", flush=True)
    np.save(f"/tmp/cc_{st}_CC.npy", CC); 
    with open(f"/tmp/cc_{st}_y.txt", "w") as f: f.write("\n".join(y))
