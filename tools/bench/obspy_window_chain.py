#!/usr/bin/env python3
"""ObsPy side of the DSP chain benchmark (docs/benchmarks.md, "Window preprocessing chain").

Per window: 3 components of 120 s at 100 Hz (a 60 s window with 30 s margin each side), then
demean, linear detrend, 5 % cosine taper, 4-corner zero-phase band-pass 1-20 Hz, resample to
100 Hz, cut the middle 60 s, normalise by the maximum. Prints windows per second.

    /work/venv/bin/python tools/bench/obspy_window_chain.py [WINDOWS]
"""
import sys
import time

import numpy as np
from obspy import Stream, Trace, UTCDateTime

windows = int(sys.argv[1]) if len(sys.argv) > 1 else 200
rng = np.random.default_rng(1)
start = UTCDateTime(2026, 3, 1)
base = [rng.standard_normal(12000) for _ in range(3)]

t0 = time.perf_counter()
for _ in range(windows):
    st = Stream([Trace(data=d.copy(), header={"sampling_rate": 100.0, "starttime": start,
                                               "channel": c})
                 for d, c in zip(base, "ZNE")])
    st.detrend("demean")
    st.detrend("linear")
    st.taper(max_percentage=0.05, type="cosine")
    st.filter("bandpass", freqmin=1.0, freqmax=20.0, corners=4, zerophase=True)
    st.resample(100.0)
    st.trim(start + 30, start + 90, nearest_sample=True)
    for tr in st:
        tr.data = tr.data[:6000]
    st.normalize()
elapsed = time.perf_counter() - t0
print(f"obspy: {windows} windows in {elapsed:.3f} s = {windows / elapsed:.1f} windows/s")
