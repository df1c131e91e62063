#!/usr/bin/env python3
"""Prototype of seiscluster's clustering on a data set written by tools/make_events.py.

1. Windows per the contract (pick - before .. pick + after, components ZNE or Z), preprocessed
   with ObsPy: demean, linear detrend, 5 % cosine taper, 4-corner zero-phase Butterworth
   band-pass, FFT resampling (`Trace.resample`), cut, normalise. Cached as .npy per settings.
2. Baseline: k-means (20 restarts) on flattened ObsPy-style spectrograms.
3. DEC (Mousavi et al. 2019) in PyTorch: conv autoencoder (conv + max-pool encoder, conv +
   upsample decoder, dense bottleneck), pretraining on reconstruction, k-means++ (20 restarts)
   on the bottleneck, joint training with L = (1 - lambda) L_r + lambda KL(P || Q), target P
   refreshed every update interval, stop when the label-change fraction < tol.

Usage:
  /work/venv/bin/python tools/prototype_dec.py DATASET_DIR [--seeds 0,1,2] [--input spectrogram]
      [--rate 50] [--before 5 --after 55] [--components ZNE] [--filters 16,16,16] ...
Prints one line per seed (ACC, NMI, ARI, seconds) and a summary.
"""
import argparse
import glob
import hashlib
import os
import sys
import time

import numpy as np
from obspy import UTCDateTime, read
from scipy import signal
from scipy.optimize import linear_sum_assignment
from sklearn.cluster import KMeans
from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score


# ----------------------------------------------------------------------------- windows
def load_stream(ds):
    st = None
    for f in sorted(glob.glob(os.path.join(ds, "*.mseed")) + glob.glob(os.path.join(ds, "*.sac"))):
        s = read(f)
        st = s if st is None else st + s
    st.merge(method=0)  # join contiguous pieces; gaps stay masked
    return st


def read_csv(path):
    import csv

    with open(path) as f:
        return list(csv.DictReader(f))


def build_windows(ds, before, after, rate, components, bandpass, normalize):
    key = hashlib.md5(repr((before, after, rate, components, bandpass, normalize)).encode()).hexdigest()[:10]
    cache = os.path.join(ds, f".windows-{key}.npz")
    if os.path.exists(cache):
        z = np.load(cache, allow_pickle=True)
        return z["x"], z["labels"], z["stations"]
    st = load_stream(ds)
    picks = read_csv(os.path.join(ds, "picks.csv"))
    truth = {(r["network"], r["station"], r["location"], r["time"]): r["label"] for r in read_csv(os.path.join(ds, "truth.csv"))}
    margin = 10.0
    n = int(round((before + after) * rate))
    xs, labels, stations = [], [], []
    for p in picks:
        t = UTCDateTime(p["time"])
        prefix = p["channel"][:2]
        chans = []
        for comp in components:
            alts = {"Z": "Z", "N": "N1", "E": "E2"}[comp]
            sel = [tr for tr in st.select(network=p["network"], station=p["station"], location=p["location"])
                   if tr.stats.channel[:2] == prefix and tr.stats.channel[2] in alts]
            if not sel:
                break
            chans.append(sel[0])
        if len(chans) != len(components):
            continue
        rows = []
        for tr in chans:
            w = tr.slice(t - before - margin, t + after + margin).copy()
            if np.ma.is_masked(w.data):
                break
            w.data = w.data.astype(np.float64)
            w.detrend("demean")
            w.detrend("linear")
            w.taper(0.05)
            if bandpass:
                w.filter("bandpass", freqmin=bandpass[0], freqmax=bandpass[1], corners=4, zerophase=True)
            if w.stats.sampling_rate != rate:
                w.resample(rate)
            k0 = int(round((t - before - w.stats.starttime) * rate))
            seg = w.data[k0 : k0 + n]
            if len(seg) != n:
                break
            rows.append(seg)
        if len(rows) != len(components):
            continue
        x = np.array(rows, dtype=np.float32)
        if normalize == "max":
            x /= np.abs(x).max() + 1e-12
        elif normalize == "std":
            x /= x.std() + 1e-12
        xs.append(x)
        labels.append(truth[(p["network"], p["station"], p["location"], p["time"])])
        stations.append(p["station"])
    x, labels, stations = np.array(xs), np.array(labels), np.array(stations)
    np.savez(cache, x=x, labels=labels, stations=stations)
    return x, labels, stations


