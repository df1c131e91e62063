#!/usr/bin/env python3
"""The ObsPy peer of `seiscluster windows build` on the archives of tools/bench/make_archive.py
(docs/benchmarks.md, "Archive scale").

    obspy_archive_windows.py events DIR   # per event: read its file(s), then the chain
    obspy_archive_windows.py days DIR     # per station: read its day files once; per pick the chain

The chain is what `windows build --before 5 --after 55 --rate 100 --bandpass 1,20 --normalize max
--input waveform` runs: slice the window with 30 s of margin each side, demean, linear detrend, 5 %
cosine taper, 4-corner zero-phase band-pass 1-20 Hz, resample to 100 Hz, trim to the window
(nearest sample), 6000 samples per component, normalise by the window's maximum. File reading is
included in the time, imports are not. Prints `windows=N seconds=S`.
"""
import csv
import os
import sys
import time

import numpy as np
from obspy import Stream, UTCDateTime, read

BEFORE, AFTER, MARGIN, RATE = 5.0, 55.0, 30.0, 100.0
ORDER = {"Z": 0, "N": 1, "1": 1, "E": 2, "2": 2}


def chain(st, pick):
    w = st.slice(pick - BEFORE - MARGIN, pick + AFTER + MARGIN).copy()
    w.traces.sort(key=lambda tr: ORDER[tr.stats.channel[-1]])
    for tr in w:
        tr.data = tr.data.astype(np.float64)
    w.detrend("demean")
    w.detrend("linear")
    w.taper(max_percentage=0.05, type="cosine")
    w.filter("bandpass", freqmin=1.0, freqmax=20.0, corners=4, zerophase=True)
    w.resample(RATE)
    w.trim(pick - BEFORE, pick + AFTER, nearest_sample=True)
    out = np.array([tr.data[:int((BEFORE + AFTER) * RATE)] for tr in w])
    out /= np.abs(out).max()
    return out


def events(root):
    with open(os.path.join(root, "events.csv")) as fh:
        rows = list(csv.DictReader(fh))
    t0 = time.perf_counter()
    for row in rows:
        st = Stream()
        for name in row["files"].split(";"):
            st += read(os.path.join(root, "waveforms", name))
        chain(st, UTCDateTime(row["time"]))
    return len(rows), time.perf_counter() - t0


def days(root):
    with open(os.path.join(root, "picks.csv")) as fh:
        picks = [(r["station"], UTCDateTime(r["time"])) for r in csv.DictReader(fh)]
    t0 = time.perf_counter()
    folder = os.path.join(root, "waveforms")
    streams = {}
    for name in sorted(os.listdir(folder)):
        station = name.split(".")[1]
        streams.setdefault(station, Stream())
        streams[station] += read(os.path.join(folder, name))
    for station, st in streams.items():
        st.merge()
    for station, pick in picks:
        chain(streams[station], pick)
    return len(picks), time.perf_counter() - t0


if __name__ == "__main__":
    n, seconds = (events if sys.argv[1] == "events" else days)(sys.argv[2])
    print(f"windows={n} seconds={seconds:.3f} rate={n / seconds:.1f}/s")
