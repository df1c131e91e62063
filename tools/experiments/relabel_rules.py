#!/usr/bin/env python3
"""Rules for choosing among relabel's candidates, replayed on candidate dumps (decision 0014,
"Relabel: lighter labels, candidates set aside (stop 26)").

    tools/experiments/relabel_rules.py DUMP_DIR TAG NAME=WINDOWS.npy:TRUTH_DUMP.npz ...

DUMP_DIR/TAG-NAME-sS-dD.json come from relabel_matrix.sh with DUMPTAG=TAG (a build with
relabel_weight_experiment.patch). WINDOWS.npy is the set's `windows export` (stored order),
TRUTH_DUMP.npz a `bad_optima.py --dump` of any run on it (for its truth). Each candidate's ACC
(all windows, hand-labelled ones included) and input-separation share (as InputSeparation: CH
index in PCA-8 over k-means's) are computed; then, per rule, the candidate it keeps:
consensus (the tool before stop 26), highest share, consensus among candidates at or above a
share of 2/3 or 0.75, and consensus among candidates within 0.05, 0.1 (the tool since stop 26)
or 0.2 of the best share.
"""
import collections, glob, json, os, re, sys
import numpy as np
from sklearn.cluster import KMeans
from sklearn.decomposition import PCA
from sklearn.metrics import adjusted_rand_score as ari
from sklearn.metrics import calinski_harabasz_score as chs

sys.path.insert(0, os.path.dirname(__file__))
from station_centring import accuracy  # noqa: E402

folder, tag = sys.argv[1], sys.argv[2]
sets = dict(a.split('=', 1) for a in sys.argv[3:])
rows = []
for name, files in sets.items():
    windows, truth_dump = files.split(':')
    x = np.load(windows).astype(np.float64)
    truth = np.load(truth_dump)['truth']
    z = PCA(8, random_state=0).fit_transform(x.reshape(len(x), -1))
    ref = chs(z, KMeans(2, n_init=20, random_state=0).fit_predict(z))
    for path in sorted(glob.glob(os.path.join(folder, f'{tag}-{name}-s*-d*.json'))):
        s, d = map(int, re.search(r'-s(\d+)-d(\d+)\.json$', path).groups())
        labels = [np.array([int(v) for v in c['labels'].split(',')]) for c in json.load(open(path))]
        n = len(labels)
        rows.append(dict(
            name=name, s=s, d=d, acc=[accuracy(truth, l) for l in labels],
            share=[chs(z, l) / ref if len(set(l)) > 1 else 0 for l in labels],
            agree=[[ari(labels[a], labels[b]) for b in range(n)] for a in range(n)]))


def consensus(agree, pool, among):
    return max(pool, key=lambda i: (sum(agree[i][j] for j in among if j != i), -i))


def rules(r):
    n, share, agree = len(r['acc']), r['share'], r['agree']
    every = list(range(n))
    kept = {'consensus': consensus(agree, every, every),
            'highest share': max(every, key=lambda i: share[i])}
    for t in (2 / 3, 0.75):
        credible = [i for i in every if share[i] >= t] or every
        kept[f'share >= {t:.2f}, consensus'] = consensus(agree, credible, credible)
    for m in (0.05, 0.1, 0.2):
        near = [i for i in every if share[i] >= max(share) - m]
        kept[f'within {m} of best, consensus'] = consensus(agree, near, every)
    return kept


results = collections.defaultdict(list)
for r in rows:
    for rule, i in rules(r).items():
        results[rule].append((r['acc'][i], r['name'], r['s'], r['d']))
for rule, kept in results.items():
    accs = np.array([k[0] for k in kept])
    worst = min(kept)
    per_set = collections.defaultdict(list)
    for k in kept:
        per_set[k[1]].append(k[0])
    print(f'{rule:32s} n={len(kept)} below 0.98: {int((accs < 0.98).sum()):2d} worst {worst[0]:.4f} '
          f'({worst[1]} seed {worst[2]} draw {worst[3]}) | '
          + ' '.join(f'{s} {min(a):.3f}' for s, a in sorted(per_set.items())))
