#!/usr/bin/env python3
"""Prints how ObsPy rounds nanosecond times to the microsecond (a half to the even one): the
reference for PicksAndDetectTests.pickTimesAreKeptToTheMicrosecond...  Run it in a virtualenv
with obspy; 1.5.1 printed the values that test asserts (ns, then the rounded time as printed)."""
from obspy import UTCDateTime

for ns in [500, 1500, 2500, 1499, 1501, -500, -1500, -2500, -1499, -1501]:
    print(ns, UTCDateTime(ns=ns))
for text in ["2026-03-01T00:27:00.1234565Z", "2026-03-01T00:27:00.1234575Z",
             "2026-03-01T00:27:00.1234565001Z", "2026-03-01T00:27:00.1234565000Z"]:
    print(text, UTCDateTime(text))
