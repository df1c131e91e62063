#!/usr/bin/env python3
"""Assembles the independent corpus of real MiniSEED and SAC files that
tools/corpus_roundtrip.py checks: every waveform file in ObsPy's and pyasdf's test data that
is not already in ../shared/data. The files are copied outside the project; never commit them.

    /work/venv/bin/python tools/make_corpus.py OUT GITDIR_OR_CHECKOUT...

    git clone --bare https://github.com/obspy/obspy obspy.git
    git clone --bare https://github.com/SeismicData/pyasdf pyasdf.git
    /work/venv/bin/python tools/make_corpus.py /work/corpus obspy.git pyasdf.git

From each repository (a bare git directory, read at HEAD, or a checkout), every file under a
`tests/data/` folder is taken when ObsPy recognises it as MiniSEED, SAC or alphanumeric SAC
(`_is_mseed`, `_is_sac`, `_is_sac_xy`; NonLinLoc `.hyp` files, which `_is_sac_xy` also accepts,
are left out), and so are the other files of the MiniSEED and SAC readers' test folders
(`io/mseed`, `io/sac`: files ObsPy cannot read, which seiscluster must refuse by name). Files
whose content (SHA-256) is in ../shared/data are skipped: the corpus is independent of it.
OUT keeps each file's folder below the repository name, without `tests/data`.
Used for docs/reliability.md with obspy/obspy 0fd195e (1.5.0) and SeismicData/pyasdf b9bf394:
68 files.
"""
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import warnings

from obspy.io.mseed.core import _is_mseed
from obspy.io.sac.core import _is_sac, _is_sac_xy

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHARED = os.path.join(os.path.dirname(ROOT), "shared", "data")


def sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def test_data_files(source, scratch):
    """(repository-relative path, local path) of every file under a tests/data folder."""
    path = os.path.normpath(source)
    name = os.path.basename(path)
    if name in ("repo", ".git"):  # owner+name/repo (a mirror) or a checkout's .git
        name = os.path.basename(os.path.dirname(path))
    name = name.removesuffix(".git")
    if os.path.isdir(os.path.join(source, "objects")):  # a git directory: read HEAD
        listing = subprocess.run(["git", "--git-dir", source, "ls-tree", "-r", "-z", "--name-only",
                                  "HEAD"], capture_output=True, check=True).stdout
        for rel in listing.decode().split("\0"):
            if "/tests/data/" not in rel:
                continue
            local = os.path.join(scratch, name, rel)
            os.makedirs(os.path.dirname(local), exist_ok=True)
            with open(local, "wb") as f:
                f.write(subprocess.run(["git", "--git-dir", source, "show", f"HEAD:{rel}"],
                                       capture_output=True, check=True).stdout)
            yield name, rel, local
    else:
        for folder, _, names in os.walk(source):
            for n in names:
                local = os.path.join(folder, n)
                rel = os.path.relpath(local, source)
                if "/tests/data/" in "/" + rel:
                    yield name, rel, local


def kind(path):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for test, label in ((_is_mseed, "mseed"), (_is_sac, "sac"), (_is_sac_xy, "sacxy")):
            try:
                if test(path):
                    return label
            except Exception:
                pass
    return None


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    out = sys.argv[1]
    shared = set()
    for folder in ("mseed", "sac"):
        directory = os.path.join(SHARED, folder)
        if os.path.isdir(directory):
            shared |= {sha256(os.path.join(directory, n)) for n in os.listdir(directory)}
    copied = 0
    with tempfile.TemporaryDirectory() as scratch:
        for source in sys.argv[2:]:
            for name, rel, local in test_data_files(source, scratch):
                found = kind(local)
                reader_folder = "/io/mseed/tests/data/" in "/" + rel or "/io/sac/tests/data/" in "/" + rel
                if (found is None and not reader_folder) or rel.endswith(".hyp"):
                    continue
                if sha256(local) in shared:
                    continue
                target = os.path.join(out, name, rel.replace("/tests/data", ""))
                os.makedirs(os.path.dirname(target), exist_ok=True)
                shutil.copyfile(local, target)
                copied += 1
    print(f"{copied} files in {out}")


if __name__ == "__main__":
    main()
