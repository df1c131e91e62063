#!/usr/bin/env python3
"""The agreement threshold of the default restart rule (decision 0014, "Stop 36").

Input per data set: one `--restarts 1` cluster run per seed, dumped by
`tools/experiments/bad_optima.py --dump STORE TRUTH.csv DIR/seedS.npz`, and the windows the runs
trained on (`windows export --output WINDOWS.npy` on one of the stores after its run; same
order). `tools/experiments/restart_singles.sh` makes both.

Per set it prints each seed's ACC and input-separation share, the ARI of good-good, good-bad
and bad-bad pairs of restarts (bad: ACC < 0.95), then, for each agreement threshold, the tool's
default rule simulated over 20,000 random orders of the seeds (`input_separation.rule`: train
until two agree and one of them is credible, or three are trained and none is; at most 7; set
aside; most partners, consensus, lower loss): the share of runs that keep a bad restart, the
worst / 1st percentile / median / mean ACC kept, and the mean number of restarts with the share
of runs that train 3, 4 and 5 or more (a 2,000-window restart alone takes about 5 s here).

    tools/experiments/agreement_threshold.py NAME:'DIR/seed*.npz':WINDOWS.npy ...
"""
import itertools, os, random, sys
import numpy as np

sys.path.insert(0, os.path.dirname(__file__))
import input_separation as S  # noqa: E402

THRESHOLDS = (0.90, 0.885, 0.875, 0.865, 0.85)


def run(name, pattern, windows):
    seeds, acc, loss, share, ag = S.load(name, pattern, windows)[:5]
    print(f'{name}: ' + ' '.join(f'{s}:{acc[s]:.4f}/{share[s]:.2f}' for s in seeds))
    good = lambda s: acc[s] >= S.BAD
    pairs = list(itertools.combinations(seeds, 2))
    for label, keep in (('good-good', lambda a, b: good(a) and good(b)),
                        ('good-bad', lambda a, b: good(a) != good(b)),
                        ('bad-bad', lambda a, b: not good(a) and not good(b))):
        v = [ag[p] for p in pairs if keep(*p)]
        print(f'  {label}: ' + (f'min {min(v):.3f} p10 {np.percentile(v, 10):.3f} '
                                f'median {np.median(v):.3f} max {max(v):.3f} ({len(v)} pairs)'
                                if v else '-'))
    rng = random.Random(0)
    orders = [rng.sample(seeds, min(len(seeds), S.CAP)) for _ in range(20000)]
    for t in THRESHOLDS:
        S.AGREE = t
        out = [S.rule(o, ag, loss, share, True) for o in orders]
        kept = np.array([acc[k] for _, k in out])
        n = np.array([len(trained) for trained, _ in out])
        print(f'  ARI >= {t:.3f}: bad kept {100 * np.mean(kept < S.BAD):.2f} %, worst '
              f'{kept.min():.4f}, p1 {np.percentile(kept, 1):.4f}, median {np.median(kept):.4f}, '
              f'mean {kept.mean():.4f}; restarts mean {n.mean():.2f}, 3+ {100 * np.mean(n >= 3):.1f} %, '
              f'4+ {100 * np.mean(n >= 4):.1f} %, 5+ {100 * np.mean(n >= 5):.1f} %')


if __name__ == '__main__':
    for spec in sys.argv[1:]:
        run(*spec.split(':'))
