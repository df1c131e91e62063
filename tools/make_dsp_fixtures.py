#!/usr/bin/env python3
"""Reference values for seiscluster's DSP (Sources/Seismic/DSP) from ObsPy 1.5.1 / SciPy.

Run from the repository root with the project venv:

    /work/venv/bin/python tools/make_dsp_fixtures.py

Reads real traces from ../shared/data (not copied: only short cuts of their samples are stored),
runs ObsPy's Trace.detrend / taper / filter / resample, obspy.signal.trigger and
scipy.signal.stft, and writes fixtures/dsp/: one raw little-endian float64 file per array
(`*.f64`) and `manifest.json` describing every case (inputs, parameters, outputs, SOS).
"""
import json
import os
import sys

import numpy as np
import obspy
import scipy
import scipy.signal
from obspy import read
from obspy.signal.trigger import (classic_sta_lta, recursive_sta_lta,
                                  trigger_onset)

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DATA = os.path.join(os.path.dirname(ROOT), "shared", "data")
OUT = os.path.join(ROOT, "fixtures", "dsp")

# (key, file, trace index, first sample, sample count, band-pass Hz, resample targets Hz,
#  STFT (nperseg, noverlap) pairs, STA/LTA seconds, trigger thresholds)
TRACES = [
    ("hgn40", "mseed/test.mseed", 0, 2000, 3001, (1.0, 10.0), [100.0, 25.0, 15.3, 50.0],
     [(64, None), (63, 48)], (1.0, 10.0), (2.0, 0.7)),
    ("crlz100", "sac/CRLZ.HHZ.10.NZ.SAC_resp", 0, 23000, 4000, (1.0, 20.0),
     [50.0, 40.0, 73.3, 160.0], [(128, None), (100, 75)], (0.5, 5.0), (2.5, 1.0)),
    ("bgld200", "mseed/constructedFileToTestReadViaRecords.mseed", 0, 0, 4000, (2.0, 40.0),
     [100.0, 64.0, 333.0], [(256, 192)], (0.5, 5.0), (1.8, 0.8)),
    ("tly20", "sac/II.TLY.BHZ.SAC", 0, 7000, 2000, (0.5, 5.0), [40.0, 8.0], [(50, 25)],
     (2.0, 20.0), (1.5, 0.6)),
]


def write(name, array):
    array = np.ascontiguousarray(array, dtype="<f8")
    path = os.path.join(OUT, name + ".f64")
    array.tofile(path)
    return name + ".f64"


