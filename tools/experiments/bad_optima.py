#!/usr/bin/env python3
"""Bad optima: how often a single restart lands badly, whether bad restarts agree with each
other, and what the restart rules keep (docs/evaluation.md, "Later figures (stop 24)").

Input per data set: one `--restarts 1` cluster run per seed, as a store (DIR/seedS.sqlite; the
latest run in it is read, so a store that already held a run works) or as a dump of one written
by `--dump` (DIR/seedS.npz, labels and truth only: stores are 160-460 MB each). With an
embeddings folder (EMB/z-S.f32, the pretrained bottleneck that a build with
tools/experiments/bottleneck_experiment.patch writes when SEISCLUSTER_EXPERIMENT_DUMPZ=EMB is
set), it also prints each partition's silhouette in every network's embedding.

    tools/experiments/bad_optima.py --dump STORE TRUTH.csv OUT.npz
    tools/experiments/bad_optima.py NAME:DIR:TRUTH.csv:SEEDS[:EMB] ...

A restart is "bad" below ACC 0.95. Per data set it prints the single restarts, the ARI of every
pair of bad restarts (up to six bad ones), the ARI distribution of good-good, good-bad and bad-bad pairs, then, over
20,000 random orders of the seeds, the share of runs that keep a bad restart under the default
rule (a pair, then one restart at a time until two agree, cap 7:
tools/restart_triples.default_rule), under a variant that trains pairs until two agree
(`pair_rule`, not kept) and under an explicit `--restarts N` (the restart `keep` chooses, as the tool
does), with a wall-time model for 2,000 windows.
"""
import itertools, os, random, sys
import numpy as np
from sklearn.metrics import adjusted_rand_score as ari
from sklearn.metrics import silhouette_score

sys.path.insert(0, os.path.join(os.path.dirname(__file__), '..'))
import restart_triples  # noqa: E402
from restart_triples import accuracy, default_rule  # noqa: E402

BAD = 0.95


def load_store(db, truth_file):
    """Labels, truth classes and pretraining loss of the store's latest run, in stored order
    (the order the network's windows, and so the embeddings, have)."""
    labels, y, _, history = restart_triples.load(db, truth_file, run=None)
    return labels, y, history['pretraining'][-1]['loss']


def load(folder, seed, truth_file):
    npz = f'{folder}/seed{seed}.npz'
    if os.path.exists(npz):
        d = np.load(npz)
        return d['labels'], d['truth'], float(d['pre'])
    return load_store(f'{folder}/seed{seed}.sqlite', truth_file)


def keep(trained, agreement, loss):
    """The tool's RestartSelection: most partners (ARI >= 0.90), then the highest mean ARI with
    the others, then the lowest pretraining loss."""
    def key(s):
        others = [u for u in trained if u != s]
        partners = sum(agreement[(s, u)] >= 0.9 for u in others)
        consensus = round(float(np.mean([agreement[(s, u)] for u in others])), 9) if others else 0
        return (partners, consensus, -loss[s])
    return max(trained, key=key)


def pair_rule(order, agreement, loss, cap=7):
    """A variant tried in stop 24 and not kept: restarts train in pairs (1-2, 3-4, 5-6, then 7)
    and the run stops after the first pair in which any two of those trained agree; the kept
    restart is `keep`'s. Returns (restarts trained, restart kept)."""
    trained = []
    for start in range(0, cap, 2):
        trained += order[start:min(start + 2, cap)]
        if any(agreement[(a, b)] >= 0.9 for a, b in itertools.combinations(trained, 2)):
            break
    return trained, keep(trained, agreement, loss)


def seconds(groups):
    """Wall time on 2,000 windows, 2 cores, as measured in stop 24 (make_events.py 2,000, seed
    2): the windows 1.7 s, a pair side by side 8.7 s (8.2-9.3: the two joint stages, on one
    core each, take 1.1-2.1 s), a restart alone 5.1 s."""
    return 1.7 + sum(8.7 if g == 2 else 5.1 for g in groups)


def share(values, below):
    return 100 * np.mean(np.asarray(values) < below)


