#!/usr/bin/env python3
"""Which of two agreeing restarts the default rule keeps (decision 0014, "Stop 39").

The rule keeps, among the restarts it trained, the one with the most partners, then the
highest consensus, then the lowest pretraining loss. Two restarts that agree tie on the first
two, so the loss decides. Stop 37 found the demo's second optimum (ACC about 0.966) kept that
way while its partner, a good restart, separated the input far better (share 0.97 against
0.87). This scores other tie-breaks over 20,000 random orders of one `--restarts 1` run per
seed (the same simulation as tools/experiments/agreement_threshold.py, threshold 0.875, set
aside as the tool does):

  loss          the tool's: lower pretraining loss
  share         higher input-separation share
  share>=D      higher share when the two differ by D or more, else lower loss

Per set and tie-break: the share of runs that keep a bad restart (ACC < 0.95), the worst, 1st
percentile, median and mean ACC kept, and how many runs keep another restart than the tool.

    tools/experiments/pair_tiebreak.py NAME:'DIR/seed*.npz':WINDOWS.npy ...
"""
import itertools, os, random, sys
import numpy as np

sys.path.insert(0, os.path.dirname(__file__))
import input_separation as S  # noqa: E402

S.AGREE = 0.875
GAPS = (None, 0.0, 0.03, 0.05, 0.08, 0.10)


def select(trained, ag, loss, share, gap):
    credible = [s for s in trained if share[s] >= S.CREDIBLE]
    backed = [s for s in credible if any(ag[(s, u)] >= S.AGREE for u in trained if u != s)]
    candidates = credible if backed else trained

    def head(s):
        others = [u for u in trained if u != s]
        partners = sum(ag[(s, u)] >= S.AGREE for u in others)
        consensus = np.mean([ag[(s, u)] for u in others]) if others else 0.0
        return (partners, round(consensus, 9))

    best = max(head(s) for s in candidates)
    tied = [s for s in candidates if head(s) == best]
    by_loss = min(tied, key=lambda s: loss[s])
    if gap is None or len(tied) < 2:
        return by_loss
    by_share = max(tied, key=lambda s: share[s])
    return by_share if share[by_share] - share[by_loss] >= gap else by_loss


def run(name, pattern, windows):
    seeds, acc, loss, share, ag = S.load(name, pattern, windows)[:5]
    print(f'{name}: ' + ' '.join(f'{s}:{acc[s]:.4f}/{share[s]:.2f}' for s in seeds))
    rng = random.Random(0)
    orders = [rng.sample(seeds, min(len(seeds), S.CAP)) for _ in range(20000)]
    trained = [S.rule(o, ag, loss, share, True)[0] for o in orders]
    tool = [select(t, ag, loss, share, None) for t in trained]
    for gap in GAPS:
        kept = [select(t, ag, loss, share, gap) for t in trained]
        a = np.array([acc[k] for k in kept])
        changed = sum(k != u for k, u in zip(kept, tool))
        label = 'loss' if gap is None else ('share' if gap == 0 else f'share>={gap:.2f}')
        print(f'  {label:12s} bad kept {100 * np.mean(a < S.BAD):5.2f} %, worst {a.min():.4f}, '
              f'p1 {np.percentile(a, 1):.4f}, median {np.median(a):.4f}, mean {a.mean():.4f}; '
              f'other restart than the tool in {100 * changed / len(kept):.1f} % of runs')


if __name__ == '__main__':
    for spec in sys.argv[1:]:
        run(*spec.split(':'))
