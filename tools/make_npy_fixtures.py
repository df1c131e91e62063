#!/usr/bin/env python3
"""NumPy-written .npy files for seiscluster's NPY reader/writer tests (fixtures/npy/).

    /work/venv/bin/python tools/make_npy_fixtures.py            # (re)write fixtures/npy
    /work/venv/bin/python tools/make_npy_fixtures.py --check F  # load a Swift-written file

`expected.json` holds, per file, the shape and values (or the error the reader must give).
"""
import io
import json
import os
import sys

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "fixtures", "npy")


def values(shape, dtype):
    # Multiples of 1/8: exact in float32 and through JSON.
    n = int(np.prod(shape))
    return (np.arange(n, dtype=np.float64) * 0.375 - 2.5).astype(dtype).reshape(shape)


def save(name, array, version=None):
    path = os.path.join(OUT, name)
    with open(path, "wb") as fh:
        np.lib.format.write_array(fh, array, version=version)
    return path


def main():
    os.makedirs(OUT, exist_ok=True)
    expected = {"generator": "tools/make_npy_fixtures.py", "numpy": np.__version__, "files": {}}
    good = [
        ("f4_le_3d.npy", (2, 3, 5), "<f4", None),
        ("f8_le_2d.npy", (4, 6), "<f8", None),
        ("f4_be_3d.npy", (3, 2, 4), ">f4", None),
        ("f8_be_3d.npy", (2, 1, 7), ">f8", None),
        ("f4_le_3d_v2.npy", (2, 3, 5), "<f4", (2, 0)),
        ("f8_le_2d_v3.npy", (3, 5), "<f8", (3, 0)),
        # A window-sized file: the Swift writer must reproduce it byte for byte.
        ("windows_f4_4x3x100.npy", (4, 3, 100), "<f4", None),
    ]
    for name, shape, dtype, version in good:
        a = values(shape, dtype)
        save(name, a, version)
        expected["files"][name] = {"shape": list(shape), "dtype": dtype,
                                   "values": a.astype(np.float64).ravel().tolist()}
    # Fortran order (np.save of a transposed array): read into C order, as np.load does.
    for name, shape, dtype in [("fortran_2d.npy", (3, 4), "<f4"),
                               ("fortran_3d.npy", (4, 3, 5), "<f4"),
                               ("fortran_be_3d.npy", (3, 2, 6), ">f8")]:
        a = np.asfortranarray(values(shape, dtype))
        save(name, a)
        expected["files"][name] = {"shape": list(shape), "dtype": dtype,
                                   "values": a.astype(np.float64).ravel(order="C").tolist()}
    # Files the reader must refuse.
    save("int32_2d.npy", np.arange(12, dtype="<i4").reshape(3, 4))
    expected["files"]["int32_2d.npy"] = {"error": "unsupported .npy dtype"}
    with open(os.path.join(OUT, "f4_le_3d.npy"), "rb") as fh:
        whole = fh.read()
    with open(os.path.join(OUT, "truncated.npy"), "wb") as fh:
        fh.write(whole[:-9])
    expected["files"]["truncated.npy"] = {"error": "holds only"}
    # A header claiming a huge array over a few bytes: must be refused before allocating.
    buf = io.BytesIO()
    np.lib.format.write_array_header_1_0(
        buf, {"descr": "<f4", "fortran_order": False, "shape": (10**12, 3, 6000)})
    with open(os.path.join(OUT, "huge_claim.npy"), "wb") as fh:
        fh.write(buf.getvalue() + b"\0" * 64)
    expected["files"]["huge_claim.npy"] = {"error": "holds only"}
    with open(os.path.join(OUT, "expected.json"), "w") as fh:
        json.dump(expected, fh, indent=1)
    print("wrote", len(os.listdir(OUT)), "files to", OUT, file=sys.stderr)


def check(path):
    a = np.load(path)
    print(path, a.dtype, a.shape, "C" if a.flags.c_contiguous else "F", a.ravel()[:5].tolist())


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--check":
        check(sys.argv[2])
    else:
        main()
