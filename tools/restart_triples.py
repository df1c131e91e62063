#!/usr/bin/env python3
"""The table behind decision 0014: which restart an unsupervised criterion keeps.

Given, per data set, one store per seed holding a `--restarts 1` cluster run (run 1) of the same
windows, every triple of seeds is treated as the three restarts of one run. For each criterion
the accuracy of the restart it keeps is reported (worst / median over all triples), and for the
consensus restart, the ARI with its best-agreeing partner (the instability rule).

    tools/restart_triples.py NAME:DIR:TRUTH.csv:SEEDS ...
    e.g. tools/restart_triples.py mk2000:/data/restarts/mk2000:/data/mk-events-2000/truth.csv:8

DIR holds seed0.sqlite ... seed{SEEDS-1}.sqlite. Needs numpy, scipy, scikit-learn.
"""
import csv, datetime, itertools, json, sqlite3, sys
import numpy as np
from scipy.optimize import linear_sum_assignment
from sklearn.metrics import adjusted_rand_score


def accuracy(y, p):
    k = max(y.max(), p.max()) + 1
    table = np.zeros((k, k))
    for a, b in zip(y, p):
        table[a, b] += 1
    rows, cols = linear_sum_assignment(-table)
    return table[rows, cols].sum() / len(y)


def default_rule(order, agreement, loss):
    """The tool's default restart rule (decision 0014) over restarts trained in `order`: train
    until two agree (ARI >= 0.90), the pair keeping the lower pretraining loss; if none agree by
    the end of `order`, the consensus restart (highest mean ARI with the others, ties to the
    lower loss). Returns (restarts trained, restart kept, whether two agreed)."""
    trained = []
    for s in order:
        trained.append(s)
        pairs = [(a, b) for a, b in itertools.combinations(trained, 2)
                 if agreement[(a, b)] >= 0.9]
        if pairs:
            a, b = pairs[0]
            return trained, (a if loss[a] <= loss[b] else b), True
    kept = max(trained, key=lambda s: (
        np.mean([agreement[(s, t)] for t in trained if t != s]), -loss[s]))
    return trained, kept, False


def load(db, truth_file, run=1):
    """Labels, truth classes, q and history of run `run` in the store (None: its latest run), in
    stored (row id) order, the windows' order in training; windows without a truth row are
    left out."""
    truth = {}
    for r in csv.DictReader(open(truth_file)):
        truth[(r['network'], r['station'], r['location'], r['time'][:23])] = r['label']
    con = sqlite3.connect(db)
    if run is None:
        run = con.execute('select max(id) from runs').fetchone()[0]
    rows = con.execute(
        """select w.network, w.station, w.location, w.pick_time_ns, a.cluster, a.q
           from assignments a join windows w on w.id = a.window_id where a.run_id = ?
           order by w.id""", (run,)).fetchall()
    labels, y, q = [], [], []
    for net, sta, loc, t, c, qq in rows:
        ts = datetime.datetime.fromtimestamp(t / 1e9, datetime.timezone.utc).strftime(
            '%Y-%m-%dT%H:%M:%S.%f')[:23]
        lab = truth.get((net, sta, loc, ts))
        if lab is None:
            continue
        labels.append(c)
        y.append(lab)
        q.append(np.frombuffer(qq, dtype=np.float32))
    classes = sorted(set(y))
    history = json.loads(
        con.execute("select history_json from runs where id = ?", (run,)).fetchone()[0])
    return (np.array(labels), np.array([classes.index(v) for v in y]), np.array(q), history)


def main(specs):
    print('| data set | single-run ACC per seed | worst | first seed | consensus | lowest pretraining loss | highest mean q | lowest final loss |')
    print('|---|---|---|---|---|---|---|---|')
    rule = []
    for spec in specs:
        name, folder, truth, n = spec.split(':')
        runs = {s: load(f'{folder}/seed{s}.sqlite', truth) for s in range(int(n))}
        acc = {s: accuracy(r[1], r[0]) for s, r in runs.items()}
        ari = {(a, b): adjusted_rand_score(runs[a][0], runs[b][0]) for a in runs for b in runs}
        pre = {s: r[3]['pretraining'][-1]['loss'] for s, r in runs.items()}
        meanq = {s: r[2].max(1).mean() for s, r in runs.items()}
        final = {s: r[3]['updates'][-1]['loss'] for s, r in runs.items()}
        criteria = {
            'first': lambda g, c: g[0],
            'consensus': lambda g, c: max(g, key=lambda s: (round(c[s], 9), -pre[s])),
            'pretraining': lambda g, c: min(g, key=lambda s: pre[s]),
            'meanq': lambda g, c: max(g, key=lambda s: meanq[s]),
            'final': lambda g, c: min(g, key=lambda s: final[s]),
        }
        kept = {k: [] for k in criteria}
        partner, flagged = [], []
        for g in itertools.combinations(sorted(runs), 3):
            consensus = {s: np.mean([ari[(s, b)] for b in g if b != s]) for s in g}
            for k, f in criteria.items():
                kept[k].append(acc[f(g, consensus)])
            chosen = criteria['consensus'](g, consensus)
            best = max(ari[(chosen, b)] for b in g if b != chosen)
            partner.append(best)
            flagged.append((best < 0.9, acc[chosen]))
        cells = ' | '.join('%.4f / %.4f' % (min(v), np.median(v)) for v in kept.values())
        per_seed = ' '.join('%.3f' % acc[s] for s in sorted(acc))
        print(f'| {name} | {per_seed} | {min(acc.values()):.4f} | {cells} |')
        bad = [a for f, a in flagged if f]
        good = [a for f, a in flagged if not f]
        rule.append((name, len(flagged), min(partner), np.median(partner), len(bad),
                     min(bad) if bad else float('nan'), min(good) if good else float('nan')))
    print()
    print('| data set | triples | kept restart best-partner ARI min / median | flagged unstable (< 0.90) | worst ACC flagged | worst ACC not flagged |')
    print('|---|---|---|---|---|---|')
    for name, t, lo, med, nb, wb, wg in rule:
        print(f'| {name} | {t} | {lo:.3f} / {med:.3f} | {nb} | {wb:.4f} | {wg:.4f} |')


if __name__ == '__main__':
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    main(sys.argv[1:])
