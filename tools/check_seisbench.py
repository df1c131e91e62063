#!/usr/bin/env python3
"""Loads a seiscluster SeisBench export with SeisBench itself and checks it against the windows.

Usage: check_seisbench.py METADATA.csv WINDOWS.npy INDEX.csv OUT_FOLDER
METADATA.csv is `seiscluster export --format seisbench`, WINDOWS.npy and INDEX.csv are
`seiscluster windows export --output WINDOWS.npy --index INDEX.csv` of the same (waveform) set.
Writes OUT_FOLDER/metadata.csv and OUT_FOLDER/waveforms.hdf5 (`data/<trace_name>`, one window
per trace, components x samples, as the .npy holds it), opens the folder with
seisbench.data.WaveformDataset(component_order="ZNE") and checks:
  - every window SeisBench returns equals the .npy row, every component (a component order
    SeisBench cannot map, such as Z12 asked as ZNE, comes back zero-filled);
  - every arrival column SeisBench's PickLabeller finds (`trace_<phase>_arrival_sample`) lies
    inside its window.
Exits 1 with one line per disagreement.
"""
import shutil
import sys
from pathlib import Path

import h5py
import numpy as np
import pandas as pd
import seisbench.data as sbd


def main() -> int:
    metadata_path, npy_path, index_path, out = map(Path, sys.argv[1:5])
    windows = np.load(npy_path)
    index = pd.read_csv(index_path, dtype={"window_id": str})
    row_of = {wid: i for i, wid in enumerate(index["window_id"])}
    out.mkdir(parents=True, exist_ok=True)
    shutil.copy(metadata_path, out / "metadata.csv")
    metadata = pd.read_csv(out / "metadata.csv", dtype={"trace_name": str}, keep_default_na=False)
    with h5py.File(out / "waveforms.hdf5", "w") as f:
        for name in metadata["trace_name"]:
            f.create_dataset(f"data/{name}", data=windows[row_of[name]])
    data = sbd.WaveformDataset(out, component_order="ZNE", sampling_rate=None, cache=None)
    problems = []
    for i in range(len(data)):
        name = str(data.metadata.iloc[i]["trace_name"])
        got = data.get_waveforms(i)
        want = windows[row_of[name]]
        if got.shape != want.shape or not np.array_equal(got, want):
            order = data.metadata.iloc[i]["trace_component_order"]
            problems.append(f"window {name} ({order}): SeisBench returns other samples than the .npy")
    columns = [c for c in metadata.columns if c.startswith("trace_") and c.endswith("_arrival_sample")]
    npts = metadata["trace_npts"]
    for c in columns:
        for value, n, name in zip(metadata[c], npts, metadata["trace_name"]):
            if value == "":
                continue
            if not (0 <= int(value) < int(n)):
                problems.append(f"window {name}: {c} = {value} outside 0..{n}")
    for p in problems[:50]:
        print(p)
    print(f"{len(data)} windows loaded by SeisBench (component_order ZNE), {len(problems)} problems; "
          f"arrival columns: {', '.join(columns)}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
