#!/usr/bin/env python3
"""What Python's fnmatch (the matching ObsPy's Stream.select uses on codes) says for a table of
patterns and codes: fixtures/glob/fnmatch.json, read by StationPatternGlobTests.

    /work/venv/bin/python tools/make_glob_fixtures.py

ObsPy's select compares `fnmatch.fnmatch(code.upper(), pattern.upper())`; both sides are
upper-cased here as there. Each row of `matches` is one pattern, one 0/1 per code. The table
holds the cases where C's fnmatch reads otherwise (`[^X]`, backslashes, `[[.A.]]`, `?` on a
non-ASCII character), reversed ranges, the usual ones (ranges, `!`, `]` first, unclosed `[`,
`*` runs), and 250 patterns drawn at random (fixed seed) from the characters that matter.
"""
import fnmatch
import json
import os
import random

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "fixtures", "glob", "fnmatch.json")

PATTERNS = [
    "*", "?", "??", "A*", "*B", "A*B", "*A*", "A?B", "A??", "**A", "A**B*",
    "[AB]*", "[!AB]*", "[^X]*", "[^^]*", "[^]", "[^]]*", "[]]*", "[!]]*", "[]A]*",
    "[A-C]1", "[C-A]1", "[!A-C]1", "[A-]*", "[-A]*", "[A-C-E]*", "[a-c]1", "[0-9]*",
    "A[*]B", "A[?]B", "A[,]B", "A[[]B", "A[", "A[B", "[", "]", "A\\*B", "A\\\\B", "A[\\]B",
    "[[.A.]]*", "[[=A=]]*", "[[:ALPHA:]]*", "?1", "??1", "É?", "[É]1", "[!É]1", "*É*",
    # Reversed ranges that leave a `!` first (a review's fuzz): Python then negates.
    "[z-a!]", "[Z-A!]", "[z-a!b]", "[b-a!A]", "[!z-a]", "[a-c-e]", "[b-az-a]", "[--a]",
    "[a--]", "[!-z]", "[---]", "[b-a-c]", "[!]]", "[a-]B",
]
CODES = [
    "", "A", "B", "AB", "ABB", "AXB", "A*B", "A?B", "A,B", "A[B", "A\\B", "A\\XB", "A\\\\B",
    "XAB", "^AB", "\\AB", "]AB", "!AB", "-AB", "DAB", "A1", "B1", "C1", "D1", "É1", "É",
    "ÉX", "1", "12", "[", "]", "A[", "AAB", "BA", ".A", ":A", "=A", "A-B", "!", "-", "Z", "^",
    "Z!", "A!B", "B-", "*", "?", "[]",
]


ALPHABET = "ABa*?[]!^-\\,É1Z"


def fuzzed(count, seed):
    """`count` random patterns of 1-6 characters of ALPHABET (a fixed seed: the same table on
    every run)."""
    rng = random.Random(seed)
    patterns = []
    while len(patterns) < count:
        p = "".join(rng.choice(ALPHABET) for _ in range(rng.randint(1, 6)))
        if "," not in p and p not in patterns:  # a comma splits a --stations list
            patterns.append(p)
    return patterns


def main():
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    PATTERNS.extend(p for p in fuzzed(250, 48) if p not in PATTERNS)
    rows = [[int(fnmatch.fnmatch(c.upper(), p.upper())) for c in CODES] for p in PATTERNS]
    with open(OUT, "w", encoding="utf-8") as f:
        json.dump({"generator": "tools/make_glob_fixtures.py (Python fnmatch)",
                   "patterns": PATTERNS, "codes": CODES, "matches": rows},
                  f, ensure_ascii=False, separators=(",", ":"))
        f.write("\n")


if __name__ == "__main__":
    main()
