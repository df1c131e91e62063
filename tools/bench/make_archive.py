#!/usr/bin/env python3
"""Archive-shaped benchmark data for tools/bench/scale.sh (docs/benchmarks.md, "Archive scale").

    make_archive.py events DIR [--events 2000] [--seed 0]   # many small event files
    make_archive.py days DIR [--stations 3] [--days 1] [--picks 2000] [--seed 0]
    make_archive.py npy FILE --windows N [--channels 3] [--length 512] [--seed 0]

Waveforms go to DIR/waveforms/, `picks.csv` (and `events.csv`) to DIR.

`events`: one 3-component recording per event (125 s: pick - 40 s to pick + 85 s) at one of 7
stations, taken in turn, so 2,000 events make 3,143 files of about 250 MB:

    station  rate    written as
    EV01     100 Hz  MiniSEED Steim-2, one file with the 3 channels (512-byte records)
    EV02      50 Hz  MiniSEED Steim-1, one file (4096-byte records)
    EV03     200 Hz  MiniSEED INT32, one file (4096-byte records)
    EV04     100 Hz  MiniSEED FLOAT32, one file (4096-byte records)
    EV05     200 Hz  MiniSEED Steim-2, one file (4096-byte records)
    EV06     100 Hz  SAC little-endian, one file per channel
    EV07      50 Hz  SAC big-endian, one file per channel (orientation Z12)

Events are 600 s apart (plus jitter), so recordings never overlap. `picks.csv` holds one P pick
per event (no channel column: the tool chooses the channel set); `events.csv` lists each pick with
its files, for the ObsPy peer.

`days`: continuous data, one day file per channel (ZNE at 100 Hz), station k written as Steim-2,
Steim-1 or FLOAT32 (k mod 3, 4096-byte records); `picks.csv` holds `--picks` P picks spread over
the days (at least 2 minutes from the day's ends, so every window has its margin).

`npy`: a float32 N x C x L `.npy` file of random windows (written in chunks; any N), for the
`windows import` memory benchmark.

The waveforms: a random walk, a microseism (0.1-0.3 Hz) and white noise, in counts, plus at each
pick a local event (impulsive P, S 2-20 s later on the horizontals, exponential coda). Seeded:
the same arguments give the same files.
"""
import argparse
import csv
import os

import numpy as np
from obspy import Stream, Trace, UTCDateTime

T0 = UTCDateTime("2026-03-01T00:00:00Z")
BEFORE, AFTER = 40.0, 85.0

# (station, rate, format, encoding, record length, orientation)
EVENT_STATIONS = [
    ("EV01", 100.0, "MSEED", "STEIM2", 512, "ZNE"),
    ("EV02", 50.0, "MSEED", "STEIM1", 4096, "ZNE"),
    ("EV03", 200.0, "MSEED", "INT32", 4096, "ZNE"),
    ("EV04", 100.0, "MSEED", "FLOAT32", 4096, "ZNE"),
    ("EV05", 200.0, "MSEED", "STEIM2", 4096, "ZNE"),
    ("EV06", 100.0, "SAC", "<", 0, "ZNE"),
    ("EV07", 50.0, "SAC", ">", 0, "Z12"),
]


def noise(rng, n, rate, scale):
    t = np.arange(n) / rate
    walk = np.cumsum(rng.standard_normal(n)) * 0.3 * scale
    walk -= np.linspace(walk[0], walk[-1], n)
    micro = 6 * scale * np.sin(2 * np.pi * rng.uniform(0.1, 0.3) * t + rng.uniform(0, 6.3))
    return walk + micro + rng.standard_normal(n) * scale


def add_event(rng, x, rate, at, component, scale):
    """A local event starting at sample `at` of `x` (component 0 = vertical)."""
    n = len(x)
    sp = rng.uniform(2, 20)
    amp = scale * rng.uniform(5, 200)
    for phase_at, weight, f in ((0.0, 1.0 if component == 0 else 0.4, rng.uniform(4, 12)),
                                (sp, 0.5 if component == 0 else 2.0, rng.uniform(2, 6))):
        i = at + int(phase_at * rate)
        if i >= n:
            continue
        m = min(n - i, int(40 * rate))
        k = np.arange(m) / rate
        x[i:i + m] += amp * weight * np.exp(-k / rng.uniform(2, 8)) * np.sin(
            2 * np.pi * f * k + rng.uniform(0, 6.3))


def trace(data, network, station, channel, rate, start, integer):
    values = np.round(data).astype(np.int32) if integer else data.astype(np.float32)
    return Trace(values, header=dict(network=network, station=station, location="",
                                     channel=channel, sampling_rate=rate, starttime=start))


