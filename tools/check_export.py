#!/usr/bin/env python3
"""Checks seiscluster's exported catalogs with the tools users read them with.

Usage: check_export.py FOLDER [STORE.sqlite]
FOLDER holds catalog.csv, catalog.json and catalog.xml of one run (the Swift test
`samplesForThePythonCheckAreWrittenWhenAsked` writes them when SEISCLUSTER_EXPORT_SAMPLES
names a folder; `seiscluster export` writes the same files). Checks:
  - the QuakeML validates against ObsPy's QuakeML 1.2 schema, and read_events loads the QuakeML; every window has one event with its pick (time,
    network/station/location/channel codes, phase hint) and its cluster, probability, run and
    label in event.extra, in the urn:seiscluster:1 namespace;
  - the CSV (csv module) and JSON (json module) hold the same windows with the same values.
  - with STORE given, every window of the run in the store (read with sqlite3, not through
    seiscluster) is in the CSV with its pick time, codes, cluster and probability.
Exits 1 with one line per disagreement.
"""
import csv
import json
import sqlite3
import sys
from pathlib import Path

from obspy import UTCDateTime, read_events
from obspy.io.quakeml.core import _validate as validate_quakeml

NS = "urn:seiscluster:1"


def check_against_store(store: Path, run_id: int, rows: list) -> list:
    """The run's assignments joined with their windows, straight from SQLite."""
    problems = []
    db = sqlite3.connect(f"file:{store}?mode=ro", uri=True)
    stored = db.execute(
        """SELECT w.window_key, w.network, w.station, w.location, w.pick_time_ns, a.cluster,
                  a.probability, a.label
           FROM assignments a JOIN windows w ON w.id = a.window_id
           WHERE a.run_id = ? ORDER BY w.window_set_id, w.id""", (run_id,)).fetchall()
    if len(stored) != len(rows):
        problems.append(f"store has {len(stored)} windows in run {run_id}, CSV {len(rows)}")
    by_id = {int(r["window_id"]): r for r in rows}
    for key, net, sta, loc, ns, cluster, probability, label in stored:
        row = by_id.get(key)
        if row is None:
            problems.append(f"window {key} of the store is not in the CSV")
            continue
        if (row["network"], row["station"], row["location"]) != (net, sta, loc):
            problems.append(f"window {key}: codes differ from the store")
        # The CSV keeps microseconds: the stored nanoseconds may differ by less than one.
        if ns is not None and abs(ns - UTCDateTime(row["time"]).ns) >= 1000:
            problems.append(f"window {key}: time {row['time']} is not store time {ns} ns")
        if int(row["cluster"]) != cluster or float(row["probability"]) != probability:
            problems.append(f"window {key}: cluster/probability differ from the store")
        if "label" in row and (row["label"] or None) != label:
            problems.append(f"window {key}: label differs from the store")
    return problems


def main(folder: Path, store: Path = None) -> int:
    problems = []
    with open(folder / "catalog.csv", newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    with open(folder / "catalog.json", encoding="utf-8") as f:
        document = json.load(f)
    windows = document["windows"]
    run = document["run"]
    if len(rows) != len(windows):
        problems.append(f"CSV has {len(rows)} rows, JSON {len(windows)} windows")
    labelled = "label" in (rows[0] if rows else {})

    # CSV and JSON agree, field by field, with JSON typed.
    for row, w in zip(rows, windows):
        if set(row) != set(w):
            problems.append(f"window {row['window_id']}: CSV columns {sorted(row)} != JSON keys {sorted(w)}")
        if int(row["window_id"]) != w["window_id"] or int(row["cluster"]) != w["cluster"]:
            problems.append(f"window {row['window_id']}: id or cluster differ")
        if float(row["probability"]) != w["probability"]:
            problems.append(f"window {row['window_id']}: probability differs")
        if int(row["run"]) != run["id"] or w["run"] != run["id"]:
            problems.append(f"window {row['window_id']}: run differs from {run['id']}")
        for key in ("network", "station", "location", "time", "phase", "channels"):
            if row[key] != (w[key] or ""):
                problems.append(f"window {row['window_id']}: {key} {row[key]!r} != {w[key]!r}")
        if labelled and (row["label"] or None) != w["label"]:
            problems.append(f"window {row['window_id']}: label {row['label']!r} != {w['label']!r}")
        if len(row["time"]) != 27 or not row["time"].endswith("Z"):
            problems.append(f"window {row['window_id']}: time {row['time']} lacks microseconds")

    # The QuakeML is valid against ObsPy's QuakeML 1.2 schema, and ObsPy reads it and keeps the results in event.extra.
    if not validate_quakeml(str(folder / "catalog.xml")):
        problems.append("catalog.xml does not validate against the QuakeML 1.2 schema")
    catalog = read_events(str(folder / "catalog.xml"), format="QUAKEML")
    if len(catalog) != len(rows):
        problems.append(f"QuakeML has {len(catalog)} events for {len(rows)} windows")
    for event, row in zip(catalog, rows):
        wid = row["window_id"]
        if len(event.picks) != 1:
            problems.append(f"window {wid}: {len(event.picks)} picks in its event")
            continue
        pick = event.picks[0]
        if pick.time != UTCDateTime(row["time"]):
            problems.append(f"window {wid}: pick time {pick.time} != {row['time']}")
        wf = pick.waveform_id
        got = (wf.network_code, wf.station_code, wf.location_code or "")
        if got != (row["network"], row["station"], row["location"]):
            problems.append(f"window {wid}: waveform id {got}")
        if wf.channel_code not in row["channels"].split(","):
            problems.append(f"window {wid}: channel {wf.channel_code} not in {row['channels']}")
        if (pick.phase_hint or "") != row["phase"]:
            problems.append(f"window {wid}: phase hint {pick.phase_hint!r} != {row['phase']!r}")
        extra = event.get("extra", {})
        for key in ("cluster", "probability", "run") + (("label",) if labelled and row["label"] else ()):
            if key not in extra:
                problems.append(f"window {wid}: event.extra has no {key}")
                continue
            if extra[key]["namespace"] != NS:
                problems.append(f"window {wid}: {key} in namespace {extra[key]['namespace']}")
        if "cluster" in extra and int(extra["cluster"]["value"]) != int(row["cluster"]):
            problems.append(f"window {wid}: cluster {extra['cluster']['value']} != {row['cluster']}")
        if "probability" in extra and float(extra["probability"]["value"]) != float(row["probability"]):
            problems.append(f"window {wid}: probability differs")
        if "run" in extra and int(extra["run"]["value"]) != run["id"]:
            problems.append(f"window {wid}: run differs")
        if labelled and row["label"] and extra.get("label", {}).get("value") != row["label"]:
            problems.append(f"window {wid}: label {extra.get('label')} != {row['label']!r}")

    if store is not None:
        problems += check_against_store(store, run["id"], rows)

    for p in problems:
        print(f"error: {p}", file=sys.stderr)
    verdict = ("CSV and JSON agree; ObsPy read every window's pick and cluster from event.extra"
               if not problems else f"{len(problems)} problems")
    print(f"checked {len(rows)} windows of run {run['id']} ({run['kind']}), "
          f"{len(catalog)} QuakeML events{', store ' + store.name if store else ''}: {verdict}")
    return 1 if problems else 0


if __name__ == "__main__":
    if len(sys.argv) not in (2, 3):
        sys.exit(__doc__)
    sys.exit(main(Path(sys.argv[1]), Path(sys.argv[2]) if len(sys.argv) == 3 else None))