def log_spectrogram(x, nperseg, hop, fmax=None, rate=None, norm="db", fmin=None, dynamic_range=10.0):
    """x: N x C x L -> N x (C*F) x T normalised log-magnitude STFT (Hann, scipy.signal.stft)."""
    f, _, z = signal.stft(x, nperseg=nperseg, noverlap=nperseg - hop, boundary=None, padded=False, fs=rate or 1.0)
    a = np.abs(z)  # N x C x F x T
    if fmax is not None:
        keep = (f <= fmax) & (f >= (fmin or 0.0))
        a = a[:, :, keep, :]
    s = np.log(a + 1e-6 * a.max(axis=(1, 2, 3), keepdims=True) + 1e-30)
    n, c, fb, t = s.shape
    s = s.reshape(n, c * fb, t)
    if norm == "db":
        # dB relative to the window's loudest cell, floored at -dynamic_range dB, mapped to [0, 1]
        db = 20 / np.log(10) * (s - s.max(axis=(1, 2), keepdims=True))
        s = np.maximum(db, -dynamic_range) / dynamic_range + 1
    elif norm == "window":
        s = (s - s.mean(axis=(1, 2), keepdims=True)) / (s.std(axis=(1, 2), keepdims=True) + 1e-6)
    return s.astype(np.float32)


# ----------------------------------------------------------------------------- metrics
def cluster_acc(y, p):
    ys, yi = np.unique(y, return_inverse=True)
    k = max(len(ys), p.max() + 1)
    w = np.zeros((k, k))
    for a, b in zip(p, yi):
        w[a, b] += 1
    r, c = linear_sum_assignment(-w)
    return w[r, c].sum() / len(y)


def scores(labels, pred):
    return (cluster_acc(labels, pred), normalized_mutual_info_score(labels, pred), adjusted_rand_score(labels, pred))


def baseline(x, labels, rate, seed=0):
    out = {}
    for name, log in (("linear", False), ("log", True)):
        f, t, s = signal.spectrogram(x, fs=rate, nperseg=int(rate * 2), noverlap=int(rate))  # N x C x F x T
        s = np.log(s + 1e-12) if log else s
        feats = s.reshape(len(x), -1)
        feats = (feats - feats.mean(1, keepdims=True)) / (feats.std(1, keepdims=True) + 1e-12)
        pred = KMeans(2, n_init=20, random_state=seed).fit_predict(feats)
        out[name] = scores(labels, pred)
    return out


