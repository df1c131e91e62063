#!/usr/bin/env python3
"""How many restarts should the default rule be allowed on a small set? (docs/evaluation.md,
"Later figures (stop 23)".)

Per data set, one store per seed holding a `--restarts 1` cluster run (as for
tools/restart_triples.py). Random ordered sequences of seeds are run through the default rule
(train until two agree at ARI >= 0.90; two that agree keep the lower pretraining loss; at the
cap the consensus restart, ties to the lower pretraining loss), for several caps. Prints, per
cap, the worst / 1st percentile / median ACC of the kept restart, the share of runs flagged
unstable and the mean number of restarts trained.

    tools/experiments/restart_cap.py NAME:DIR:TRUTH.csv:SEEDS ...
"""
import os, random, sys
import numpy as np
from sklearn.metrics import adjusted_rand_score as ari

sys.path.insert(0, os.path.join(os.path.dirname(__file__), '..'))
from restart_triples import load, accuracy, default_rule  # noqa: E402

CAPS = [3, 5, 7, 10]


def run(name, folder, truth, n, sequences=4000):
    runs = {s: load(f'{folder}/seed{s}.sqlite', truth) for s in range(n)}
    y = runs[0][1]
    acc = {s: accuracy(y, runs[s][0]) for s in runs}
    loss = {s: runs[s][3]['pretraining'][-1]['loss'] for s in runs}
    agreement = {(a, b): ari(runs[a][0], runs[b][0]) for a in runs for b in runs}
    print(f'{name}: {n} single restarts, ACC {min(acc.values()):.4f}-{max(acc.values()):.4f}, '
          f'median {np.median(list(acc.values())):.4f}')
    for cap in [c for c in CAPS if c <= n]:
        rng = random.Random(cap)
        kept_acc, trained_counts, unstable = [], [], 0
        for _ in range(sequences):
            trained, kept, stable = default_rule(rng.sample(range(n), cap), agreement, loss)
            trained_counts.append(len(trained))
            unstable += not stable
            kept_acc.append(acc[kept])
        a = np.array(kept_acc)
        print(f'  at most {cap:2d}: worst {a.min():.4f}  p1 {np.percentile(a, 1):.4f}  '
              f'median {np.median(a):.4f}  unstable {unstable / sequences:.3f}  '
              f'mean restarts {np.mean(trained_counts):.2f}')


if __name__ == '__main__':
    for spec in sys.argv[1:]:
        name, folder, truth, n = spec.split(':')
        run(name, folder, truth, int(n))
