#!/usr/bin/env python3
"""The Python peer of `seiscluster ingest` for docs/benchmarks.md: ObsPy read() of every file,
then the same samples written as blobs to SQLite (one transaction per file, file content hashed
with SHA-256 and skipped when already stored), as seiscluster does.

Usage: obspy-ingest-peer.py DB FILE_OR_DIR...
Prints: files, bytes, samples, seconds.
"""
import hashlib
import os
import sqlite3
import sys
import time

from obspy import read


def files_under(paths):
    for p in paths:
        if os.path.isdir(p):
            for root, dirs, names in os.walk(p):
                dirs.sort()
                for name in sorted(names):
                    yield os.path.join(root, name)
        else:
            yield p


def main():
    db, paths = sys.argv[1], sys.argv[2:]
    con = sqlite3.connect(db)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("PRAGMA synchronous=NORMAL")
    con.executescript("""
        CREATE TABLE IF NOT EXISTS source_file (id INTEGER PRIMARY KEY, path TEXT NOT NULL,
            size INTEGER NOT NULL, sha256 TEXT NOT NULL UNIQUE);
        CREATE TABLE IF NOT EXISTS segment (id INTEGER PRIMARY KEY, file_id INTEGER NOT NULL
            REFERENCES source_file(id) ON DELETE CASCADE, network TEXT, station TEXT,
            location TEXT, channel TEXT, start_ns INTEGER, sampling_rate REAL,
            sample_count INTEGER, sample_type TEXT, samples BLOB NOT NULL);
    """)
    t0 = time.perf_counter()
    nfiles = nbytes = nsamples = 0
    for path in files_under(paths):
        with open(path, "rb") as f:
            raw = f.read()
        sha = hashlib.sha256(raw).hexdigest()
        if con.execute("SELECT 1 FROM source_file WHERE sha256=?", (sha,)).fetchone():
            continue
        st = read(path)
        with con:
            cur = con.execute("INSERT INTO source_file(path,size,sha256) VALUES (?,?,?)",
                              (path, len(raw), sha))
            fid = cur.lastrowid
            for tr in st:
                data = tr.data.astype(tr.data.dtype.newbyteorder("<"), copy=False)
                con.execute("INSERT INTO segment(file_id,network,station,location,channel,start_ns,"
                            "sampling_rate,sample_count,sample_type,samples) VALUES (?,?,?,?,?,?,?,?,?,?)",
                            (fid, tr.stats.network, tr.stats.station, tr.stats.location,
                             tr.stats.channel, tr.stats.starttime.ns, tr.stats.sampling_rate,
                             tr.stats.npts, str(data.dtype), data.tobytes()))
                nsamples += tr.stats.npts
        nfiles += 1
        nbytes += len(raw)
    dt = time.perf_counter() - t0
    print(f"files={nfiles} bytes={nbytes} samples={nsamples} seconds={dt:.3f}")


if __name__ == "__main__":
    main()
