#!/usr/bin/env python3
"""Would a majority vote over restarts beat keeping one? (Negative result, docs/evaluation.md,
"Later figures (stop 22)".)

Per data set, one store per seed holding a `--restarts 1` cluster run (as for
tools/restart_triples.py). Random ordered sequences of five seeds are run through the default
rule (train until two agree at ARI >= 0.90, at most five; two that agree keep the lower
pretraining loss; at the cap the consensus restart). Compared: the restart kept; a vote of all
trained restarts' labels (aligned to the kept one) only when the rule reached the cap; a vote
whenever three or more were trained.

    tools/experiments/restart_vote.py NAME:DIR:TRUTH.csv:SEEDS ...
"""
import os, random, sys
import numpy as np
from scipy.optimize import linear_sum_assignment
from sklearn.metrics import adjusted_rand_score as ari

sys.path.insert(0, os.path.join(os.path.dirname(__file__), '..'))
from restart_triples import load, accuracy, default_rule  # noqa: E402


def align(reference, labels, k):
    table = np.zeros((k, k))
    for a, b in zip(labels, reference):
        table[a, b] += 1
    rows, cols = linear_sum_assignment(-table)
    mapping = dict(zip(rows, cols))
    return np.array([mapping[x] for x in labels])


def vote(labels, kept, k):
    reference = labels[kept]
    counts = np.zeros((len(reference), k))
    for l in labels:
        counts[np.arange(len(reference)), align(reference, l, k)] += 1
    counts[np.arange(len(reference)), reference] += 0.5  # ties go to the kept restart
    return counts.argmax(1)


def run(name, folder, truth, n, sequences=3000):
    runs = {s: load(f'{folder}/seed{s}.sqlite', truth) for s in range(n)}
    y = runs[0][1]
    k = int(max(r[0].max() for r in runs.values()) + 1)
    acc = {s: accuracy(y, runs[s][0]) for s in runs}
    loss = {s: runs[s][3]['pretraining'][-1]['loss'] for s in runs}
    agreement = {(a, b): ari(runs[a][0], runs[b][0]) for a in runs for b in runs}
    rng = random.Random(0)
    results = {'kept': [], 'vote at the cap': [], 'vote from 3': []}
    trained_counts = []
    for _ in range(sequences):
        trained, kept, stable = default_rule(rng.sample(range(n), 5), agreement, loss)
        trained_counts.append(len(trained))
        voted = accuracy(y, vote([runs[s][0] for s in trained], trained.index(kept), k))
        results['kept'].append(acc[kept])
        results['vote at the cap'].append(acc[kept] if stable else voted)
        results['vote from 3'].append(voted if len(trained) >= 3 else acc[kept])
    print(f'{name}: single restarts {min(acc.values()):.4f}-{max(acc.values()):.4f}, '
          f'mean restarts trained {np.mean(trained_counts):.2f}')
    for key, values in results.items():
        a = np.array(values)
        print(f'  {key:16s} worst {a.min():.4f}  median {np.median(a):.4f}  mean {a.mean():.4f}')


if __name__ == '__main__':
    for spec in sys.argv[1:]:
        name, folder, truth, n = spec.split(':')
        run(name, folder, truth, int(n))
