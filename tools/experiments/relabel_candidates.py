#!/usr/bin/env python3
"""Relabel's candidates, one by one (docs/evaluation.md, "Later figures (stop 25)").

Input: candidate dumps written by a build with tools/experiments/relabel_candidates_experiment.patch
(`SEISCLUSTER_EXPERIMENT_RELABEL_DUMP=OUT.json`, and `SEISCLUSTER_EXPERIMENT_RELABEL_CANDIDATES=N`
for N retrained candidates), the set's windows (`windows export`, stored order) and the truth
in the same order (a `bad_optima.py --dump` of any run on the set). Prints each candidate's ACC
and input-separation share, and which one each rule would keep: the consensus (the tool), most
partners (ARI >= 0.90) then consensus, and that among candidates at or above a share (2/3,
0.75) once one of them has a partner.

    tools/experiments/relabel_candidates.py WINDOWS.npy TRUTH_DUMP.npz CANDIDATES.json ...
"""
import json, os, sys
import numpy as np
from sklearn.cluster import KMeans
from sklearn.decomposition import PCA
from sklearn.metrics import adjusted_rand_score as ari
from sklearn.metrics import calinski_harabasz_score as chs

sys.path.insert(0, os.path.dirname(__file__))
from station_centring import accuracy  # noqa: E402

x = np.load(sys.argv[1]).astype(np.float64)
truth = np.load(sys.argv[2])['truth']
z = PCA(8, random_state=0).fit_transform(x.reshape(len(x), -1))
ref = chs(z, KMeans(2, n_init=20, random_state=0).fit_predict(z))
for path in sys.argv[3:]:
    labels = [np.array([int(v) for v in c['labels'].split(',')]) for c in json.load(open(path))]
    n = len(labels)
    agree = np.array([[ari(labels[a], labels[b]) for b in range(n)] for a in range(n)])
    acc = [accuracy(truth, l) for l in labels]
    share = [chs(z, l) / ref for l in labels]
    consensus = [(agree[r].sum() - 1) / (n - 1) for r in range(n)]
    partners = [int((agree[r] >= 0.9).sum() - 1) for r in range(n)]
    def keep(threshold):
        credible = [r for r in range(n) if share[r] >= threshold]
        pool = credible if any(partners[r] > 0 for r in credible) else list(range(n))
        return max(pool, key=lambda r: (partners[r], consensus[r]))
    print(os.path.basename(path), 'ACC', ' '.join(f'{a:.3f}' for a in acc),
          '| share', ' '.join(f'{s:.2f}' for s in share))
    print(f'  kept: consensus {acc[int(np.argmax(consensus))]:.3f}, partners '
          f'{acc[keep(0)]:.3f}, set aside below 2/3 {acc[keep(2 / 3)]:.3f}, below 0.75 '
          f'{acc[keep(0.75)]:.3f}; best candidate {max(acc):.3f}')
