#!/usr/bin/env python3
"""Stations that record different mixes of events, with identical instruments (decision 0020,
"Stations that differ within clusters"): keeps every make_events.py pick of the station's
majority class and a share FRAC of the other class. Stations S248B, S321D and S560E keep
locals, the other three teleseisms.

    tools/experiments/uneven_station_mix.py STORE FRAC TRUTH_OUT [TRUTH_IN]

STORE is a copy of a store that holds the make_events.py 2,000 picks (and their traces); the
picks left out are deleted from it. TRUTH_OUT gets the truth of the picks kept. TRUTH_IN is
make_events.py's truth.csv (default /work/data/mk-events-2000/truth.csv), or another source's
(the demo's): then the first half of its stations, sorted, keep locals. The draw is
random.Random(0).
"""
import csv
import datetime
import random
import sqlite3
import sys

store, frac, out = sys.argv[1], float(sys.argv[2]), sys.argv[3]
truth_in = sys.argv[4] if len(sys.argv) > 4 else "/work/data/mk-events-2000/truth.csv"
rows = list(csv.DictReader(open(truth_in)))
rng = random.Random(0)
stations = sorted({r["station"] for r in rows})
locals_kept_at = ({"S248B", "S321D", "S560E"} if truth_in.endswith("mk-events-2000/truth.csv")
                  else set(stations[:len(stations) // 2]))
keep = [r for r in rows
        if r["label"] == ("local" if r["station"] in locals_kept_at else "teleseismic")
        or rng.random() < frac]


def nanoseconds(text):
    t = datetime.datetime.strptime(text[:26], "%Y-%m-%dT%H:%M:%S.%f")
    t = t.replace(tzinfo=datetime.timezone.utc)
    return int(round(t.timestamp() * 1e6)) * 1000


kept = {(r["network"], r["station"], r["location"], nanoseconds(r["time"])) for r in keep}
db = sqlite3.connect(store)
gone = [(i,) for i, n, s, l, t in db.execute(
    "SELECT id, network, station, location, time_ns FROM picks") if (n, s, l, t) not in kept]
db.executemany("DELETE FROM picks WHERE id = ?", gone)
db.commit()
print(len(keep), "picks kept,", len(gone), "deleted")
with open(out, "w") as f:
    w = csv.DictWriter(f, rows[0].keys())
    w.writeheader()
    w.writerows(keep)
