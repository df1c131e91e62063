#!/usr/bin/env python3
"""A tiny MiniSEED file whose records carry each data quality (fixtures/quality/), and what
ObsPy reads from it (expected.json).

    /work/venv/bin/python tools/make_quality_fixtures.py

qualities.mseed holds five 512-byte Steim-2 records of XX.QUAL..HHZ at 50 Hz, 100 samples
each, every one starting where the one before ends (no gap), with the data qualities
D, R, R, Q, M in that order. ObsPy joins records of one channel only when their quality is the
same, so it reads four traces: D (100 samples), R (200: the two R records join), Q (100) and
M (100). A reader that ignored the quality would join all five into one.

expected.json holds, per trace in ObsPy's order: id, data quality, start time (ns), sampling
rate, sample count and the samples.
"""
import json
import os

import numpy as np
import obspy
from obspy import Stream, Trace, UTCDateTime, read

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "fixtures", "quality")
NAME = "qualities.mseed"
QUALITIES = ["D", "R", "R", "Q", "M"]
COUNT = 100
RATE = 50.0
START = UTCDateTime("2024-03-01T12:00:00.000000Z")


def record(index, quality, samples):
    """One 512-byte record as ObsPy writes it, with this data quality."""
    trace = Trace(data=samples, header=dict(
        network="XX", station="QUAL", location="", channel="HHZ",
        starttime=START + index * COUNT / RATE, sampling_rate=RATE))
    trace.stats.mseed = {"dataquality": quality}
    path = os.path.join(OUT, ".tmp.mseed")
    Stream([trace]).write(path, format="MSEED", reclen=512, encoding="STEIM2", byteorder=">")
    with open(path, "rb") as f:
        data = f.read()
    os.remove(path)
    assert len(data) == 512, len(data)
    assert data[6:7] == quality.encode(), data[6:7]
    return data


def main():
    os.makedirs(OUT, exist_ok=True)
    rng = np.random.default_rng(20240301)
    values = (rng.normal(0, 800, COUNT * len(QUALITIES))).astype(np.int32)
    data = b"".join(record(i, q, values[i * COUNT:(i + 1) * COUNT])
                    for i, q in enumerate(QUALITIES))
    path = os.path.join(OUT, NAME)
    with open(path, "wb") as f:
        f.write(data)
    stream = read(path, format="MSEED")
    traces = []
    for tr in stream:
        traces.append({
            "id": tr.id,
            "quality": tr.stats.mseed.dataquality,
            "start_ns": tr.stats.starttime.ns,
            "sampling_rate": tr.stats.sampling_rate,
            "sample_count": int(tr.stats.npts),
            "samples": [int(v) for v in tr.data],
        })
    assert [t["quality"] for t in traces] == ["D", "R", "Q", "M"], traces
    assert [t["sample_count"] for t in traces] == [100, 200, 100, 100]
    with open(os.path.join(OUT, "expected.json"), "w") as f:
        head = {"generator": "tools/make_quality_fixtures.py (ObsPy %s)" % obspy.__version__,
                "file": NAME}
        f.write(json.dumps(head)[:-1] + ', "traces": [\n')
        f.write(",\n".join(json.dumps(t, separators=(",", ":")) for t in traces))
        f.write("\n]}\n")


if __name__ == "__main__":
    main()
