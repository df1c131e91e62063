#!/usr/bin/env python3
"""ObsPy-written QuakeML picks for seiscluster's pick reader tests (fixtures/picks/).

    /work/venv/bin/python tools/make_pick_fixtures.py

Writes obspy_picks.quakeml (ObsPy 1.5.1 Catalog.write, format QUAKEML) and
obspy_picks.expected.json: what ObsPy's read_events reads back from it (the reference). The
hand-made CSV and QuakeML files in fixtures/picks/ are written by hand and documented in README.md.
"""
import json
import os

from obspy import UTCDateTime, read_events
from obspy.core.event import (Catalog, Event, Pick, WaveformStreamID)

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "fixtures", "picks")


def main():
    os.makedirs(OUT, exist_ok=True)
    cat = Catalog()
    rows = [
        # (net, sta, loc, cha, time, phase)
        [("IU", "ANMO", "00", "BHZ", "2026-03-01T00:06:16.649649Z", "P"),
         ("IU", "ANMO", "00", "BHZ", "2026-03-01T00:07:02.100000Z", "S")],
        [("NL", "HGN", "", "BHZ", "2005-10-06T07:21:59.850000Z", "P")],
        [("BW", "BGLD", "", None, "2007-12-31T23:59:59.999999Z", None),
         ("XX", "TEST", "10", "HHN", "2020-02-29T12:00:00Z", "Pn")],
    ]
    for event_rows in rows:
        ev = Event()
        for net, sta, loc, cha, t, phase in event_rows:
            wid = WaveformStreamID(network_code=net, station_code=sta, location_code=loc,
                                   channel_code=cha)
            ev.picks.append(Pick(time=UTCDateTime(t), waveform_id=wid, phase_hint=phase))
        cat.append(ev)
    path = os.path.join(OUT, "obspy_picks.quakeml")
    cat.write(path, format="QUAKEML")
    back = read_events(path)
    expected = []
    for ev in back:
        for p in ev.picks:
            w = p.waveform_id
            expected.append({"network": w.network_code, "station": w.station_code,
                             "location": w.location_code or "",
                             "channel": w.channel_code, "time": str(p.time),
                             "phase": p.phase_hint})
    with open(os.path.join(OUT, "obspy_picks.expected.json"), "w") as fh:
        json.dump({"generator": "tools/make_pick_fixtures.py", "picks": expected}, fh, indent=1)


if __name__ == "__main__":
    main()
