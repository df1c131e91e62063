#!/usr/bin/env python3
"""Reference event windows for seiscluster's `windows build` from ObsPy 1.5.1 / SciPy.

Run from the repository root with the project venv:

    /work/venv/bin/python tools/make_window_fixtures.py

For every case it reads real traces from ../shared/data (not copied into the project), builds
the channels the Swift test stores (real files as they are; for `zz100`, three channels derived
from the NZ.CRLZ HHZ 100 Hz SAC trace: Z as is but split over two "files" with 50 identical
overlapping samples, N time-reversed, E rolled by 200 samples), and cuts each pick's window the
way an analyst would in ObsPy:

    st.slice(pick - before - margin, pick + after + margin)   # nearest samples (ns-exact ties)
    st.merge(method=1)                                          # joins the two Z files
    detrend('demean'); detrend('linear'); taper(0.05, 'cosine')
    filter('bandpass', freqmin, freqmax, corners=4, zerophase=True)
    resample(rate)
    cut round((before + after) * rate) samples from the resampled sample nearest pick - before
    (an exact tie, half a sample either way, takes the later sample)
    normalise over the whole window (max: by the largest |value| of all channels; std: each
    channel demeaned, divided by the standard deviation of all the window's samples)
    spectrogram input: scipy.signal.stft (hann, nperseg = segment * rate, noverlap =
    overlap * nperseg, boundary=None, padded=False), bins 0 Hz .. the band's upper corner,
    max(20 log10(|Z| / max |Z| of the window), -range) / range + 1, channels component-major;
    with spectrogramReference "frequency", |Z| against the loudest frame of its own bin instead of
    the window's (decision 0020); with "noise", 20 log10(|Z| / noise) with noise the RMS of the bin's
    frames that end at or before the pick (at least 1e-6 of the window's loudest cell), divided
    by the window's highest such value (at least range) and clipped to [0, 1].

margin = max(5, (before + after) / 2, 10 / low corner) seconds, clipped to the data, then grown
by a few samples (later ones first) until the slice and its resampled length are even with no
prime factor above 5 (or, failing that, none above 7): fast FFTs, WindowPreprocessor.fftFriendlyCount.

Writes fixtures/windows/manifest.json (cases, options, picks, expected channel sets, detect
triggers) and one raw little-endian float32 file per case (N x C x L, C order).
"""
import json
import os

import numpy as np
import obspy
import scipy
import scipy.signal
from obspy import Stream, Trace, UTCDateTime, read
from obspy.signal.trigger import classic_sta_lta, recursive_sta_lta, trigger_onset

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DATA = os.path.join(os.path.dirname(ROOT), "shared", "data")
OUT = os.path.join(ROOT, "fixtures", "windows")



def swift_round(x):
    """Half away from zero, as Swift's rounded() (Python's round() takes half to even)."""
    return int(np.sign(x) * np.floor(abs(x) + 0.5))

def derived_crlz():
    """The zz100 channels: ZZ.CRLZ.10.HH{Z,N,E} from the CRLZ SAC trace."""
    tr = read(os.path.join(DATA, "sac/CRLZ.HHZ.10.NZ.SAC_resp"))[0]
    x = tr.data.astype(np.float32)
    t0 = tr.stats.starttime
    hdr = dict(network="ZZ", station="CRLZ", location="10", sampling_rate=100.0)
    z1 = Trace(x[:15050].copy(), header=dict(hdr, channel="HHZ", starttime=t0))
    z2 = Trace(x[15000:].copy(), header=dict(hdr, channel="HHZ", starttime=t0 + 150.0))
    n = Trace(x[::-1].copy(), header=dict(hdr, channel="HHN", starttime=t0))
    e = Trace(np.roll(x, 200).copy(), header=dict(hdr, channel="HHE", starttime=t0))
    return Stream([z1, z2, n, e]), t0


def margin_for(opts):
    m = max(5.0, 0.5 * (opts["before"] + opts["after"]))
    if opts.get("bandpass"):
        m = max(m, 10.0 / opts["bandpass"][0])
    return m


def nearest_index(tr, t):
    """ObsPy's nearest_sample (round half away from zero), from integer nanoseconds so that an
    exact half-sample tie does not depend on float rounding."""
    return int(np.floor((t.ns - tr.stats.starttime.ns) * tr.stats.sampling_rate / 1e9 + 0.5))


