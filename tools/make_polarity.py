"""First-motion (polarity) test data: vertical 100 Hz traces holding P onsets whose first motion
is up or down, as MiniSEED, with picks.csv and truth.csv (labels up/down).

Each onset is a causal minimum-phase-like pulse (a damped sinusoid starting with the polarity's
sign, 4-12 Hz), random amplitude over a decade, then a weaker P coda; noise is band-limited
(1-20 Hz) with SNR 10-60; picks carry 5 ms Gaussian errors. Independent of the Swift demo.

Usage: python tools/make_polarity.py OUT [--events 400] [--seed 0] [--stations 4]
"""
import argparse, os
import numpy as np
from obspy import Trace, Stream, UTCDateTime
from scipy.signal import butter, sosfilt

ap = argparse.ArgumentParser()
ap.add_argument("out")
ap.add_argument("--events", type=int, default=400)
ap.add_argument("--seed", type=int, default=0)
ap.add_argument("--stations", type=int, default=4)
a = ap.parse_args()
rng = np.random.default_rng(a.seed)
os.makedirs(a.out, exist_ok=True)
rate = 100.0
t0 = UTCDateTime("2026-03-01T00:00:00")
per_station = a.events // a.stations
picks, truth = [], []
for s in range(a.stations):
    sta = f"P{s:03d}"
    n = int((per_station * 20 + 20) * rate)
    sos = butter(4, [1, 20], btype="band", fs=rate, output="sos")
    noise = sosfilt(sos, rng.normal(size=n))
    x = noise.copy()
    for e in range(per_station):
        onset = 10 + e * 20 + rng.uniform(-2, 2)
        i0 = int(round(onset * rate))
        sign = rng.choice([-1, 1])
        f = rng.uniform(4, 12)
        amp = 10 ** rng.uniform(0, 1) * rng.uniform(10, 60) * noise.std()
        tt = np.arange(int(3 * rate)) / rate
        pulse = np.sin(2 * np.pi * f * tt) * np.exp(-tt * f * 1.2)
        coda = 0.25 * sosfilt(sos, rng.normal(size=tt.size)) * np.exp(-tt / 1.0)
        x[i0:i0 + tt.size] += amp * (sign * pulse / np.abs(pulse).max() + coda / max(np.abs(coda).max(), 1e-9))
        pick = t0 + onset + rng.normal(0, 0.005)
        ps = pick.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        picks.append(f"XP,{sta},,HHZ,{ps},P")
        truth.append(f"XP,{sta},,{ps},{'up' if sign > 0 else 'down'}")
    tr = Trace(np.round(x * 100).astype(np.int32), header=dict(
        network="XP", station=sta, location="", channel="HHZ", sampling_rate=rate, starttime=t0))
    Stream([tr]).write(os.path.join(a.out, f"XP.{sta}..HHZ.mseed"), format="MSEED",
                       encoding="STEIM2")
open(os.path.join(a.out, "picks.csv"), "w").write("network,station,location,channel,time,phase\n" + "\n".join(picks) + "\n")
open(os.path.join(a.out, "truth.csv"), "w").write("network,station,location,time,label\n" + "\n".join(truth) + "\n")
print(f"{len(picks)} picks at {a.stations} stations in {a.out}")
