#!/usr/bin/env python3
"""Gives each make_events.py station a site resonance of its own: a peaking biquad (+18 dB, Q 2)
at 3, 6, 9, 12, 15 or 18 Hz on every component, written back as MiniSEED or SAC with ObsPy
(decision 0020, "When the retrain is discarded").

    tools/experiments/station_resonance.py SOURCE_DIR OUT_DIR

Then `ingest OUT_DIR`, `picks import SOURCE_DIR/picks.csv`, and
`tools/experiments/uneven_station_mix.py` for the stations' uneven mixes of events.
"""
import glob, os, sys
import numpy as np
from obspy import read
from scipy.signal import lfilter
src, out = sys.argv[1], sys.argv[2]
freqs = {'S248B': 3.0, 'S321D': 6.0, 'S560E': 9.0, 'S646C': 12.0, 'S687A': 15.0, 'S833F': 18.0}
def peaking(f0, fs, gain_db=18.0, q=2.0):
    a = 10 ** (gain_db / 40); w = 2 * np.pi * f0 / fs; alpha = np.sin(w) / (2 * q)
    b = np.array([1 + alpha * a, -2 * np.cos(w), 1 - alpha * a])
    den = np.array([1 + alpha / a, -2 * np.cos(w), 1 - alpha / a])
    return b / den[0], den / den[0]
os.makedirs(out, exist_ok=True)
for path in sorted(glob.glob(os.path.join(src, '*'))):
    name = os.path.basename(path)
    if not (name.endswith('.mseed') or name.endswith('.sac')): continue
    st = read(path)
    for tr in st:
        f0 = freqs[tr.stats.station]
        if f0 >= tr.stats.sampling_rate / 2 * 0.9: f0 = tr.stats.sampling_rate / 2 * 0.45
        b, a = peaking(f0, tr.stats.sampling_rate)
        dtype = tr.data.dtype
        y = lfilter(b, a, tr.data.astype(np.float64))
        tr.data = y.astype(np.float32) if dtype.kind == 'f' else np.round(y).astype(np.int32)
    fmt = 'SAC' if name.endswith('.sac') else 'MSEED'
    st.write(os.path.join(out, name), format=fmt)
print('done')
