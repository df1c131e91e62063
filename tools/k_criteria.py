#!/usr/bin/env python3
"""The table behind decision 0015: criteria for `--clusters auto` on pretrained embeddings.

Each data set is given as NAME:TRUTH.csv:STORE1,STORE2,STORE3 where every store holds one
`cluster --restarts 1 --max-iterations 0 --seed S` run of the same windows (S = 0, 1, 2), so its
stored embeddings are those of a pretrained network. For K in 2..10, k-means partitions each
embedding; printed per K: stability (mean ARI between the networks' partitions) / mean silhouette,
then what each rule picks and the accuracy at the true K. Needs numpy, scipy, scikit-learn.

    tools/k_criteria.py VLN:truth.csv:vln0.sqlite,vln1.sqlite,vln2.sqlite ...
"""
import csv, datetime, itertools, sqlite3, sys, warnings
import numpy as np
from sklearn.cluster import KMeans
from sklearn.metrics import adjusted_rand_score, silhouette_score

from restart_triples import accuracy  # the same Hungarian-matched ACC

warnings.filterwarnings('ignore')


def load(db, truth_file):
    truth = {}
    for r in csv.DictReader(open(truth_file)):
        truth[(r['network'], r['station'], r['location'], r['time'][:23])] = r['label']
    rows = sqlite3.connect(db).execute(
        """select w.network, w.station, w.location, w.pick_time_ns, a.embedding
           from assignments a join windows w on w.id = a.window_id
           where a.run_id = (select max(id) from runs) order by w.id""").fetchall()
    z, y = [], []
    for net, sta, loc, t, e in rows:
        ts = datetime.datetime.fromtimestamp(t / 1e9, datetime.timezone.utc).strftime(
            '%Y-%m-%dT%H:%M:%S.%f')[:23]
        label = truth.get((net, sta, loc, ts))
        if label is not None:
            z.append(np.frombuffer(e, dtype=np.float32))
            y.append(label)
    classes = sorted(set(y))
    return np.array(z, dtype=np.float64), np.array([classes.index(v) for v in y])


def main(specs):
    print('| data set | true K | ACC at true K (worst network) | stability / silhouette for K = 2..10 | silhouette picks (per network) | stability, then silhouette within 0.02 | stability x silhouette |')
    print('|---|---|---|---|---|---|---|')
    for spec in specs:
        name, truth, stores = spec.split(':')
        data = [load(s, truth) for s in stores.split(',')]
        y = data[0][1]
        true_k = len(set(y))
        parts, sil, acc = {}, {}, {}
        for k in range(2, 11):
            parts[k] = [KMeans(k, n_init=10, random_state=0).fit(z).labels_ for z, _ in data]
            sil[k] = [silhouette_score(z, p) for (z, _), p in zip(data, parts[k])]
            acc[k] = [accuracy(y, p) for p in parts[k]]
        stab = {k: np.mean([adjusted_rand_score(a, b)
                            for a, b in itertools.combinations(parts[k], 2)]) for k in parts}
        mean_sil = {k: np.mean(sil[k]) for k in parts}
        best = max(stab.values())
        near = [k for k in parts if stab[k] >= best - 0.02]
        rule = max(near, key=lambda k: (mean_sil[k], -k))
        product = max(parts, key=lambda k: stab[k] * mean_sil[k])
        per_network = [max(parts, key=lambda k: sil[k][i]) for i in range(len(data))]
        cells = ' '.join('%.2f/%.2f' % (stab[k], mean_sil[k]) for k in range(2, 11))
        print(f'| {name} | {true_k} | {min(acc[true_k]):.3f} | {cells} | {per_network} | {rule} | {product} |')


if __name__ == '__main__':
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    main(sys.argv[1:])
