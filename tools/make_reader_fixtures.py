#!/usr/bin/env python3
"""Tiny MiniSEED and SAC files shaped like the real files seiscluster once missed
(fixtures/readers/), and what ObsPy reads from each (expected.json).

    /work/venv/bin/python tools/make_reader_fixtures.py

Each file imitates one file of ObsPy's own test data (issue 17 of the project), at a few hundred
bytes:
  nul-sequence-numbers.mseed   records whose sequence number is six NUL bytes
                               (reclen_1024_without_sequence_numbers.mseed)
  leading-noise-blocks.mseed   128-byte blank "noise" blocks before and between 512-byte records
                               (various_noise_records.mseed)
  non-ascii-location.mseed     location code bytes 0xF0 'A' (gecko_non_ascii_header.ms)
  space-in-channel.mseed       channel code " cp" with a leading space (D1360930.203.mseed)
  alphanumeric.sac             alphanumeric SAC, as ObsPy's SACXY writer writes it (testxy.sac)
  no-samples.sac               binary SAC with NPTS 0 (non_ascii.sac)
  sub-microsecond-start.sac    a start time of ...09.070989990 s: MiniSEED holds microseconds,
                               so writing it must round to ...09.070990 as ObsPy does
                               (dis.G.SCZ.__.BHE_short)
expected.json holds, per file, ObsPy 1.5.1's traces: id, start time (ns), sampling rate,
sample type and the samples themselves.
"""
import json
import os
import struct
import warnings

import numpy as np
from obspy import Stream, Trace, UTCDateTime, read

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "fixtures", "readers")


def records(trace, reclen=512, encoding="STEIM2"):
    """The MiniSEED bytes ObsPy writes for one trace."""
    path = os.path.join(OUT, ".tmp.mseed")
    Stream([trace]).write(path, format="MSEED", reclen=reclen, encoding=encoding, byteorder=">")
    with open(path, "rb") as f:
        data = f.read()
    os.remove(path)
    return data


def trace(station, channel, n, start="2007-05-31T22:45:28.1Z", rate=50.0, network="XX",
          location="", dtype=np.int32):
    rng = np.random.default_rng(len(station) * 7 + n)
    data = (rng.normal(0, 500, n)).astype(dtype)
    return Trace(data=data, header=dict(network=network, station=station, location=location,
                                         channel=channel, starttime=UTCDateTime(start),
                                         sampling_rate=rate))


def noise_block(sequence):
    return ("%06d" % sequence).encode() + b" " * 122


def write(name, data):
    with open(os.path.join(OUT, name), "wb") as f:
        f.write(data)


def main():
    os.makedirs(OUT, exist_ok=True)

    # Sequence numbers of six NUL bytes (libmseed accepts them; so does ObsPy).
    data = bytearray(records(trace("STF1", "HHN", 300), reclen=512))
    for start in range(0, len(data), 512):
        data[start:start + 6] = b"\0" * 6
    write("nul-sequence-numbers.mseed", data)

    # Noise blocks before, between and after records of two stations.
    a = records(trace("NV30", "BHE", 100, network="IM", rate=40.0))
    b = records(trace("NV31", "BHE", 100, network="IM", rate=40.0))
    write("leading-noise-blocks.mseed",
          noise_block(1) + noise_block(1) + a + noise_block(2) + b + noise_block(3))

    # Location code bytes 0xF0 'A' (bytes 13-14 of the fixed header).
    data = bytearray(records(trace("GECKO", "CNZ", 200, network="", location="XA", rate=250.0)))
    for start in range(0, len(data), 512):
        data[start + 13:start + 15] = b"\xf0A"
    write("non-ascii-location.mseed", data)

    # Channel code " cp" (bytes 15-17), network blank.
    data = bytearray(records(trace("mart", "XCP", 300, network="", location="10", rate=100.0)))
    for start in range(0, len(data), 512):
        data[start + 15:start + 18] = b" cp"
    write("space-in-channel.mseed", data)

    # Alphanumeric SAC of float32 samples, with codes.
    # 25 samples: ObsPy cannot read its own SACXY when the last line is not full (5 values).
    t = trace("ALPH", "BHZ", 25, network="XX", location="00", rate=20.0, dtype=np.float32)
    t.data = (t.data / 7.0).astype(np.float32)
    t.write(os.path.join(OUT, "alphanumeric.sac"), format="SACXY")

    # Binary SAC with no samples.
    t = trace("ALS", "HHE", 0, network="", rate=100.0, dtype=np.float32,
              start="2011-01-01T00:04:00Z")
    t.write(os.path.join(OUT, "no-samples.sac"), format="SAC")

    # A start time below the microsecond: reference 08:09:02.400 plus B = 426.67099 (float32).
    t = trace("SCZ", "BHE", 30, network="G", rate=20.0, dtype=np.float32,
              start="2004-01-03T08:09:02.4Z")
    path = os.path.join(OUT, "sub-microsecond-start.sac")
    t.write(path, format="SAC")
    with open(path, "r+b") as f:
        f.seek(5 * 4)  # B, float word 5, little-endian as ObsPy writes on this machine
        f.write(struct.pack("<f", 426.6709899902344))

    expected = {}
    for name in sorted(os.listdir(OUT)):
        if name == "expected.json" or name.startswith("."):
            continue
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            st = read(os.path.join(OUT, name))
        expected[name] = [
            {
                "id": tr.id,
                "start_ns": tr.stats.starttime.ns,
                "sampling_rate": tr.stats.sampling_rate,
                "dtype": str(tr.data.dtype),
                "samples": [float(v) if tr.data.dtype.kind == "f" else int(v) for v in tr.data],
            }
            for tr in st
        ]
    with open(os.path.join(OUT, "expected.json"), "w") as f:
        json.dump({"generator": "tools/make_reader_fixtures.py (ObsPy 1.5.1)",
                   "files": expected}, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
