#!/usr/bin/env python3
"""Read a generator-B data set back with ObsPy and print sanity statistics.

  python tools/check_synthetics_b.py DATASET [--before 5 --after 55] [--components ZNE|Z]

* every waveform file is read; formats, MiniSEED encodings, record lengths and byte orders are
  counted; files of one channel that overlap must carry the same samples there;
* every pick must have data on all requested components from pick-before to pick+after without
  a gap (the count of picks whose window crosses a gap or a file boundary is printed);
* label shares, SNR, distance, depth and S-P ranges per class (from meta.csv);
* per class, the vertical's spectrum over pick..pick+20 s: the share of energy below 1 Hz, the
  1-20 Hz spectral centroid, and the S/P energy ratio for local events;
* families: per station, the zero-lag correlation of members within a family and between families;
* polarity data: the sign of the first clear motion of the causally 2 Hz high-passed vertical
  against the label, for windows with SNR >= 20.
"""
import argparse
import collections
import csv
import os
import sys
import warnings

import numpy as np
from scipy import signal as sps
from obspy import UTCDateTime, read


def q(v, ps=(0, 5, 50, 95, 100)):
    v = np.asarray(v, float)
    v = v[np.isfinite(v)]
    if v.size == 0:
        return "n/a"
    return " ".join("%.4g" % x for x in np.percentile(v, ps))


