#!/usr/bin/env python3
"""Checks seiscluster's exported catalogs with the tools users read them with.

Usage: check_export.py FOLDER
FOLDER holds catalog.csv, catalog.json and catalog.xml of one run (the Swift test
`samplesForThePythonCheckAreWrittenWhenAsked` writes them when SEISCLUSTER_EXPORT_SAMPLES
names a folder; `seiscluster export` writes the same files). Checks:
  - the QuakeML validates against ObsPy's QuakeML 1.2 schema, and read_events loads the QuakeML; every window has one event with its pick (time,
    network/station/location/channel codes, phase hint) and its cluster, probability, run and
    label in event.extra, in the urn:seiscluster:1 namespace;
  - the CSV (csv module) and JSON (json module) hold the same windows with the same values.
Exits 1 with one line per disagreement.
"""
import csv
import json
import sys
from pathlib import Path

from obspy import UTCDateTime, read_events
from obspy.io.quakeml.core import _validate as validate_quakeml

NS = "urn:seiscluster:1"


def main(folder: Path) -> int:
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

    for p in problems:
        print(f"error: {p}", file=sys.stderr)
    verdict = ("CSV and JSON agree; ObsPy read every window's pick and cluster from event.extra"
               if not problems else f"{len(problems)} problems")
    print(f"checked {len(rows)} windows of run {run['id']} ({run['kind']}), "
          f"{len(catalog)} QuakeML events: {verdict}")
    return 1 if problems else 0


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    sys.exit(main(Path(sys.argv[1])))