def make_events(root, count, seed):
    folder = os.path.join(root, "waveforms")
    os.makedirs(folder, exist_ok=True)
    picks, events, files = [], [], 0
    for e in range(count):
        rng = np.random.default_rng([seed, e])
        station, rate, fmt, enc, reclen, orient = EVENT_STATIONS[e % len(EVENT_STATIONS)]
        pick = T0 + 600.0 * e + rng.uniform(0, 300)
        # Start on the station's sample grid (whole milliseconds).
        start = UTCDateTime(round((pick - BEFORE).timestamp, 2))
        n = int((BEFORE + AFTER) * rate)
        scale = rng.uniform(20, 400)
        band = "HH" if rate > 80 else "BH"
        traces = []
        for c, o in enumerate(orient):
            x = noise(rng, n, rate, scale)
            add_event(rng, x, rate, int(round((pick - start) * rate)), c, scale)
            traces.append(trace(x, "XE", station, band + o, rate, start,
                                integer=not (fmt == "MSEED" and enc == "FLOAT32") and fmt != "SAC"))
        base = f"{station}_{e:05d}"
        paths = []
        if fmt == "MSEED":
            path = os.path.join(folder, base + ".mseed")
            Stream(traces).write(path, format="MSEED", encoding=enc, reclen=reclen)
            paths.append(path)
        else:
            for tr in traces:
                path = os.path.join(folder, f"{base}.{tr.stats.channel}.sac")
                tr.write(path, format="SAC", byteorder=enc)
                paths.append(path)
        files += len(paths)
        picks.append(("XE", station, "", f"{pick.isoformat()}Z", "P"))
        events.append((station, rate, f"{pick.isoformat()}Z", ";".join(os.path.basename(p) for p in paths)))
    write_picks(root, picks)
    with open(os.path.join(root, "events.csv"), "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["station", "rate", "time", "files"])
        w.writerows(events)
    size = sum(os.path.getsize(os.path.join(folder, f)) for f in os.listdir(folder))
    print(f"{files} files ({count} events), {size / 1e6:.1f} MB in {folder}")


def make_days(root, stations, days, pick_count, seed):
    folder = os.path.join(root, "waveforms")
    os.makedirs(folder, exist_ok=True)
    rate = 100.0
    n = int(86400 * rate)
    encodings = [("STEIM2", True), ("STEIM1", True), ("FLOAT32", False)]
    rng = np.random.default_rng([seed, 99])
    # Picks spread over the days and stations, at least 120 s from each day's ends.
    picks = []
    for p in range(pick_count):
        s = p % stations
        day = (p // stations) % days
        offset = 120 + rng.uniform(0, 86400 - 240)
        picks.append((s, day, offset))
    for s in range(stations):
        station = f"DY{s + 1:02d}"
        enc, integer = encodings[s % len(encodings)]
        for day in range(days):
            at = [offset for (ps, pd, offset) in picks if ps == s and pd == day]
            for c, o in enumerate("ZNE"):
                r = np.random.default_rng([seed, s, day, c])
                scale = 80.0
                x = noise(r, n, rate, scale)
                for offset in at:
                    add_event(np.random.default_rng([seed, s, day, int(offset * 1000)]), x, rate,
                              int(offset * rate), c, scale)
                tr = trace(x, "XD", station, "HH" + o, rate, T0 + 86400 * day, integer)
                path = os.path.join(folder, f"XD.{station}..HH{o}.D.{day + 1:03d}.mseed")
                tr.write(path, format="MSEED", encoding=enc, reclen=4096)
    write_picks(root, [("XD", f"DY{s + 1:02d}", "", f"{(T0 + 86400 * day + offset).isoformat()}Z", "P")
                         for (s, day, offset) in sorted(picks, key=lambda p: (p[1], p[2]))])
    size = sum(os.path.getsize(os.path.join(folder, f)) for f in os.listdir(folder))
    print(f"{stations * days * 3} day files, {len(picks)} picks, {size / 1e6:.1f} MB in {folder}")


def write_picks(folder, rows):
    with open(os.path.join(folder, "picks.csv"), "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["network", "station", "location", "time", "phase"])
        w.writerows(rows)


def make_npy(path, windows, channels, length, seed):
    header = "{'descr': '<f4', 'fortran_order': False, 'shape': (%d, %d, %d), }" % (
        windows, channels, length)
    header += " " * ((64 - (10 + len(header) + 1) % 64) % 64) + "\n"
    rng = np.random.default_rng(seed)
    with open(path, "wb") as fh:
        fh.write(b"\x93NUMPY\x01\x00" + len(header).to_bytes(2, "little") + header.encode())
        done = 0
        while done < windows:
            k = min(4096, windows - done)
            fh.write(rng.standard_normal((k, channels, length), dtype=np.float32).tobytes())
            done += k
    print(f"{windows} x {channels} x {length} float32, {os.path.getsize(path) / 1e6:.1f} MB: {path}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("kind", choices=["events", "days", "npy"])
    ap.add_argument("out")
    ap.add_argument("--events", type=int, default=2000)
    ap.add_argument("--stations", type=int, default=3)
    ap.add_argument("--days", type=int, default=1)
    ap.add_argument("--picks", type=int, default=2000)
    ap.add_argument("--windows", type=int, default=20000)
    ap.add_argument("--channels", type=int, default=3)
    ap.add_argument("--length", type=int, default=512)
    ap.add_argument("--seed", type=int, default=0)
    a = ap.parse_args()
    if a.kind == "events":
        make_events(a.out, a.events, a.seed)
    elif a.kind == "days":
        make_days(a.out, a.stations, a.days, a.picks, a.seed)
    else:
        make_npy(a.out, a.windows, a.channels, a.length, a.seed)


if __name__ == "__main__":
    main()