def main():
    os.makedirs(OUT, exist_ok=True)
    manifest = {
        "generator": "tools/make_dsp_fixtures.py",
        "obspy": obspy.__version__,
        "scipy": scipy.__version__,
        "numpy": np.__version__,
        "format": "each *.f64 file is raw little-endian float64",
        "traces": [],
    }
    for (key, path, index, start, count, band, rates, stfts, stalta,
         thresholds) in TRACES:
        tr = read(os.path.join(DATA, path))[index]
        rate = tr.stats.sampling_rate
        tr.data = np.require(tr.data[start:start + count], dtype=np.float64)
        entry = {"key": key, "source": path, "id": tr.id, "sampling_rate": rate,
                 "first_sample": start, "count": count, "input": write(key + "_input", tr.data)}

        demeaned = tr.copy().detrend("demean")
        entry["demean"] = write(key + "_demean", demeaned.data)
        detrended = tr.copy().detrend("linear")
        entry["detrend_linear"] = write(key + "_detrend_linear", detrended.data)
        tapered = detrended.copy().taper(max_percentage=0.05, type="cosine")
        entry["taper_cosine_0.05"] = write(key + "_taper", tapered.data)
        # The taper window itself (ObsPy's taper applied to ones).
        ones = tr.copy()
        ones.data = np.ones(count)
        ones.taper(max_percentage=0.05, type="cosine")
        entry["taper_window"] = write(key + "_taper_window", ones.data)

        freqmin, freqmax = band
        filtered = tapered.copy().filter("bandpass", freqmin=freqmin, freqmax=freqmax,
                                         corners=4, zerophase=True)
        causal = tapered.copy().filter("bandpass", freqmin=freqmin, freqmax=freqmax,
                                       corners=4, zerophase=False)
        fe = 0.5 * rate
        sos = scipy.signal.iirfilter(4, [freqmin / fe, freqmax / fe], btype="band",
                                     ftype="butter", output="sos")
        entry["bandpass"] = {"freqmin": freqmin, "freqmax": freqmax, "corners": 4,
                             "sos": sos.tolist(),
                             "zerophase": write(key + "_bandpass_zerophase", filtered.data),
                             "causal": write(key + "_bandpass_causal", causal.data)}

        # Resampling: of the band-passed trace (the chain) and of the raw input.
        entry["resample"] = []
        for i, new_rate in enumerate(rates):
            r = filtered.copy().resample(new_rate)
            tag = ("%g" % new_rate).replace(".", "p")
            case = {"rate": new_rate, "count": r.stats.npts,
                    "from_bandpass": write(f"{key}_resample_{tag}", r.data)}
            if i == 0:  # also straight from the raw input (a non-zero mean, no taper)
                raw = tr.copy().resample(new_rate)
                case["from_input"] = write(f"{key}_resample_raw_{tag}", raw.data)
            entry["resample"].append(case)

        entry["stft"] = []
        for nperseg, noverlap in stfts:
            f, t, z = scipy.signal.stft(filtered.data, fs=rate, window="hann",
                                        nperseg=nperseg, noverlap=noverlap)
            tag = f"{nperseg}_{noverlap if noverlap is not None else 'default'}"
            entry["stft"].append({
                "nperseg": nperseg, "noverlap": noverlap, "frequencies": len(f),
                "frames": len(t), "frequency_step": float(f[1] - f[0]),
                "frame_step": float(t[1] - t[0]), "first_time": float(t[0]),
                "magnitude": write(f"{key}_stft_{tag}", np.abs(z))})

        sta, lta = stalta
        nsta, nlta = int(sta * rate), int(lta * rate)
        classic = classic_sta_lta(filtered.data, nsta, nlta)
        recursive = recursive_sta_lta(filtered.data, nsta, nlta)
        on, off = thresholds
        entry["stalta"] = {
            "nsta": nsta, "nlta": nlta, "on": on, "off": off,
            "classic": write(key + "_classic_sta_lta", classic),
            "recursive": write(key + "_recursive_sta_lta", recursive),
            "classic_triggers": trigger_onset(classic, on, off).tolist(),
            "recursive_triggers": trigger_onset(recursive, on, off).tolist(),
            "classic_triggers_max_len_50": trigger_onset(classic, on, off, max_len=50).tolist(),
            "classic_triggers_max_len_50_delete": trigger_onset(
                classic, on, off, max_len=50, max_len_delete=True).tolist(),
        }

        # The full chain as the windows use it: demean, linear detrend, 5 % cosine taper,
        # band-pass, resample to 50 Hz (ObsPy Trace methods, in this order).
        chain = tr.copy()
        chain.detrend("demean")
        chain.detrend("linear")
        chain.taper(max_percentage=0.05, type="cosine")
        chain.filter("bandpass", freqmin=freqmin, freqmax=freqmax, corners=4, zerophase=True)
        chain.resample(50.0)
        entry["chain_50hz"] = {"output": write(key + "_chain_50hz", chain.data),
                                "processing": list(chain.stats.processing)}
        manifest["traces"].append(entry)

    # trigger_onset edge cases on synthetic characteristic functions: starting or ending above
    # the thresholds, single-sample excursions, off above on, nothing above.
    rng = np.random.default_rng(3)
    synthetic = []
    for i in range(40):
        n = int(rng.integers(5, 60))
        cf = np.round(rng.gamma(1.0, 1.0, n) * (1 + (rng.random(n) < 0.2) * 3), 3)
        if i % 5 == 0:
            cf[0] = 9.0
        if i % 7 == 0:
            cf[-1] = 9.0
        on = float(rng.choice([1.5, 2.0, 3.0, 20.0]))
        off = float(rng.choice([0.5, 1.0, 1.5, 2.5]))
        max_len = int(rng.choice([3, 5, 1000]))
        case = {"cf": cf.tolist(), "on": on, "off": off, "max_len": max_len}
        for key, kwargs in [("triggers", {}), ("triggers_max_len", {"max_len": max_len}),
                            ("triggers_max_len_delete",
                             {"max_len": max_len, "max_len_delete": True})]:
            case[key] = [list(map(int, p)) for p in trigger_onset(cf, on, off, **kwargs)]
        synthetic.append(case)
    manifest["trigger_onset_synthetic"] = synthetic

    with open(os.path.join(OUT, "manifest.json"), "w") as fh:
        json.dump(manifest, fh, indent=1)
    total = sum(os.path.getsize(os.path.join(OUT, f)) for f in os.listdir(OUT))
    print(f"wrote {len(os.listdir(OUT))} files, {total} bytes to {OUT}", file=sys.stderr)


if __name__ == "__main__":
    main()
