#!/usr/bin/env python3
"""Hostile pick files for seiscluster's refusal tests (fixtures/hostile/), standard library only.

    python3 tools/make_hostile_fixtures.py

  quakeml-external-entity.xml   an external entity (file:///etc/passwd) used in a pick's station
  quakeml-entity-bomb.xml       "billion laughs": ten levels of ten-fold entity expansion
  quakeml-doctype-only.xml      a harmless DOCTYPE without entities: read, as ObsPy reads it
  quakeml-external-dtd.xml      a DOCTYPE naming an external DTD (SYSTEM "http://...")
  picks-outside-storable-years.csv
                                valid ISO dates in years 0001, 1677, 2262, 2999 and 9999 (the
                                store holds 1678 to 2261), one readable row, one unreadable time
Each is a few hundred bytes; the same run writes the same bytes.
"""
import os

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "fixtures", "hostile")

QUAKEML_BODY = """<q:quakeml xmlns:q="http://quakeml.org/xmlns/quakeml/1.2" xmlns="http://quakeml.org/xmlns/bed/1.2">
  <eventParameters publicID="smi:local/catalog">
    <event publicID="smi:local/event/1">
      <pick publicID="smi:local/pick/1">
        <time><value>2026-03-01T00:06:16.649649Z</value></time>
        <waveformID networkCode="XX" stationCode="{station}" locationCode="" channelCode="HHZ"/>
        <phaseHint>P</phaseHint>
      </pick>
    </event>
  </eventParameters>
</q:quakeml>
"""


def write(name, text):
    with open(os.path.join(OUT, name), "w", encoding="utf-8", newline="\n") as f:
        f.write(text)


def main():
    os.makedirs(OUT, exist_ok=True)
    write("quakeml-external-entity.xml",
          '<?xml version="1.0" encoding="UTF-8"?>\n'
          '<!DOCTYPE q:quakeml [\n  <!ENTITY secret SYSTEM "file:///etc/passwd">\n]>\n'
          + QUAKEML_BODY.format(station="&secret;"))
    levels = ['  <!ENTITY lol0 "lol">']
    for i in range(1, 10):
        levels.append(f'  <!ENTITY lol{i} "' + f"&lol{i - 1};" * 10 + '">')
    write("quakeml-entity-bomb.xml",
          '<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE q:quakeml [\n'
          + "\n".join(levels) + "\n]>\n" + QUAKEML_BODY.format(station="&lol9;"))
    write("quakeml-doctype-only.xml",
          '<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE q:quakeml>\n'
          + QUAKEML_BODY.format(station="STA"))
    write("quakeml-external-dtd.xml",
          '<?xml version="1.0" encoding="UTF-8"?>\n'
          '<!DOCTYPE q:quakeml SYSTEM "http://example.invalid/quakeml.dtd">\n'
          + QUAKEML_BODY.format(station="STA"))
    rows = ["network,station,location,time,phase"]
    for year in ["0001", "1677", "2262", "2999", "9999"]:
        rows.append(f"XX,STA,,{year}-06-01T00:00:00Z,P")
    rows.append("XX,STA,,2026-03-01T00:06:16.649649Z,P")
    rows.append("XX,STA,,2026-02-30T00:00:00Z,P")
    write("picks-outside-storable-years.csv", "\n".join(rows) + "\n")


if __name__ == "__main__":
    main()