# ----------------------------------------------------------------------------- DEC
def dec(x, labels, args, seed):
    import torch
    import torch.nn as nn
    import torch.nn.functional as F

    torch.set_num_threads(args.threads)
    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    act = nn.Tanh if args.activation == "tanh" else nn.ReLU
    filters = [int(v) for v in args.filters.split(",")]
    kernels = [int(v) for v in args.kernels.split(",")]
    if len(kernels) == 1:
        kernels = kernels * len(filters)
    n, cin, length = x.shape
    pad_len = int(np.ceil(length / 2 ** len(filters)) * 2 ** len(filters))

    class AE(nn.Module):
        def __init__(self):
            super().__init__()
            enc, c = [], cin
            for f_, k in zip(filters, kernels):
                enc += [nn.Conv1d(c, f_, k, padding=k // 2), act(), nn.MaxPool1d(2)]
                c = f_
            self.enc = nn.Sequential(*enc)
            self.flat = c * pad_len // 2 ** len(filters)
            self.c_last = c
            self.latent = args.latent
            if args.latent > 0:
                self.to_z = nn.Linear(self.flat, args.latent)
                self.from_z = nn.Linear(args.latent, self.flat)
            dec_, chans = [], filters[::-1][1:] + [cin]
            for i, (f_, k) in enumerate(zip(chans, kernels[::-1])):
                dec_ += [nn.Upsample(scale_factor=2), nn.Conv1d(c, f_, k, padding=k // 2)]
                if i < len(chans) - 1:
                    dec_ += [act()]
                c = f_
            self.dec = nn.Sequential(*dec_)

        def encode(self, v):
            h = self.enc(F.pad(v, (0, pad_len - length))).flatten(1)
            return self.to_z(h) if self.latent > 0 else h

        def decode(self, z):
            h = self.from_z(z) if self.latent > 0 else z
            if self.latent > 0:
                h = act()(h)
            h = h.view(-1, self.c_last, pad_len // 2 ** len(filters))
            return self.dec(h)[:, :, :length]

    model = AE()
    xt = torch.from_numpy(x)
    opt = torch.optim.Adam(model.parameters(), lr=args.learning_rate)
    t0 = time.time()
    for ep in range(args.epochs):
        perm = torch.from_numpy(rng.permutation(n))
        tot = 0.0
        for i in range(0, n, args.batch):
            b = xt[perm[i : i + args.batch]]
            loss = F.mse_loss(model.decode(model.encode(b)), b)
            opt.zero_grad()
            loss.backward()
            opt.step()
            tot += loss.item() * len(b)
    t_pre = time.time() - t0
    with torch.no_grad():
        z = model.encode(xt).numpy()
    km = KMeans(args.clusters, n_init=20, random_state=seed).fit(z)
    pred0 = km.labels_
    mu = nn.Parameter(torch.from_numpy(km.cluster_centers_.astype(np.float32)))
    opt = torch.optim.Adam(list(model.parameters()) + [mu], lr=args.learning_rate)

    def soft(zz):
        q = 1.0 / (1.0 + ((zz[:, None, :] - mu[None]) ** 2).sum(-1))
        return q / q.sum(1, keepdim=True)

    prev = pred0.copy()
    it = 0
    changes = []
    stop = False
    while it < args.max_iterations and not stop:
        with torch.no_grad():
            q = soft(model.encode(xt))
            p = q**2 / q.sum(0)
            p = p / p.sum(1, keepdim=True)
            cur = q.argmax(1).numpy()
        if it > 0:
            delta = (cur != prev).mean()
            changes.append(float(delta))
            prev = cur
            if delta < args.tol:
                break
        for _ in range(args.update_interval):
            idx = torch.from_numpy(rng.choice(n, min(args.batch, n), replace=False))
            b = xt[idx]
            zb = model.encode(b)
            lr_ = F.mse_loss(model.decode(zb), b)
            qb = soft(zb)
            kl = (p[idx] * (torch.log(p[idx] + 1e-12) - torch.log(qb + 1e-12))).sum(1).mean()
            loss = (1 - args.lam) * lr_ + args.lam * kl
            opt.zero_grad()
            loss.backward()
            opt.step()
            it += 1
            if it >= args.max_iterations:
                stop = True
                break
    with torch.no_grad():
        pred = soft(model.encode(xt)).argmax(1).numpy()
    wall = time.time() - t0
    return dict(pred=pred, pred0=pred0, t_pre=t_pre, wall=wall, iters=it, changes=changes)


def station_explains(pred, stations):
    """Cramer's V between cluster and station."""
    su, si = np.unique(stations, return_inverse=True)
    k = pred.max() + 1
    tab = np.zeros((k, len(su)))
    for a, b in zip(pred, si):
        tab[a, b] += 1
    e = tab.sum(1, keepdims=True) * tab.sum(0, keepdims=True) / tab.sum()
    chi2 = ((tab - e) ** 2 / np.maximum(e, 1e-12)).sum()
    return np.sqrt(chi2 / (tab.sum() * (min(tab.shape) - 1)))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("datasets", nargs="+")
    ap.add_argument("--seeds", default="0,1,2")
    ap.add_argument("--before", type=float, default=5)
    ap.add_argument("--after", type=float, default=55)
    ap.add_argument("--components", default="ZNE")
    ap.add_argument("--rate", type=float, default=50)
    ap.add_argument("--bandpass", default="1,20")
    ap.add_argument("--normalize", default="std")
    ap.add_argument("--input", choices=["waveform", "spectrogram"], default="spectrogram")
    ap.add_argument("--nperseg", type=int, default=64)
    ap.add_argument("--hop", type=int, default=32)
    ap.add_argument("--fmax", type=float, default=20.0)
    ap.add_argument("--fmin", type=float, default=0.0)
    ap.add_argument("--dynamic-range", type=float, default=10.0, help="dB below the window maximum kept (db norm)")
    ap.add_argument("--spec-norm", default="db", choices=["window", "db"])
    ap.add_argument("--filters", default="16,16,16")
    ap.add_argument("--kernels", default="5")
    ap.add_argument("--activation", default="relu")
    ap.add_argument("--latent", type=int, default=16)
    ap.add_argument("--epochs", type=int, default=30)
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--learning-rate", type=float, default=1e-3)
    ap.add_argument("--lam", type=float, default=0.1)
    ap.add_argument("--update-interval", type=int, default=20)
    ap.add_argument("--tol", type=float, default=0.001)
    ap.add_argument("--max-iterations", type=int, default=1000)
    ap.add_argument("--clusters", type=int, default=2)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--no-baseline", action="store_true")
    a = ap.parse_args()
    bp = None if a.bandpass == "none" else tuple(float(v) for v in a.bandpass.split(","))
    rows = []
    for ds in a.datasets:
        x, labels, stations = build_windows(ds, a.before, a.after, a.rate, a.components, bp, a.normalize)
        if not a.no_baseline:
            b = baseline(x, labels, a.rate)
            print(f"{ds}: N={len(x)} baseline k-means spectrogram ACC linear={b['linear'][0]:.3f} log={b['log'][0]:.3f}")
        feats = x if a.input == "waveform" else log_spectrogram(x, a.nperseg, a.hop, a.fmax, a.rate, a.spec_norm, a.fmin, a.dynamic_range)
        for seed in (int(s) for s in a.seeds.split(",")):
            r = dec(feats, labels, a, seed)
            acc, nmi, ari = scores(labels, r["pred"])
            acc0 = scores(labels, r["pred0"])[0]
            v = station_explains(r["pred"], stations)
            rows.append(acc)
            print(f"{ds} seed={seed} shape={feats.shape[1:]} ACC={acc:.4f} NMI={nmi:.3f} ARI={ari:.3f} "
                  f"kmeans-on-z={acc0:.4f} iters={r['iters']} pretrain={r['t_pre']:.1f}s wall={r['wall']:.1f}s "
                  f"stationV={v:.2f}", flush=True)
    print(f"SUMMARY min={min(rows):.4f} mean={np.mean(rows):.4f} runs={len(rows)}")


if __name__ == "__main__":
    main()
