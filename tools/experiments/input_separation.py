#!/usr/bin/env python3
"""Restarts set aside by input separation (decision 0014, "Restarts set aside";
docs/evaluation.md, "Later figures (stop 25)").

Input per data set: one `--restarts 1` cluster run per seed, dumped by
`tools/experiments/bad_optima.py --dump STORE TRUTH.csv OUT.npz` (labels, truth, pretraining
loss, in stored order), and the set's windows as built by the runs (`windows build` with
the runs' window options, then `windows export --output WINDOWS.npy`; same order).

For every seed's partition it computes the share: the Calinski-Harabasz index of the partition
in the leading 8 principal components of the windows (scikit-learn's exact PCA), over that of
k-means (K = 2, n_init=20) there. It prints the shares of good (ACC >= 0.95) and bad restarts,
of the truth, and the AUROC of the share between them; then, over 20,000 random orders of the
seeds, the share of runs that keep a bad restart under the tool's rule without and with
setting aside (a pair stops the run when it agrees to ARI >= 0.90 and one of its members has a
share >= 2/3, or when no restart of three or more does; the kept restart: most partners, then
consensus, then the lower loss, among those not set aside), and under a fixed `--restarts N`.

    tools/experiments/input_separation.py NAME:DUMP_GLOB:WINDOWS.npy ...
"""
import glob, itertools, os, random, re, sys
import numpy as np
from sklearn.cluster import KMeans
from sklearn.decomposition import PCA
from sklearn.metrics import adjusted_rand_score as ari
from sklearn.metrics import calinski_harabasz_score, roc_auc_score

sys.path.insert(0, os.path.dirname(__file__))
from station_centring import accuracy  # noqa: E402

BAD, AGREE, CREDIBLE, CAP = 0.95, 0.90, 2 / 3, 7


def select(trained, ag, loss, share, aside):
    # Set aside only when a credible restart has found a partner: where nothing agrees, the
    # input's strongest split can be the wrong one (generator B 300), and the consensus decides.
    credible = [s for s in trained if share[s] >= CREDIBLE] if aside else []
    backed = [s for s in credible if any(ag[(s, u)] >= AGREE for u in trained if u != s)]
    candidates = credible if backed else trained
    def key(s):
        others = [u for u in trained if u != s]
        partners = sum(ag[(s, u)] >= AGREE for u in others)
        consensus = np.mean([ag[(s, u)] for u in others]) if others else 0.0
        return (partners, round(consensus, 9), -loss[s])
    return max(candidates, key=key)


def rule(order, ag, loss, share, aside):
    trained = []
    for s in order[:CAP]:
        trained.append(s)
        pairs = [(a, b) for a, b in itertools.combinations(trained, 2) if ag[(a, b)] >= AGREE]
        if pairs and not aside:
            break
        if any(max(share[a], share[b]) >= CREDIBLE for a, b in pairs):
            break
        if pairs and len(trained) >= 3 and all(share[u] < CREDIBLE for u in trained):
            break
    return trained, select(trained, ag, loss, share, aside)


def load(name, pattern, windows):
    """The seeds' dumps and windows: seeds, each seed's ACC, pretraining loss and share, the
    ARI of every ordered pair, the truth, the windows' 8 leading components and k-means's
    Calinski-Harabasz index there (the share's reference)."""
    files = glob.glob(pattern)
    runs = {int(re.findall(r'seed(\d+)', f)[-1]): np.load(f) for f in files}
    seeds = sorted(runs)
    x = np.load(windows).astype(np.float64)
    z = PCA(8, random_state=0).fit_transform(x.reshape(len(x), -1))
    truth = runs[seeds[0]]['truth']
    assert len(truth) == len(z), f'{name}: {len(truth)} labels for {len(z)} windows'
    reference = calinski_harabasz_score(z, KMeans(2, n_init=20, random_state=0).fit_predict(z))
    acc = {s: accuracy(runs[s]['truth'], runs[s]['labels']) for s in seeds}
    loss = {s: float(runs[s]['pre']) for s in seeds}
    share = {s: calinski_harabasz_score(z, runs[s]['labels']) / reference for s in seeds}
    ag = {(a, b): ari(runs[a]['labels'], runs[b]['labels'])
          for a, b in itertools.permutations(seeds, 2)}
    return seeds, acc, loss, share, ag, truth, z, reference


def run(name, pattern, windows):
    seeds, acc, loss, share, ag, truth, z, reference = load(name, pattern, windows)
    good = [share[s] for s in seeds if acc[s] >= BAD]
    bad = [share[s] for s in seeds if acc[s] < BAD]
    auc = roc_auc_score([1] * len(good) + [0] * len(bad), good + bad) if good and bad else np.nan
    fmt = lambda v, f: f'{f(v):.3f}' if v else '-'
    print(f'{name}: {len(seeds)} seeds, {len(bad)} bad; share good min {fmt(good, min)}, '
          f'bad max {fmt(bad, max)}, truth {calinski_harabasz_score(z, truth) / reference:.3f}, '
          f'AUROC {auc:.3f}')
    rng = random.Random(0)
    orders = [rng.sample(seeds, min(len(seeds), CAP)) for _ in range(20000)]
    for aside in (False, True):
        out = [rule(o, ag, loss, share, aside) for o in orders]
        kept = np.array([acc[k] for _, k in out])
        n = np.array([len(t) for t, _ in out])
        fixed = ' '.join(
            f'{N}: {100 * np.mean([acc[select(o[:N], ag, loss, share, aside)] < BAD for o in orders[:5000]]):.2f} %'
            for N in (3, 5, 7))
        print(f'  {"set aside" if aside else "agreement only":14s} default rule keeps a bad restart in '
              f'{100 * np.mean(kept < BAD):.2f} % (worst {kept.min():.4f}, median {np.median(kept):.4f}), '
              f'mean restarts {n.mean():.2f}, 4+ in {100 * np.mean(n >= 4):.1f} %; fixed --restarts {fixed}')


if __name__ == '__main__':
    for spec in sys.argv[1:]:
        run(*spec.split(':'))
