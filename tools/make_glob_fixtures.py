#!/usr/bin/env python3
"""What Python's fnmatch (the matching ObsPy's Stream.select uses on codes) says for a table of
patterns and codes: fixtures/glob/fnmatch.json, read by StationPatternGlobTests.

    /work/venv/bin/python tools/make_glob_fixtures.py

ObsPy's select compares `fnmatch.fnmatch(code.upper(), pattern.upper())`; both sides are
upper-cased here as there. Each row of `matches` is one pattern, one 0/1 per code. The table
holds the cases where C's fnmatch reads otherwise (`[^X]`, backslashes, `[[.A.]]`, `?` on a
non-ASCII character) and the usual ones (ranges, `!`, `]` first, unclosed `[`, `*` runs).
"""
import fnmatch
import json
import os

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "fixtures", "glob", "fnmatch.json")

PATTERNS = [
    "*", "?", "??", "A*", "*B", "A*B", "*A*", "A?B", "A??", "**A", "A**B*",
    "[AB]*", "[!AB]*", "[^X]*", "[^^]*", "[^]", "[^]]*", "[]]*", "[!]]*", "[]A]*",
    "[A-C]1", "[C-A]1", "[!A-C]1", "[A-]*", "[-A]*", "[A-C-E]*", "[a-c]1", "[0-9]*",
    "A[*]B", "A[?]B", "A[,]B", "A[[]B", "A[", "A[B", "[", "]", "A\\*B", "A\\\\B", "A[\\]B",
    "[[.A.]]*", "[[=A=]]*", "[[:ALPHA:]]*", "?1", "??1", "É?", "[É]1", "[!É]1", "*É*",
]
CODES = [
    "", "A", "B", "AB", "ABB", "AXB", "A*B", "A?B", "A,B", "A[B", "A\\B", "A\\XB", "A\\\\B",
    "XAB", "^AB", "\\AB", "]AB", "!AB", "-AB", "DAB", "A1", "B1", "C1", "D1", "É1", "É",
    "ÉX", "1", "12", "[", "]", "A[", "AAB", "BA", ".A", ":A", "=A", "A-B",
]


def main():
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    rows = [[int(fnmatch.fnmatch(c.upper(), p.upper())) for c in CODES] for p in PATTERNS]
    with open(OUT, "w", encoding="utf-8") as f:
        json.dump({"generator": "tools/make_glob_fixtures.py (Python fnmatch)",
                   "patterns": PATTERNS, "codes": CODES, "matches": rows},
                  f, ensure_ascii=False, separators=(",", ":"))
        f.write("\n")


if __name__ == "__main__":
    main()