def nearest_slice(tr, t0, t1):
    """Trace.slice(t0, t1, nearest_sample=True), clipped to the data."""
    i0 = max(0, nearest_index(tr, t0))
    i1 = min(tr.stats.npts - 1, nearest_index(tr, t1))
    if i1 < i0:
        return None
    out = tr.copy()
    out.data = tr.data[i0:i1 + 1].copy()
    out.stats.starttime = tr.stats.starttime + i0 / tr.stats.sampling_rate
    return out


def smooth(n, primes=(2, 3, 5, 7)):
    if n <= 0:
        return False
    for p in primes:
        while n % p == 0:
            n //= p
    return n == 1


def fft_friendly_count(count, old_rate, new_rate):
    """WindowPreprocessor.fftFriendlyCount: the smallest n >= count (up to count // 16 + 64
    more) with n and int(n / (old / new)) both even and 5-smooth; failing that, both 7-smooth."""
    limit = count + count // 16 + 64
    def resampled(n):
        return max(1, int(n / (old_rate / new_rate)))
    for n in range(count, limit + 1):
        m = resampled(n)
        if n % 2 == 0 and m % 2 == 0 and smooth(n, (2, 3, 5)) and smooth(m, (2, 3, 5)):
            return n
    for n in range(count, limit + 1):
        if smooth(n) and smooth(resampled(n)):
            return n
    return count


