#!/usr/bin/env python3
"""Data and ObsPy peer for the `windows build` benchmark (docs/benchmarks.md, "Windows build").

    /work/venv/bin/python tools/bench/windows_build_data.py DIR          # write data + picks
    /work/venv/bin/python tools/bench/windows_build_data.py DIR --obspy  # time the ObsPy chain
    /work/venv/bin/python tools/bench/windows_build_data.py DIR --obspy-smooth  # 12005-sample slices

Data: one hour of 3-component 100 Hz data (XB.BENCH..HH{Z,N,E}: random walk + microseism +
event bursts, seeded) as Steim-2 MiniSEED, one file per channel, and picks.csv with a pick every
17 s from 60 s to 3540 s (205 picks). The ObsPy peer reads the three files, then per pick runs
the chain `windows build --before 5 --after 55 --rate 100 --bandpass 1,20 --normalize max
--input waveform` runs: slice the window with 30 s of margin each side, demean, linear detrend,
5 % cosine taper, 4-corner zero-phase band-pass 1-20 Hz, resample to 100 Hz, cut 6000 samples,
normalise by the window's maximum. It prints windows per second (file reading included).
"""
import os
import sys
import time

import numpy as np
from obspy import Stream, Trace, UTCDateTime, read

START = UTCDateTime("2026-03-01T00:00:00Z")
RATE = 100.0
SECONDS = 3600


def write_data(folder):
    os.makedirs(folder, exist_ok=True)
    rng = np.random.default_rng(7)
    n = int(SECONDS * RATE)
    t = np.arange(n) / RATE
    for k, channel in enumerate("ZNE"):
        walk = np.cumsum(rng.standard_normal(n)) * 2
        micro = 300 * np.sin(2 * np.pi * 0.2 * t + k)
        data = walk + micro + rng.standard_normal(n) * 50
        for onset in range(60, SECONDS - 60, 170):
            i = int((onset + 3 * k) * RATE)
            m = min(3000, n - i)
            env = np.exp(-np.arange(m) / 400.0)
            data[i:i + m] += 4000 * env * np.sin(2 * np.pi * 6.0 * np.arange(m) / RATE + k)
        tr = Trace(data.astype(np.int32), header=dict(
            network="XB", station="BENCH", location="", channel="HH" + channel,
            sampling_rate=RATE, starttime=START))
        tr.write(os.path.join(folder, f"XB.BENCH..HH{channel}.mseed"), format="MSEED",
                 encoding="STEIM2", reclen=4096)
    with open(os.path.join(folder, "picks.csv"), "w") as fh:
        fh.write("network,station,location,time,phase\n")
        for s in range(60, SECONDS - 60, 17):
            fh.write(f"XB,BENCH,,{(START + s).isoformat()}Z,P\n")


def obspy_chain(folder, extra_samples=0):
    picks = []
    with open(os.path.join(folder, "picks.csv")) as fh:
        next(fh)
        for line in fh:
            picks.append(UTCDateTime(line.split(",")[3]))
    before, after, margin = 5.0, 55.0, 30.0
    t0 = time.perf_counter()
    st = Stream()
    for channel in "ZNE":
        st += read(os.path.join(folder, f"XB.BENCH..HH{channel}.mseed"))
    for p in picks:
        w = st.slice(p - before - margin, p + after + margin + extra_samples / RATE).copy()
        for tr in w:
            tr.data = tr.data.astype(np.float64)
        w.detrend("demean")
        w.detrend("linear")
        w.taper(max_percentage=0.05, type="cosine")
        w.filter("bandpass", freqmin=1.0, freqmax=20.0, corners=4, zerophase=True)
        w.resample(100.0)
        w.trim(p - before, p + after, nearest_sample=True)
        out = np.array([tr.data[:6000] for tr in w])
        out /= np.abs(out).max()
    elapsed = time.perf_counter() - t0
    label = "obspy" if not extra_samples else f"obspy (+{extra_samples} samples per slice)"
    print(f"{label}: {len(picks)} windows in {elapsed:.3f} s = {len(picks) / elapsed:.1f} windows/s")


if __name__ == "__main__":
    folder = sys.argv[1]
    if "--obspy" in sys.argv:
        obspy_chain(folder)
    elif "--obspy-smooth" in sys.argv:
        # The same chain on 12005-sample slices (7-smooth, as seiscluster grows its spans).
        obspy_chain(folder, extra_samples=4)
    else:
        write_data(folder)
