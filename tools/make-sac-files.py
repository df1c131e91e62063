#!/usr/bin/env python3
"""Writes N small SAC files of distinct content (standard library only) for crash tests.

    tools/make-sac-files.py OUTDIR N [SAMPLES]

Each file is station S<i>, 100 Hz, starting 2020-01-01 plus i hours, holding a seeded sine plus
noise as little-endian float32. Same arguments give the same bytes.
"""
import math
import os
import random
import struct
import sys


def sac_bytes(index, samples):
    floats = [-12345.0] * 70
    ints = [-12345] * 40
    floats[0] = 0.01  # DELTA
    floats[5] = 0.0  # B
    ints[0:6] = [2020, 1 + index // 24, index % 24, 0, 0, 0]  # NZYEAR..NZMSEC
    ints[6] = 6  # NVHDR
    ints[9] = samples  # NPTS
    ints[15] = 1  # IFTYPE = ITIME
    ints[35] = 1  # LEVEN
    texts = [b"-12345  "] * 24
    texts[0] = b"S%-7d" % index  # KSTNM
    texts[20] = b"HHZ     "  # KCMPNM (byte 600)
    texts[21] = b"XX      "  # KNETWK (byte 608)
    rng = random.Random(index)
    data = [math.sin(2 * math.pi * 1.5 * k / 100.0) * 1000 + rng.gauss(0, 50) for k in range(samples)]
    header = struct.pack("<70f", *floats) + struct.pack("<40i", *ints) + b"".join(texts)
    assert len(header) == 632
    return header + struct.pack("<%df" % samples, *data)


def main():
    out, count = sys.argv[1], int(sys.argv[2])
    samples = int(sys.argv[3]) if len(sys.argv) > 3 else 20000
    os.makedirs(out, exist_ok=True)
    for i in range(count):
        with open(os.path.join(out, "file%04d.sac" % i), "wb") as f:
            f.write(sac_bytes(i, samples))


if __name__ == "__main__":
    main()