def window(st, ids, pick, opts):
    before, after, rate = opts["before"], opts["after"], opts["rate"]
    n = round((before + after) * rate)  # the contract's round: half to even
    m = margin_for(opts)
    ws = pick - before
    chans = []
    for sid in ids:
        sub = Stream([t for t in (nearest_slice(tr, ws - m, pick + after + m)
                                  for tr in st.select(id=sid)) if t is not None])
        sub.merge(method=1)
        assert len(sub) == 1, sid
        tr = sub[0]
        # Grow the span to an FFT-friendly length, later samples first (from the merged data).
        full = st.select(id=sid).copy().merge(method=1)[0]
        i0 = nearest_index(full, tr.stats.starttime)
        i1 = i0 + tr.stats.npts - 1
        extra = fft_friendly_count(tr.stats.npts, tr.stats.sampling_rate, rate) - tr.stats.npts
        later = min(extra, full.stats.npts - 1 - i1)
        i1 += later
        i0 -= min(extra - later, i0)
        tr = full.copy()
        tr.data = full.data[i0:i1 + 1].copy()
        tr.stats.starttime = full.stats.starttime + i0 / full.stats.sampling_rate
        tr.data = tr.data.astype(np.float64)
        tr.detrend("demean")
        tr.detrend("linear")
        tr.taper(max_percentage=0.05, type="cosine")
        if opts.get("bandpass"):
            lo, hi = opts["bandpass"]
            tr.filter("bandpass", freqmin=lo, freqmax=hi, corners=4, zerophase=True)
        tr.resample(rate)
        # Nearest sample, ties to the later one (as WindowCut), computed from nanoseconds.
        first = int(np.floor((ws.ns - tr.stats.starttime.ns) * rate / 1e9 + 0.5))
        assert first >= 0 and first + n <= tr.stats.npts, (sid, first, tr.stats.npts)
        chans.append(tr.data[first:first + n])
    w = np.array(chans)
    if opts["normalize"] == "max":
        peak = np.abs(w).max()
        if peak > 0:
            w = w / peak
    elif opts["normalize"] == "std":
        w = w - w.mean(axis=1, keepdims=True)
        sd = np.sqrt((w ** 2).mean())
        if sd > 0:
            w = w / sd
    if opts["input"] == "spectrogram":
        seg = swift_round(opts["spectrogramSegment"] * rate)
        ov = swift_round(opts["spectrogramOverlap"] * seg)
        f, _, _ = scipy.signal.stft(w[0], fs=rate, window="hann", nperseg=seg, noverlap=ov,
                                    boundary=None, padded=False)
        upper = opts["bandpass"][1] if opts["bandpass"] else rate / 2
        keep = int(np.floor(upper / (rate / seg))) + 1
        mags = [np.abs(scipy.signal.stft(c, fs=rate, window="hann", nperseg=seg, noverlap=ov,
                                         boundary=None, padded=False)[2])[:keep] for c in w]
        peak = max(mm.max() for mm in mags)
        rng = opts["spectrogramRange"]
        with np.errstate(divide="ignore", invalid="ignore"):
            if opts["spectrogramReference"] == "noise":
                # frames j whose segment ends at or before the pick sample round(before * rate)
                pick = swift_round(opts["before"] * rate)
                nf = min((pick - seg) // (seg - ov) + 1, mags[0].shape[1]) if pick >= seg else 0
                noise = [np.maximum(np.sqrt((mm[:, :nf] ** 2).mean(axis=1, keepdims=True)),
                                    1e-6 * peak) for mm in mags]
                snr = [np.nan_to_num(20 * np.log10(mm / n), nan=0.0, neginf=0.0)
                       for mm, n in zip(mags, noise)]
                top = max(rng, max(x.max() for x in snr))
                w = np.concatenate([np.clip(x / top, 0, 1) for x in snr], axis=0)
                return w
            if opts["spectrogramReference"] == "frequency":
                # each bin against its own loudest frame (decision 0020)
                # raised by at most 120 dB (a silent component stays dark)
                ref = [np.maximum(mm.max(axis=1, keepdims=True), 1e-6 * peak) for mm in mags]
            else:
                ref = [peak for mm in mags]
            db = [np.maximum(np.nan_to_num(20 * np.log10(mm / r), nan=-rng), -rng) / rng + 1
                  for mm, r in zip(mags, ref)]
        w = np.concatenate(db, axis=0)
    return w


def options(**kw):
    o = dict(before=5.0, after=55.0, components="ZNE", rate=100.0, bandpass=[1.0, 20.0],
             normalize="max", input="waveform", spectrogramSegment=1.28, spectrogramOverlap=0.5,
             spectrogramRange=10.0, spectrogramReference="window")
    o.update(kw)
    return o


def iso(t):
    return UTCDateTime(t).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def main():
    os.makedirs(OUT, exist_ok=True)
    zz, t0 = derived_crlz()
    files = {
        "ctao": read(os.path.join(DATA, "mseed/SRO_encoding.mseed")),
        "tly": read(os.path.join(DATA, "sac/II.TLY.BHZ.SAC")),
        "hgn": read(os.path.join(DATA, "mseed/test.mseed")),
        "ape": read(os.path.join(DATA, "mseed/fullseed.mseed")),
        "coco": read(os.path.join(DATA, "mseed/II_COCO_three_channel_borehole.mseed")),
        "ffbx": read(os.path.join(DATA, "mseed/ffbx_unrotated_gaps.mseed")),
    }
    zz_ids = ["ZZ.CRLZ.10.HHZ", "ZZ.CRLZ.10.HHN", "ZZ.CRLZ.10.HHE"]
    zz_picks = [t0 + 60.0, t0 + 100.004, t0 + 150.0, t0 + 200.5]
    tly0 = files["tly"][0].stats.starttime
    hgn0 = files["hgn"][0].stats.starttime
    ctao0 = files["ctao"][0].stats.starttime
    cases = [
        # name, stream, pick (net, sta, loc), ids, picks, options
        ("zz100_joined_50hz", zz, ("ZZ", "CRLZ", "10"), zz_ids, zz_picks,
         options(before=2.0, after=8.0, rate=50.0)),
        ("zz100_std_100hz", zz, ("ZZ", "CRLZ", "10"), zz_ids, [t0 + 100.0, t0 + 250.0],
         options(before=3.0, after=12.0, rate=100.0, normalize="std", bandpass=[2.0, 15.0])),
        ("zz100_spectrogram", zz, ("ZZ", "CRLZ", "10"), zz_ids, zz_picks[:2],
         options(before=2.0, after=8.0, rate=50.0, input="spectrogram")),
        ("zz100_spectrogram_frequency", zz, ("ZZ", "CRLZ", "10"), zz_ids, zz_picks[:2],
         options(before=2.0, after=8.0, rate=50.0, input="spectrogram",
                 spectrogramReference="frequency")),
        ("zz100_spectrogram_noise", zz, ("ZZ", "CRLZ", "10"), zz_ids, zz_picks[:3],
         options(before=2.0, after=8.0, rate=50.0, input="spectrogram",
                 spectrogramReference="noise")),
        ("zz100_none_nofilter", zz, ("ZZ", "CRLZ", "10"), zz_ids, [t0 + 120.0],
         options(before=2.0, after=8.0, rate=40.0, normalize="none", bandpass=None)),
        ("tly20_z_40hz", files["tly"], ("II", "TLY", "00"), ["II.TLY.00.BHZ"],
         [tly0 + 100.0, tly0 + 300.0, tly0 + 450.25],
         options(before=10.0, after=30.0, rate=40.0, components="Z", bandpass=[0.5, 5.0])),
        ("hgn40_z_100hz", files["hgn"], ("NL", "HGN", "00"), ["NL.HGN.00.BHZ"],
         [hgn0 + 60.0, hgn0 + 150.013, hgn0 + 240.0],
         options(before=5.0, after=15.0, rate=100.0, components="Z", bandpass=[1.0, 10.0])),
        ("ctao1_zne", files["ctao"], ("AS", "CTAO", ""), ["AS.CTAO..LHZ", "AS.CTAO..LHN",
                                                         "AS.CTAO..LHE"],
         [ctao0 + 800.0, ctao0 + 1200.0],
         options(before=60.0, after=300.0, rate=1.0, bandpass=[0.01, 0.1])),
        ("ape20_zne_clipped_margin", files["ape"], ("GE", "APE", ""),
         ["GE.APE..BHZ", "GE.APE..BHN", "GE.APE..BHE"], [UTCDateTime("2009-10-01T14:21:55Z")],
         options(before=2.0, after=6.0, rate=20.0, bandpass=[1.0, 8.0])),
        ("coco40_12z_orientations", files["coco"], ("II", "COCO", "10"),
         ["II.COCO.10.BHZ", "II.COCO.10.BH1", "II.COCO.10.BH2"],
         [UTCDateTime("2012-11-02T02:02:04Z")],
         options(before=1.0, after=3.0, rate=40.0, bandpass=[1.0, 15.0])),
        ("ffb200_hh12_to_100hz", files["ffbx"], ("BW", "FFB2", ""),
         ["BW.FFB2..HHZ", "BW.FFB2..HH1", "BW.FFB2..HH2"],
         [UTCDateTime("2016-03-11T11:34:45.1Z"), UTCDateTime("2016-03-11T11:34:45.2373Z")],
         options(before=0.3, after=0.5, rate=100.0, bandpass=[2.0, 40.0])),
    ]
    manifest = {
        "generator": "tools/make_window_fixtures.py",
        "obspy": obspy.__version__, "scipy": scipy.__version__, "numpy": np.__version__,
        "format": "each *.f32 file is raw little-endian float32, N x C x L, C order",
        "zz100": {"source": "sac/CRLZ.HHZ.10.NZ.SAC_resp", "start": iso(t0),
                  "z_split": [15050, 15000], "e_roll": 200},
        "cases": [],
    }
    for name, st, (net, sta, loc), ids, picks, opts in cases:
        ws = np.array([window(st, ids, p, opts) for p in picks], dtype=np.float32)
        ws.astype("<f4").tofile(os.path.join(OUT, name + ".f32"))
        manifest["cases"].append({
            "name": name, "options": opts,
            "picks": [{"network": net, "station": sta, "location": loc, "time": iso(p)}
                      for p in picks],
            "channels": ",".join(i.split(".")[3] for i in ids),
            "shape": list(ws.shape), "file": name + ".f32", "margin": margin_for(opts)})
        print(name, ws.shape)

    # STA/LTA triggers on real traces, as `detect` runs them (demean + linear detrend per run).
    detects = []
    for key, path, sta, lta, on, off, method in [
            ("tly", "sac/II.TLY.BHZ.SAC", 1.0, 10.0, 3.5, 1.5, "classic"),
            ("tly", "sac/II.TLY.BHZ.SAC", 2.0, 30.0, 3.0, 1.2, "recursive"),
            ("crlz", "sac/CRLZ.HHZ.10.NZ.SAC_resp", 0.5, 10.0, 3.0, 1.5, "classic")]:
        tr = read(os.path.join(DATA, path))[0]
        tr.data = tr.data.astype(np.float64)
        tr.detrend("demean")
        tr.detrend("linear")
        sr = tr.stats.sampling_rate
        nsta, nlta = int(round(sta * sr)), int(round(lta * sr))
        f = classic_sta_lta if method == "classic" else recursive_sta_lta
        cf = f(tr.data, nsta, nlta)
        on_off = trigger_onset(cf, on, off)
        detects.append({
            "file": path, "id": tr.id, "sta": sta, "lta": lta, "on": on, "off": off,
            "method": method, "start": iso(tr.stats.starttime), "sampling_rate": sr,
            "on_indices": [int(a) for a, b in on_off],
            "times": [iso(tr.stats.starttime + a / sr) for a, b in on_off]})
        print("detect", path, method, len(on_off))
    manifest["detect"] = detects
    with open(os.path.join(OUT, "manifest.json"), "w") as fh:
        json.dump(manifest, fh, indent=1)
        fh.write("\n")


if __name__ == "__main__":
    main()