def main():
    warnings.filterwarnings("ignore", message="Sample spacing read from SAC")
    ap = argparse.ArgumentParser()
    ap.add_argument("dataset")
    ap.add_argument("--before", type=float, default=5.0)
    ap.add_argument("--after", type=float, default=55.0)
    ap.add_argument("--components", default="ZNE")
    ap.add_argument("--max-spectra", type=int, default=400)
    ap.add_argument("--verbose", action="store_true")
    args = ap.parse_args()
    ds = args.dataset
    wf = os.path.join(ds, "waveforms") if os.path.isdir(os.path.join(ds, "waveforms")) else ds

    fmts = collections.Counter()
    encs = collections.Counter()
    reclens = collections.Counter()
    orders = collections.Counter()
    segs = collections.defaultdict(list)  # id -> [(start, end, fs, data)]
    nfiles = 0
    for root, _, files in os.walk(wf):
        for fn in files:
            path = os.path.join(root, fn)
            if fn.endswith(".csv"):
                continue
            st = read(path)
            nfiles += 1
            for tr in st:
                f = tr.stats._format
                fmts[f] += 1
                if f == "MSEED":
                    m = tr.stats.mseed
                    encs[m.encoding] += 1
                    reclens[m.record_length] += 1
                    orders[m.byteorder] += 1
                else:
                    orders["SAC"] += 1
                segs[tr.id].append((tr.stats.starttime.timestamp, tr.stats.endtime.timestamp,
                                    tr.stats.sampling_rate, tr.data))
    print("files %d; traces by format %s" % (nfiles, dict(fmts)))
    print("MiniSEED encodings %s; record lengths %s; byte orders %s" % (dict(encs), dict(sorted(reclens.items())), dict(orders)))

    # overlaps must agree; merged coverage per channel
    cover = {}
    conflicts = 0
    overlaps = 0
    for cid, lst in segs.items():
        lst.sort(key=lambda x: x[0])
        runs = []
        for s0, s1, fs, data in lst:
            if runs and s0 <= runs[-1][1] + 1.5 / fs:
                r0, r1, rfs, rdata = runs[-1]
                # overlap: compare the shared samples
                k0 = int(round((s0 - r0) * fs))
                shared = min(len(rdata) - k0, len(data))
                if shared > 0:
                    overlaps += 1
                    if not np.array_equal(np.asarray(rdata[k0:k0 + shared], float), np.asarray(data[:shared], float)):
                        conflicts += 1
                if s1 > r1:
                    tail = data[max(len(rdata) - k0, 0):]
                    runs[-1] = (r0, s1, fs, np.concatenate([np.asarray(rdata, float), np.asarray(tail, float)]))
            else:
                runs.append((s0, s1, fs, np.asarray(data, float)))
        cover[cid] = runs
    print("channels %d; overlapping file pairs %d, of which with different samples %d" % (len(cover), overlaps, conflicts))

    # amplitude ranges per channel set
    print("\nper channel: rate, runs, min/max/std of values")
    for cid in sorted(cover):
        runs = cover[cid]
        allv = np.concatenate([r[3] for r in runs])
        print("  %-18s %6.1f Hz %5d runs  min %.4g max %.4g std %.4g" % (cid, runs[0][2], len(runs), allv.min(), allv.max(), allv.std()))

    meta = list(csv.DictReader(open(os.path.join(ds, "meta.csv")))) if os.path.exists(os.path.join(ds, "meta.csv")) else []
    picks = list(csv.DictReader(open(os.path.join(ds, "picks.csv"))))
    truth = {(r["network"], r["station"], r["location"], r["time"]): r["label"] for r in csv.DictReader(open(os.path.join(ds, "truth.csv")))}
    comps = list(args.components)

    def find(net, sta, loc, cha, comp):
        cands = [cid for cid in cover if cid.startswith("%s.%s.%s." % (net, sta, loc))]
        if cha:
            cands = [c for c in cands if c.split(".")[3][:2] == cha[:2]]
        alt = {"N": "1", "E": "2"}.get(comp)
        cands = [c for c in cands if c[-1] in (comp, alt)]
        if not cands:
            return None
        return max(cands, key=lambda c: cover[c][0][2])

    inside, gapped, nodata = 0, 0, 0
    samples = collections.defaultdict(list)
    for p in picks:
        t = UTCDateTime(p["time"]).timestamp
        ok = True
        for comp in comps:
            cid = find(p["network"], p["station"], p["location"], p["channel"], comp)
            if cid is None:
                nodata += 1
                ok = False
                break
            if not any(r[0] <= t - args.before and r[1] >= t + args.after for r in cover[cid]):
                ok = False
        if ok:
            inside += 1
        elif nodata == 0 or True:
            gapped += 0 if not ok and nodata else 1
        lab = truth[(p["network"], p["station"], p["location"], p["time"])]
        samples[lab].append(p)
    gapped = len(picks) - inside
    print("\npicks %d: window [-%g, +%g] s fully inside contiguous data on %s: %d; not (gap or edge): %d"
          % (len(picks), args.before, args.after, args.components, inside, gapped))

    if meta:
        print("\nper class (from meta.csv): count, SNR / distance / depth / S-P percentiles (0 5 50 95 100)")
        by = collections.defaultdict(list)
        for m in meta:
            by[m["label"]].append(m)
        for lab, ms in sorted(by.items()):
            km = [float(m["distance"][:-2]) for m in ms if m["distance"].endswith("km")]
            dg = [float(m["distance"][:-3]) for m in ms if m["distance"].endswith("deg")]
            print("  %-12s n=%4d  SNR %s | dist %s %s | depth %s | S-P %s | Mw %s" % (
                lab, len(ms), q([float(m["snr"]) for m in ms]), q(km or dg), "km" if km else "deg",
                q([float(m["depth_km"]) for m in ms]), q([float(m["s_minus_p"]) for m in ms]), q([float(m["mw"]) for m in ms])))
        err = [UTCDateTime(m["time"]) - UTCDateTime(m["true_onset"]) for m in meta]
        print("  pick - visible onset (s): %s; |err| > 0.5 s: %d" % (q(err), sum(abs(e) > 0.5 for e in err)))

    # spectra per class on the vertical
    print("\nvertical spectrum over pick..pick+20 s, per class (median over windows):")
    rng = np.random.default_rng(0)
    for lab, ps in sorted(samples.items()):
        sel = [ps[i] for i in rng.permutation(len(ps))[: args.max_spectra]]
        low, cent, sp_ratio, pk = [], [], [], []
        for p in sel:
            t = UTCDateTime(p["time"]).timestamp
            cid = find(p["network"], p["station"], p["location"], p["channel"], "Z")
            run = next((r for r in cover[cid] if r[0] <= t - 10 and r[1] >= t + 25), None)
            if run is None:
                continue
            fs = run[2]
            i0 = int((t - run[0]) * fs)
            x = run[3][i0:i0 + int(20 * fs)]
            x = sps.detrend(x) * sps.windows.tukey(len(x), 0.1)
            f, P = sps.periodogram(x, fs)
            tot = P[(f > 0.05)].sum()
            low.append(P[(f > 0.05) & (f < 1.0)].sum() / tot)
            b = (f >= 1) & (f <= min(20, 0.45 * fs))
            cent.append((f[b] * P[b]).sum() / P[b].sum())
            pk.append(np.max(np.abs(run[3][i0:i0 + int(20 * fs)] - np.median(run[3][i0 - int(10 * fs):i0]))))
        print("  %-12s n=%4d  energy share < 1 Hz %s | 1-20 Hz centroid %s Hz | peak counts %s" % (
            lab, len(low), q(low, (5, 50, 95)), q(cent, (5, 50, 95)), q(pk, (5, 50, 95))))

    # polarity: first clear motion of the causally high-passed vertical vs the label
    if set(truth.values()) <= {"up", "down"} and meta:
        good, bad = 0, 0
        snr = {(m["network"], m["station"], m["location"], m["time"]): float(m["snr"]) for m in meta}
        onset = {(m["network"], m["station"], m["location"], m["time"]): UTCDateTime(m["true_onset"]).timestamp for m in meta}
        for p in picks:
            key = (p["network"], p["station"], p["location"], p["time"])
            if snr[key] < 20:
                continue
            t = onset[key]
            cid = find(p["network"], p["station"], p["location"], p["channel"], "Z")
            run = next((r for r in cover[cid] if r[0] <= t - 5 and r[1] >= t + 1), None)
            if run is None:
                continue
            fs = run[2]
            i0 = int((t - run[0]) * fs)
            seg = run[3][i0 - int(5 * fs): i0 + int(1 * fs)]
            y = sps.sosfilt(sps.butter(4, 2.0, "high", fs=fs, output="sos"), seg - seg[0])
            pre = y[int(2 * fs): int(5 * fs) - 2]
            post = y[int(5 * fs) - 2:]
            # first sample beyond a quarter of the early peak (and 4 sigma): skips the small
            # opposite-sign precursors that acausal (linear-phase) anti-alias filters put there
            thr = max(4 * pre.std(), 0.25 * np.abs(post[: int(0.3 * fs)]).max())
            k = np.argmax(np.abs(post) > thr)
            if np.abs(post[k]) <= thr:
                continue
            sign = "up" if post[k] > 0 else "down"
            if sign == truth[key]:
                good += 1
            else:
                bad += 1
                if args.verbose:
                    m = next(m for m in meta if (m["network"], m["station"], m["location"], m["time"]) == key)
                    print("  disagree: %s.%s %s label %s rp %s snr %s dist %s" % (key[0], key[1], key[3], truth[key], m["rp"], m["snr"], m["distance"]))
        print("\npolarity check (SNR >= 20, first sample beyond 25 %% of the early peak): %d agree, %d disagree" % (good, bad))

    # families: zero-lag correlation within and between families per station
    if meta and any(lab[:1] == "f" and lab[1:].isdigit() for lab in truth.values()):
        print("\nfamilies: zero-lag correlation of the vertical (1-20 Hz, -5..+35 s from the true onset)")
        by = collections.defaultdict(list)
        for m in meta:
            by[(m["network"], m["station"], m["location"])].append(m)
        for key, ms in sorted(by.items()):
            cid = find(key[0], key[1], key[2], "", "Z")
            xs, labs = [], []
            for m in ms:
                t = UTCDateTime(m["true_onset"]).timestamp
                run = next((r for r in cover[cid] if r[0] <= t - 15 and r[1] >= t + 45), None)
                if run is None:
                    continue
                fs = run[2]
                i0 = int((t - 15 - run[0]) * fs)
                seg = run[3][i0:i0 + int(60 * fs)]
                y = sps.sosfiltfilt(sps.butter(4, [1, min(20, 0.45 * fs)], "band", fs=fs, output="sos"), seg - seg.mean())
                y = y[int(10 * fs):int(50 * fs)]
                xs.append(y / (np.linalg.norm(y) or 1.0))
                labs.append(m["label"])
            X, L = np.array(xs), np.array(labs)
            C = X @ X.T
            same = (L[:, None] == L[None, :]) & (L[:, None] != "orphan")
            np.fill_diagonal(same, False)
            diff = L[:, None] != L[None, :]
            fams = sorted(set(L) - {"orphan"})
            print("  %s.%s  %d windows, families %s: within median %.2f (5 %%: %.2f), between |CC| median %.2f (95 %%: %.2f)" % (
                key[0], key[1], len(L), " ".join("%s:%d" % (f, (L == f).sum()) for f in fams),
                np.median(C[same]), np.percentile(C[same], 5), np.median(np.abs(C[diff])), np.percentile(np.abs(C[diff]), 95)))


if __name__ == "__main__":
    sys.exit(main())
