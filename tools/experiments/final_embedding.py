#!/usr/bin/env python3
"""Where a good run's errors are: in the cut or in the embedding (docs/evaluation.md,
"Later figures (stop 36)").

Input: one directory per run, NAME_SEED, made by a build with final_embedding_experiment.patch
(applies to 67d4303) run with SEISCLUSTER_EXPERIMENT_DUMPZ=DIR: DIR/zfinal-SEED.f32 and
DIR/cfinal-SEED.f32 (each restart's embedding after the joint stage and its centroids) and
DIR/zpre-SEED.f32 (its embedding after pretraining, before k-means),
DIR/cat.csv (`export --format csv`), DIR/truth.csv, and a line of RUNS.txt per run:
`NAME SEED ACC=... ... (seed S)` naming the restart kept (its `stability:` line).

For the kept restart it prints the run's ACC; the ACC of a spherical mixture fitted on the final
embedding from q's partition (the labels decision 0022's target would give), and of one step
of it; then the supervised ceiling of that embedding (5-fold logistic regression and RBF SVM).
Where the pretrained embedding was written too: its supervised ceiling, k-means on it, and a
logistic regression fitted there on the run's own labels (all windows, C = 100).

    tools/experiments/final_embedding.py RUNS.txt
"""
import csv, os, re, sys
import numpy as np
from scipy.stats import multivariate_normal as mvn
from sklearn.cluster import KMeans
from sklearn.linear_model import LogisticRegression
from sklearn.mixture import GaussianMixture
from sklearn.model_selection import cross_val_predict
from sklearn.svm import SVC

sys.path.insert(0, os.path.dirname(__file__))
from station_centring import accuracy  # noqa: E402


def main(runs):
    base = os.path.dirname(os.path.abspath(runs))
    for line in open(runs):
        name, seed_arg, acc, *_ = line.split()
        seed = re.search(r'seed (\d+)', line)[1]
        d = os.path.join(base, f'{name}_{seed_arg}')
        z = np.fromfile(f'{d}/zfinal-{seed}.f32', dtype=np.float32).reshape(-1, 16).astype(np.float64)
        c = np.fromfile(f'{d}/cfinal-{seed}.f32', dtype=np.float32).reshape(-1, 16).astype(np.float64)
        cat = list(csv.DictReader(open(f'{d}/cat.csv')))
        key = lambda r: (r['network'], r['station'], r['location'], r['time'][:23])
        truth = {key(r): r['label'] for r in csv.DictReader(open(f'{d}/truth.csv'))}
        names = sorted(set(truth.values()))
        y = np.array([names.index(truth[key(r)]) for r in cat])
        stored = np.array([int(r['cluster']) for r in cat])
        q = 1 / (1 + ((z[:, None, :] - c[None]) ** 2).sum(-1))
        labels = q.argmax(1)
        k = c.shape[0]
        means = np.array([z[labels == j].mean(0) for j in range(k)])
        var = np.array([((z[labels == j] - means[j]) ** 2).mean() for j in range(k)])
        weights = np.array([(labels == j).mean() for j in range(k)])
        em = GaussianMixture(k, covariance_type='spherical', means_init=means, weights_init=weights,
                             precisions_init=1 / var, max_iter=300, tol=1e-7).fit(z).predict(z)
        one = np.stack([np.log(weights[j]) + mvn(means[j], var[j] * np.eye(z.shape[1])).logpdf(z)
                        for j in range(k)], 1).argmax(1)
        linear = cross_val_predict(LogisticRegression(max_iter=2000, C=10), z, y, cv=5)
        rbf = cross_val_predict(SVC(C=10), z, y, cv=5)
        print(f'{name} seed {seed_arg}: run {acc}, q reproduces the catalog {np.mean(labels == stored):.4f}; '
              f'mixture EM {accuracy(y, em):.4f}, one step {accuracy(y, one):.4f}; '
              f'supervised on the embedding: linear {np.mean(linear == y):.4f}, RBF SVM {np.mean(rbf == y):.4f}')
        pre = f'{d}/zpre-{seed}.f32'
        if os.path.exists(pre):
            z = np.fromfile(pre, dtype=np.float32).reshape(-1, 16).astype(np.float64)
            linear = cross_val_predict(LogisticRegression(max_iter=3000, C=10), z, y, cv=5)
            rbf = cross_val_predict(SVC(C=10), z, y, cv=5)
            kmeans = KMeans(k, n_init=10, random_state=0).fit_predict(z)
            own = LogisticRegression(max_iter=5000, C=100).fit(z, stored).predict(z)
            print(f'  pretrained embedding: supervised linear {np.mean(linear == y):.4f}, RBF SVM '
                  f'{np.mean(rbf == y):.4f}; k-means {accuracy(y, kmeans):.4f}; '
                  f'fitted on the run\'s labels {accuracy(y, own):.4f}')


if __name__ == '__main__':
    main(sys.argv[1])
