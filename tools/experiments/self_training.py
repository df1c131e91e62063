#!/usr/bin/env python3
"""Would relabelling a run's least confident windows with a linear classifier help? (Negative
result, docs/evaluation.md, "Later figures (stop 22)".)

For each `--restarts 1` run (one store per seed, as for tools/restart_triples.py), a logistic
regression on the 32 leading principal components of the network's input (standardised) is
trained on the run's labels of its most confident 50 % or 80 % of windows (largest q) and then
labels every window. Prints ACC of the run and of the two relabellings per seed.

    tools/experiments/self_training.py NAME:DIR:TRUTH.csv:SEEDS:WINDOWS.npy:INDEX.csv ...

WINDOWS.npy and INDEX.csv come from `seiscluster windows export` of the runs' window set.
"""
import csv, datetime, os, sqlite3, sys
import numpy as np
from sklearn.decomposition import PCA
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import StandardScaler

sys.path.insert(0, os.path.join(os.path.dirname(__file__), '..'))
from restart_triples import accuracy  # noqa: E402


def key(network, station, location, time):
    return f'{network}.{station}.{location}|{time[:23]}'


def run(name, folder, truth_file, seeds, npy, index):
    x = np.load(npy)
    rows = list(csv.DictReader(open(index)))
    truth = {key(r['network'], r['station'], r['location'], r['time']): r['label']
             for r in csv.DictReader(open(truth_file))}
    classes = sorted(set(truth.values()))
    keys = [key(r['network'], r['station'], r['location'], r['time']) for r in rows]
    y = np.array([classes.index(truth[k]) for k in keys])
    position = {k: i for i, k in enumerate(keys)}
    z = PCA(32, random_state=0).fit_transform(x.reshape(len(x), -1).astype(np.float64))
    z = StandardScaler().fit_transform(z)
    table = []
    for s in range(seeds):
        con = sqlite3.connect(f'{folder}/seed{s}.sqlite')
        labels = np.zeros(len(x), int)
        confidence = np.zeros(len(x))
        for net, sta, loc, t, c, q in con.execute(
                """select w.network, w.station, w.location, w.pick_time_ns, a.cluster, a.q
                   from assignments a join windows w on w.id = a.window_id
                   where a.run_id = (select max(id) from runs where kind = 'cluster')"""):
            time = datetime.datetime.fromtimestamp(t / 1e9, datetime.timezone.utc).strftime(
                '%Y-%m-%dT%H:%M:%S.%f')
            i = position[key(net, sta, loc, time)]
            labels[i] = c
            confidence[i] = np.frombuffer(q, dtype=np.float32).max()
        row = [accuracy(y, labels)]
        for share in (0.5, 0.8):
            confident = confidence >= np.quantile(confidence, 1 - share)
            model = LogisticRegression(max_iter=2000).fit(z[confident], labels[confident])
            row.append(accuracy(y, model.predict(z)))
        table.append(row)
    t = np.array(table)
    print(f'{name}: run worst {t[:, 0].min():.4f} median {np.median(t[:, 0]):.4f} | '
          f'top 50 % worst {t[:, 1].min():.4f} median {np.median(t[:, 1]):.4f} | '
          f'top 80 % worst {t[:, 2].min():.4f} median {np.median(t[:, 2]):.4f}')


if __name__ == '__main__':
    for spec in sys.argv[1:]:
        name, folder, truth, seeds, npy, index = spec.split(':')
        run(name, folder, truth, int(seeds), npy, index)