def analyse(name, folder, truth_file, n, emb=None, sequences=20000):
    seeds = list(range(n))
    runs = {s: load(folder, s, truth_file) for s in seeds}
    acc = {s: accuracy(runs[s][1], runs[s][0]) for s in seeds}
    loss = {s: runs[s][2] for s in seeds}
    agreement = {(a, b): ari(runs[a][0], runs[b][0]) for a in seeds for b in seeds}
    bad = [s for s in seeds if acc[s] < BAD]
    print(f'== {name}: {n} single restarts, ACC {min(acc.values()):.4f}-{max(acc.values()):.4f}, '
          f'bad (< {BAD}) {len(bad)}: ' + ', '.join(f'seed {s} {acc[s]:.4f}' for s in bad))
    if len(bad) <= 6:
        for a, b in itertools.combinations(bad, 2):
            print(f'  bad pair {a},{b}: ARI {agreement[(a, b)]:.3f}')
    kinds = {'good-good': [], 'good-bad': [], 'bad-bad': []}
    for a, b in itertools.combinations(seeds, 2):
        k = (a in bad) + (b in bad)
        kinds[['good-good', 'good-bad', 'bad-bad'][k]].append(agreement[(a, b)])
    for k, v in kinds.items():
        if v:
            print(f'  {k} pairs: {len(v)}, ARI min {min(v):.3f} median {np.median(v):.3f} '
                  f'max {max(v):.3f}, >= 0.90: {100 - share(v, 0.9):.1f} %')
    rng = random.Random(0)
    kept, trained, paired, paired_n, wall, paired_wall = [], [], [], [], [], []
    for _ in range(sequences):
        order = rng.sample(seeds, min(7, n))
        t, k, _ = default_rule(order, agreement, loss)
        kept.append(acc[k])
        trained.append(len(t))
        wall.append(seconds([2] + [1] * (len(t) - 2)))
        t, k = pair_rule(order, agreement, loss)
        paired.append(acc[k])
        paired_n.append(len(t))
        paired_wall.append(seconds([2] * (len(t) // 2) + [1] * (len(t) % 2)))
    print(f'  one at a time after the first pair (the rule the tool uses): keeps a bad restart in '
          f'{share(kept, BAD):.2f} % of runs (worst {min(kept):.4f}, median {np.median(kept):.4f}), '
          f'{np.mean(trained):.2f} restarts, modelled wall time on 2,000 windows {np.mean(wall):.1f} s '
          f'(19 s or more: {100 - share(wall, 19):.1f} %)')
    print(f'  in pairs (tried, not kept): {share(paired, BAD):.2f} % (worst {min(paired):.4f}, '
          f'median {np.median(paired):.4f}), {np.mean(paired_n):.2f} restarts, {np.mean(paired_wall):.1f} s '
          f'(19 s or more: {100 - share(paired_wall, 19):.1f} %)')
    line = '  fixed:'
    for size in (3, 4, 5, 7):
        if size > n:
            continue
        rng = random.Random(size)
        kept = []
        for _ in range(sequences):
            t = rng.sample(seeds, size)
            kept.append(acc[keep(t, agreement, loss)])
        line += f' --restarts {size}: {share(kept, BAD):.2f} % (worst {min(kept):.4f});'
    print(line)
    if emb:
        z = {s: np.fromfile(f'{emb}/z-{s}.f32', dtype=np.float32).reshape(len(runs[s][0]), -1)
             for s in seeds}
        count = len(runs[0][0])
        sample = np.random.default_rng(0).choice(count, min(count, 1000), replace=False)
        good = [s for s in seeds if s not in bad]
        for pn, partitions in (('good', good), ('bad', bad)):
            for en, embeddings in (('good', good), ('bad', bad)):
                v = [silhouette_score(z[t][sample], runs[s][0][sample])
                     for s in partitions for t in embeddings if s != t]
                if v:
                    print(f'  silhouette of {pn} partitions in other {en} networks\' embeddings: '
                          f'min {min(v):.3f} median {np.median(v):.3f} max {max(v):.3f} (n={len(v)})')


def main(args):
    if args[:1] == ['--dump']:
        labels, y, pre = load_store(args[1], args[2])
        np.savez(args[3], labels=labels, truth=y, pre=pre)
        return
    for spec in args:
        parts = spec.split(':')
        analyse(parts[0], parts[1], parts[2], int(parts[3]), parts[4] if len(parts) > 4 else None)


if __name__ == '__main__':
    main(sys.argv[1:])
