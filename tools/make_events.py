#!/usr/bin/env python3
"""Synthetic held-out-style seismic data set: continuous 3-component data around picks.

Independent of the Swift demo generator (Sources/Pipeline/Demo). Writes a folder with
continuous MiniSEED (STEIM1, STEIM2, INT32, FLOAT32; mixed record lengths) and SAC files,
hour-long files per station and channel (so windows may cross file boundaries), plus
`picks.csv` (network,station,location,channel,time,phase) and
`truth.csv` (network,station,location,time,label).

Kinds:
  events    local earthquakes vs teleseismic P (labels `local` / `teleseismic`)
  polarity  local P onsets with first motion up or down (labels `up` / `down`)
  families  repeating earthquakes (the REDPy task): per station (default 5 stations) 3-6
            families of unequal size (8-100 members, 150-250 per station), labels `STA-f1`,
            `STA-f2`, ... (unique across the set); `--orphans F` adds F x (family members)
            one-off events per station, labelled `orphan`. `--events` is not used.

Realism (all drawn from the seed):
  * local: impulsive P (rise 0.01-0.08 s), S 0.6-30 s later (distance 5-250 km) with 1.5-5x
    the P amplitude and mostly on the horizontals, 1-20 Hz content with a Brune-like corner
    that falls with magnitude, exponential coda; regional events (> 120 km) are emergent-ish,
    lower in frequency and have long S-P.
  * teleseismic: emergent P (rise 0.5-4 s), 0.2-2.5 Hz content, long coda (15-60 s), steep
    incidence (weak horizontals), depth phase pP 5-50 s later, rare weak S-like phase.
  * noise: microseism 0.1-0.3 Hz (large), band-limited cultural noise 2-15 Hz with a daily
    cycle, transient bursts (traffic, 2-6 s, 5-20 Hz), white sensor noise.
  * SNR (peak signal / noise RMS in 0.5-20 Hz) drawn log-uniform in [snr_min, snr_max]; station
    noise levels vary by 30x and gains by 100x, so amplitudes span orders of magnitude.
  * instruments: broadband (flat), 1 Hz and 2 Hz short-period (2-pole high-pass), different
    gains; sampling rates 50, 100, 200 Hz; orientation ZNE or Z12.
  * pick jitter: local sigma 0.05 s, teleseismic sigma 0.4 s, 4 % outliers up to +-1.5 s.
  * families: each family has one fixed source (S-P 0.6-7 s, corner, envelopes, first-motion
    sign, back azimuth and incidence, S amplitude, and the noise realisations of P coda, S and
    coda), so members at a station correlate at ~0.8-0.95 (3 components, 1-20 Hz, best lag
    within +-0.1 s); families differ in waveform (correlation ~0) but not in spectrum: all
    sources at a station share Q, kappa and a magnitude range of +-0.3 (corners within ~2x).
    A member is its source with magnitude +-0.2 (corner 10^(-0.3 dM)), 5-20 % fresh noise mixed
    into P coda, S and coda, an onset uniform within +-0.05 s of its pick (`--jitter`; at 1-20 Hz
    this alone lowers zero-lag correlation to ~0-0.5, `--jitter 0` gives zero-lag ~0.8-0.9) and
    its own SNR. Events are 60-120 s apart, in random family order.

Usage:
  /work/venv/bin/python tools/make_events.py OUT_DIR [--events 300] [--seed 0]
      [--stations 6] [--kind events|polarity|families] [--snr 5,100] [--teleseismic-fraction 0.45]
      [--hard] [--rate HZ] [--orphans 0] [--jitter 0.05]
  e.g. /work/venv/bin/python tools/make_events.py OUT --kind families --seed 31 --orphans 0.1
"""
import argparse
import csv
import os
import sys

import numpy as np
from obspy import Stream, Trace, UTCDateTime
from scipy import signal

T0 = UTCDateTime("2026-03-01T00:00:00")

STATION_TEMPLATES = [
    # (band code, rate, instrument, output, orientation)
    ("HH", 200.0, "broadband", "STEIM2", "ZNE"),
    ("BH", 50.0, "broadband", "STEIM1", "Z12"),
    ("EH", 100.0, "sp1", "INT32", "ZNE"),
    ("HH", 100.0, "broadband", "FLOAT32", "ZNE"),
    ("EH", 200.0, "sp2", "SAC", "Z12"),
    ("BH", 50.0, "sp1", "SAC", "ZNE"),
    ("SH", 50.0, "broadband", "STEIM2", "Z12"),
    ("HH", 200.0, "sp1", "FLOAT32", "ZNE"),
]


def bandpassed_noise(rng, n, fs, lo, hi, order=3):
    x = rng.standard_normal(n)
    hi = min(hi, 0.45 * fs)
    sos = signal.butter(order, [lo, hi], btype="band", fs=fs, output="sos")
    y = signal.sosfilt(sos, x)
    return y / (np.std(y) + 1e-30)


def make_stations(rng, count, rate_choice=None):
    order = rng.permutation(len(STATION_TEMPLATES))
    stations = []
    for i in range(count):
        band, fs, inst, fmt, orient = STATION_TEMPLATES[order[i % len(order)]]
        if rate_choice is not None:
            fs = rate_choice
        net = ["XS", "ZQ", "7K"][i % 3]
        loc = ["", "00", "10", ""][i % 4]
        stations.append(
            dict(
                network=net,
                station=f"S{int(rng.integers(100, 999))}{chr(65 + i)}",
                location=loc,
                band=band,
                rate=fs,
                instrument=inst,
                format=fmt,
                orientation=orient,
                gain=10 ** rng.uniform(8.7, 9.7),  # counts per (m/s): noise of ~5-600 counts
                noise=10 ** rng.uniform(-8.5, -7.0),  # m/s RMS of the 0.5-20 Hz noise
                microseism=10 ** rng.uniform(0.3, 1.5),  # microseism / hf noise ratio
                culture=rng.uniform(0.2, 1.0),
                site_f=rng.uniform(2.0, 12.0),  # site resonance
                site_q=rng.uniform(0.0, 0.6),
            )
        )
    return stations


def instrument_filter(st, x):
    fs = st["rate"]
    if st["instrument"] == "sp1":
        sos = signal.butter(2, 1.0, btype="high", fs=fs, output="sos")
        x = signal.sosfilt(sos, x, axis=-1)
    elif st["instrument"] == "sp2":
        sos = signal.butter(2, 2.0, btype="high", fs=fs, output="sos")
        x = signal.sosfilt(sos, x, axis=-1)
    # site resonance: add a band-passed copy around the site frequency
    if st["site_q"] > 0 and st["site_f"] < 0.45 * fs:
        sos = signal.butter(2, [st["site_f"] / 1.3, st["site_f"] * 1.3], btype="band", fs=fs, output="sos")
        x = x + st["site_q"] * signal.sosfilt(sos, x, axis=-1)
    return x


def source_noise(rng, n, fs, fc, tstar):
    """Noise whose velocity spectrum is Brune-like: f / (1 + (f/fc)^2) * exp(-pi f t*)."""
    f = np.fft.rfftfreq(n, 1 / fs)
    shape = f / (1 + (f / fc) ** 2) * np.exp(-np.pi * f * tstar)
    y = np.fft.irfft(np.fft.rfft(rng.standard_normal(n)) * shape, n)
    return y / (np.std(y) + 1e-30)


def envelope_burst(rng, n, fs, onset, rise, tau, fc, tstar, dur=None):
    """Source-shaped noise burst starting at sample `onset`, rising over `rise` s, decaying with `tau` s."""
    t = (np.arange(n) - onset) / fs
    env = np.zeros(n)
    m = t >= 0
    tt = t[m]
    env[m] = (1 - np.exp(-tt / max(rise, 1e-3))) * np.exp(-tt / tau)
    if dur is not None:
        env[t > dur] *= np.exp(-(t[t > dur] - dur) / 2.0)
    x = source_noise(rng, n, fs, fc, tstar)
    return env * x


def local_event(rng, fs, n, onset, polarity=None, hard=False):
    """3 x n ground velocity (unit peak) of a local/regional earthquake whose P starts at `onset`.

    Brune source (corner fc from magnitude), path attenuation t* = dist / (Q v) plus site kappa.
    """
    mag = rng.uniform(0.5, 5.0)
    dist = 10 ** rng.uniform(np.log10(5), np.log10(450 if hard else 300))
    fc = float(10 ** (1.35 - 0.3 * (mag - 1.0)) * rng.uniform(0.7, 1.4))  # ~ 20 Hz at M1, ~1.3 Hz at M5
    q = rng.uniform(150, 600)
    kappa = rng.uniform(0.005, 0.04)
    tstar_p = dist / (q * 6.0) + kappa
    tstar_s = dist / (q * 0.8 * 3.5) + kappa
    sp = dist * (1 / 3.5 - 1 / 6.0) * rng.uniform(0.9, 1.1)
    rise_p = rng.uniform(0.01, 0.08) + 0.002 * dist
    tau_p = rng.uniform(0.5, 3.0) + 0.02 * dist
    tau_s = rng.uniform(2.0, 8.0) + 1.0 * mag + 0.03 * dist
    x = np.zeros((3, n))
    p = envelope_burst(rng, n, fs, onset, rise_p, tau_p, fc, tstar_p)
    # impulsive first motion: a one-sided pulse of width ~ 1/(2 fc) broadened by attenuation
    width = max(1.0 / (2 * fc) + tstar_p, 2.0 / fs)
    t = (np.arange(n) - onset) / fs
    pulse = np.where((t >= 0) & (t < width), np.sin(np.pi * np.clip(t, 0, width) / width), 0.0)
    sign = polarity if polarity is not None else rng.choice([-1.0, 1.0])
    # polarity data sets model analyst-grade picks: a clear first motion over the P coda
    coda_p = rng.uniform(0.15, 0.35) if polarity is not None else rng.uniform(0.4, 0.8)
    p = p * coda_p + sign * pulse * rng.uniform(1.0, 2.0)
    # P: vertical dominant, radial split into N/E by back azimuth
    baz = rng.uniform(0, 2 * np.pi)
    inc = rng.uniform(0.2, 0.7)
    x[0] += p
    x[1] += p * inc * np.cos(baz)
    x[2] += p * inc * np.sin(baz)
    s_onset = onset + int(round(sp * fs))
    if s_onset < n:
        amp_s = rng.uniform(1.5, 5.0)
        s_rise = rng.uniform(0.05, 0.3) + 0.003 * dist
        sh = envelope_burst(rng, n, fs, s_onset, s_rise, tau_s, fc * 0.8, tstar_s)
        sv = envelope_burst(rng, n, fs, s_onset, s_rise, tau_s, fc * 0.8, tstar_s)
        x[0] += amp_s * 0.35 * sv
        x[1] += amp_s * (sh * np.sin(baz) + 0.5 * sv * np.cos(baz))
        x[2] += amp_s * (-sh * np.cos(baz) + 0.5 * sv * np.sin(baz))
    # coda on all components
    coda = rng.uniform(0.1, 0.4)
    for c in range(3):
        x[c] += coda * envelope_burst(rng, n, fs, min(s_onset, n - 1), 1.0, tau_s * 1.5, fc * 0.7, tstar_s)
    return x / (np.abs(x).max() + 1e-30), dict(mag=mag, dist=dist, fc=fc, sp=sp)


def teleseismic_event(rng, fs, n, onset, hard=False):
    """Teleseismic P: small corner (large event), t* 0.3-1.0 s, emergent, long coda, pP later."""
    fc = 10 ** rng.uniform(np.log10(0.1), np.log10(1.5 if hard else 1.0))
    tstar = rng.uniform(0.15, 0.7) if hard else rng.uniform(0.3, 1.0)
    rise = rng.uniform(0.5, 4.0) if rng.uniform() > 0.15 else rng.uniform(0.15, 0.5)  # some deep, sharper
    tau = rng.uniform(15.0, 60.0)
    x = np.zeros((3, n))
    p = envelope_burst(rng, n, fs, onset, rise, tau, fc, tstar)
    pp_lag = rng.uniform(5.0, 50.0)
    pp = envelope_burst(rng, n, fs, onset + int(pp_lag * fs), rise, tau * 0.7, fc, tstar) * rng.uniform(0.2, 0.8)
    z = p + pp
    baz = rng.uniform(0, 2 * np.pi)
    inc = rng.uniform(0.05, 0.3)
    x[0] = z
    x[1] = z * inc * np.cos(baz) + 0.1 * envelope_burst(rng, n, fs, onset, rise, tau, fc, tstar)
    x[2] = z * inc * np.sin(baz) + 0.1 * envelope_burst(rng, n, fs, onset, rise, tau, fc, tstar)
    return x / (np.abs(x).max() + 1e-30), dict(rise=rise, fc=fc, tstar=tstar, pp=pp_lag)


def shaped_noise(w, fs, fc, tstar):
    """Like source_noise, but shapes a given white-noise realisation `w` (so it can be reused)."""
    n = len(w)
    f = np.fft.rfftfreq(n, 1 / fs)
    shape = f / (1 + (f / fc) ** 2) * np.exp(-np.pi * f * tstar)
    y = np.fft.irfft(np.fft.rfft(w) * shape, n)
    return y / (np.std(y) + 1e-30)


def burst_envelope(n, fs, onset, rise, tau):
    t = (np.arange(n) - onset) / fs
    env = np.zeros(n)
    m = t >= 0
    tt = t[m]
    env[m] = (1 - np.exp(-tt / max(rise, 1e-3))) * np.exp(-tt / tau)
    return env


def family_source(rng, n, mag, path):
    """Fixed source of one family of repeating earthquakes (or of one orphan event).

    Everything that makes a waveform is drawn here once: S-P time, corner, envelopes, radiation
    (first-motion sign, back azimuth, incidence, S amplitude and SH/SV split) and the white-noise
    realisations of P coda, S and coda. `path` (station Q and kappa) is shared by all sources
    at a station, and `mag` comes from a narrow station range, so spectra stay alike.
    """
    dist = float(rng.uniform(5.0, 60.0))
    fc = float(10 ** (1.35 - 0.3 * (mag - 1.0)) * rng.uniform(0.85, 1.18))
    q, kappa = path
    return dict(
        mag=float(mag), dist=dist, fc=fc,
        tstar_p=dist / (q * 6.0) + kappa,
        tstar_s=dist / (q * 0.8 * 3.5) + kappa,
        sp=float(dist * (1 / 3.5 - 1 / 6.0) * rng.uniform(0.9, 1.1)),
        rise_p=float(rng.uniform(0.01, 0.08) + 0.002 * dist),
        tau_p=float(rng.uniform(0.5, 3.0) + 0.02 * dist),
        tau_s=float(rng.uniform(2.0, 6.0) + 1.0 * mag + 0.03 * dist),
        s_rise=float(rng.uniform(0.05, 0.3) + 0.003 * dist),
        sign=float(rng.choice([-1.0, 1.0])),
        pulse=float(rng.uniform(1.0, 2.0)),
        coda_p=float(rng.uniform(0.4, 0.8)),
        baz=float(rng.uniform(0, 2 * np.pi)),
        inc=float(rng.uniform(0.2, 0.7)),
        amp_s=float(rng.uniform(1.5, 5.0)),
        sv_h=float(rng.uniform(0.3, 0.7)),  # SV share on the horizontals
        coda=float(rng.uniform(0.1, 0.4)),
        w=rng.standard_normal((6, n)),  # P coda, SH, SV, coda Z/1/2
    )


def family_member(rng, src, fs, n, onset, dmag=0.0, perturb=0.0):
    """3 x n ground velocity (unit peak) of one member of a family whose P starts at `onset`.

    The member differs from its family's source only by a magnitude change `dmag` (the corner
    moves by 10^(-0.3 dmag), as in local_event) and by mixing a fraction `perturb` of fresh noise
    into the P coda, S and coda realisations (w' = sqrt(1 - e^2) w + e w_new).
    """
    fc = src["fc"] * 10 ** (-0.3 * dmag)
    w = src["w"]
    if perturb > 0:
        w = np.sqrt(1 - perturb**2) * w + perturb * rng.standard_normal(w.shape)
    x = np.zeros((3, n))
    p = burst_envelope(n, fs, onset, src["rise_p"], src["tau_p"]) * shaped_noise(w[0], fs, fc, src["tstar_p"])
    width = max(1.0 / (2 * fc) + src["tstar_p"], 2.0 / fs)
    t = (np.arange(n) - onset) / fs
    pulse = np.where((t >= 0) & (t < width), np.sin(np.pi * np.clip(t, 0, width) / width), 0.0)
    p = p * src["coda_p"] + src["sign"] * pulse * src["pulse"]
    baz, inc = src["baz"], src["inc"]
    x[0] += p
    x[1] += p * inc * np.cos(baz)
    x[2] += p * inc * np.sin(baz)
    s_onset = onset + int(round(src["sp"] * fs))
    if s_onset < n:
        env_s = burst_envelope(n, fs, s_onset, src["s_rise"], src["tau_s"])
        sh = env_s * shaped_noise(w[1], fs, fc * 0.8, src["tstar_s"])
        sv = env_s * shaped_noise(w[2], fs, fc * 0.8, src["tstar_s"])
        a, v = src["amp_s"], src["sv_h"]
        x[0] += a * 0.35 * sv
        x[1] += a * (sh * np.sin(baz) + v * sv * np.cos(baz))
        x[2] += a * (-sh * np.cos(baz) + v * sv * np.sin(baz))
    env_c = burst_envelope(n, fs, min(s_onset, n - 1), 1.0, src["tau_s"] * 1.5)
    for c in range(3):
        x[c] += src["coda"] * env_c * shaped_noise(w[3 + c], fs, fc * 0.7, src["tstar_s"])
    return x / (np.abs(x).max() + 1e-30)


def family_sizes(rng, lo=8, hi=100, total=(150, 250)):
    """3-6 unequal family sizes, each log-uniform in [lo, hi], summing to within `total`."""
    nf = int(rng.integers(3, 7))
    while True:
        sizes = np.round(np.exp(rng.uniform(np.log(lo), np.log(hi), size=nf))).astype(int)
        if total[0] <= sizes.sum() <= total[1]:
            return [int(s) for s in sizes]


def station_noise(rng, st, n, hard=False):
    fs = st["rate"]
    out = np.zeros((3, n))
    t = np.arange(n) / fs
    daily = 1.0 + 0.8 * np.sin(2 * np.pi * t / 86400.0 + rng.uniform(0, 2 * np.pi))
    for c in range(3):
        hf = bandpassed_noise(rng, n, fs, 0.5, 20.0, order=2)
        cult = bandpassed_noise(rng, n, fs, 2.0, 15.0, order=3) * st["culture"] * daily
        mic = bandpassed_noise(rng, n, fs, 0.1, 0.3, order=2) * st["microseism"]
        out[c] = hf + cult + mic
    # transient bursts (traffic, machinery): about one per 5 min
    nb = rng.poisson(n / fs / (100.0 if hard else 300.0))
    for _ in range(nb):
        k = int(rng.integers(0, n))
        dur = rng.uniform(2.0, 6.0)
        m = int(dur * fs)
        seg = min(m, n - k)
        if seg <= 4:
            continue
        env = np.hanning(m)[:seg] * rng.uniform(1.0, 12.0 if hard else 6.0)
        for c in range(3):
            out[c, k : k + seg] += env * bandpassed_noise(rng, seg + 64, fs, 5.0, 20.0)[64:]
    # calibrate: RMS of the 0.5-20 Hz part equals station noise level
    sos = signal.butter(4, [0.5, min(20.0, 0.45 * fs)], btype="band", fs=fs, output="sos")
    ref = np.std(signal.sosfiltfilt(sos, out[0]))
    return out * (st["noise"] / ref)


def channel_codes(st):
    return [st["band"] + o for o in st["orientation"]]


def write_station(out_dir, st, start, data, rng):
    fs = st["rate"]
    counts = data * st["gain"]
    fmt = st["format"]
    n = data.shape[1]
    hour = int(3600 * fs)
    for c, cha in enumerate(channel_codes(st)):
        for k0 in range(0, n, hour):
            seg = counts[c, k0 : k0 + hour]
            t0 = start + k0 / fs
            if fmt in ("STEIM1", "STEIM2", "INT32"):
                arr = np.clip(np.round(seg), -(2**27), 2**27).astype(np.int32)
            else:
                arr = seg.astype(np.float32)
            tr = Trace(arr)
            tr.stats.network, tr.stats.station = st["network"], st["station"]
            tr.stats.location, tr.stats.channel = st["location"], cha
            tr.stats.sampling_rate = fs
            tr.stats.starttime = t0
            base = f"{st['network']}.{st['station']}.{st['location']}.{cha}.{t0.strftime('%Y.%j.%H%M%S')}"
            if fmt == "SAC":
                tr.write(os.path.join(out_dir, base + ".sac"), format="SAC")
            else:
                reclen = int(rng.choice([512, 4096]))
                tr.write(os.path.join(out_dir, base + ".mseed"), format="MSEED", encoding=fmt, reclen=reclen)


def write_tables(out_dir, sts, picks, truth):
    order = np.argsort([float(p[4]) for p in picks], kind="stable")
    with open(os.path.join(out_dir, "picks.csv"), "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["network", "station", "location", "channel", "time", "phase"])
        for i in order:
            p = picks[i]
            w.writerow([p[0], p[1], p[2], p[3], p[4].strftime("%Y-%m-%dT%H:%M:%S.%fZ"), p[5]])
    with open(os.path.join(out_dir, "truth.csv"), "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["network", "station", "location", "time", "label"])
        for i in order:
            t = truth[i]
            w.writerow([t[0], t[1], t[2], t[3].strftime("%Y-%m-%dT%H:%M:%S.%fZ"), t[4]])
    with open(os.path.join(out_dir, "stations.csv"), "w", newline="") as f:
        keys = list(sts[0].keys())
        w = csv.writer(f)
        w.writerow(keys)
        for st in sts:
            w.writerow([st[k] for k in keys])


def generate(out_dir, events=300, seed=0, stations=6, kind="events", snr=(5.0, 100.0), tele_fraction=0.45,
             rate=None, write=True, hard=False):
    rng = np.random.default_rng(seed)
    sts = make_stations(rng, stations, rate)
    # assign events to stations
    owner = rng.integers(0, stations, size=events)
    if kind == "events":
        labels = np.where(rng.uniform(size=events) < tele_fraction, "teleseismic", "local")
    else:
        labels = np.where(rng.uniform(size=events) < 0.5, "up", "down")
    picks, truth = [], []
    os.makedirs(out_dir, exist_ok=True)
    meta = []
    for si, st in enumerate(sts):
        idx = np.nonzero(owner == si)[0]
        fs = st["rate"]
        gaps = rng.uniform(75.0, 160.0, size=len(idx)) if kind == "events" else rng.uniform(30.0, 60.0, size=len(idx))
        onsets = 30.0 + np.cumsum(gaps)
        total = (onsets[-1] if len(idx) else 0) + 120.0
        n = int(total * fs)
        start = T0 + float(rng.uniform(0, 600))
        data = station_noise(rng, st, n, hard)
        sos_ref = signal.butter(4, [0.5, min(20.0, 0.45 * fs)], btype="band", fs=fs, output="sos")
        for j, ev in enumerate(idx):
            onset_s = onsets[j]
            k = int(round(onset_s * fs))
            # synthesise in a local buffer (event + 90 s), at the station rate
            m = int(100 * fs)
            lead = int(5 * fs)
            label = labels[ev]
            if label == "teleseismic":
                sig, info = teleseismic_event(rng, fs, m, lead, hard)
            else:
                pol = None if kind == "events" else (1.0 if label == "up" else -1.0)
                sig, info = local_event(rng, fs, m, lead, polarity=pol, hard=hard)
            sig = instrument_filter(st, sig)
            # target SNR: peak of signal (vertical, 0.5-20 Hz) / noise RMS in the same band
            want = np.exp(rng.uniform(np.log(snr[0]), np.log(snr[1])))
            peak = np.abs(signal.sosfiltfilt(sos_ref, sig[0])).max() + 1e-30
            sig *= want * st["noise"] / peak
            a, b = k - lead, min(k - lead + m, n)
            data[:, a:b] += sig[:, : b - a]
            # pick jitter
            if kind == "events":
                sd = 0.4 if label == "teleseismic" else 0.05
                jit = rng.normal(0, sd)
                if rng.uniform() < 0.04:
                    jit = rng.uniform(-1.5, 1.5)
            else:
                jit = float(np.clip(rng.normal(0, 0.01), -0.03, 0.03))
            ptime = start + onset_s + jit
            ptime = UTCDateTime(ptime.strftime("%Y-%m-%dT%H:%M:%S.%f"))  # microsecond grid
            cha = channel_codes(st)[0]
            picks.append([st["network"], st["station"], st["location"], cha, ptime, "P"])
            truth.append([st["network"], st["station"], st["location"], ptime, label])
            meta.append(dict(station=st["station"], label=label, snr=want, **{k2: float(v) for k2, v in info.items()}))
        if write:
            write_station(out_dir, st, start, data, rng)
    write_tables(out_dir, sts, picks, truth)
    return sts, meta


def generate_families(out_dir, seed=0, stations=5, snr=(5.0, 100.0), rate=None, write=True, hard=False,
                      orphans=0.0, jitter=0.05):
    """Repeating earthquakes (the REDPy task): 3-6 families per station, labels `STA-fK`, plus orphans.

    Each family has one fixed source (family_source); its members are that source with a small
    magnitude change (+-0.2), fresh noise mixed into P coda, S and coda (5-20 %), an onset
    0-`jitter` s off the pick (uniform in +-jitter), and their own SNR and station noise. Events are 60-120 s apart, so
    pick-5 s .. pick+35 s windows never overlap another event's onset.
    """
    rng = np.random.default_rng(seed)
    sts = make_stations(rng, stations, rate)
    picks, truth, meta = [], [], []
    os.makedirs(out_dir, exist_ok=True)
    for st in sts:
        fs = st["rate"]
        m = int(100 * fs)
        lead = int(5 * fs)
        sizes = family_sizes(rng)
        mag_c = rng.uniform(1.0, 2.5)  # station magnitude range: mag_c +- 0.3 for every source
        path = (rng.uniform(150, 600), rng.uniform(0.005, 0.04))
        fams = [family_source(rng, m, mag_c + rng.uniform(-0.3, 0.3), path) for _ in sizes]
        names = [f"{st['station']}-f{i + 1}" for i in range(len(sizes))]
        n_orphans = int(round(orphans * sum(sizes)))
        seq = np.concatenate([np.repeat(np.arange(len(sizes)), sizes), np.full(n_orphans, -1)])
        seq = seq[rng.permutation(len(seq))]
        gaps = rng.uniform(60.0, 120.0, size=len(seq))
        onsets = 30.0 + np.cumsum(gaps)
        total = (onsets[-1] if len(seq) else 0) + 120.0
        n = int(total * fs)
        start = T0 + float(rng.uniform(0, 600))
        data = station_noise(rng, st, n, hard)
        sos_ref = signal.butter(4, [0.5, min(20.0, 0.45 * fs)], btype="band", fs=fs, output="sos")
        for j, fi in enumerate(seq):
            onset_s = onsets[j]
            k = int(round(onset_s * fs))
            if fi >= 0:
                src, label = fams[fi], names[fi]
                dmag, perturb = rng.uniform(-0.2, 0.2), rng.uniform(0.05, 0.2)
            else:
                src, label = family_source(rng, m, mag_c + rng.uniform(-0.3, 0.3), path), "orphan"
                dmag, perturb = 0.0, 0.0
            sig = family_member(rng, src, fs, m, lead, dmag, perturb)
            sig = instrument_filter(st, sig)
            want = np.exp(rng.uniform(np.log(snr[0]), np.log(snr[1])))
            peak = np.abs(signal.sosfiltfilt(sos_ref, sig[0])).max() + 1e-30
            sig *= want * st["noise"] / peak
            a, b = k - lead, min(k - lead + m, n)
            data[:, a:b] += sig[:, : b - a]
            jit = rng.uniform(-jitter, jitter)  # onset relative to the pick
            ptime = start + onset_s + jit
            ptime = UTCDateTime(ptime.strftime("%Y-%m-%dT%H:%M:%S.%f"))  # microsecond grid
            cha = channel_codes(st)[0]
            picks.append([st["network"], st["station"], st["location"], cha, ptime, "P"])
            truth.append([st["network"], st["station"], st["location"], ptime, label])
            meta.append(dict(station=st["station"], label=label, snr=want, mag=src["mag"] + dmag, fc=src["fc"],
                             dist=src["dist"], sp=src["sp"], perturb=perturb, jitter=jit))
        if write:
            write_station(out_dir, st, start, data, rng)
    write_tables(out_dir, sts, picks, truth)
    return sts, meta


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out")
    ap.add_argument("--events", type=int, default=300)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--stations", type=int, default=None, help="default 6 (events, polarity) or 5 (families)")
    ap.add_argument("--kind", choices=["events", "polarity", "families"], default="events")
    ap.add_argument("--snr", default="5,100")
    ap.add_argument("--teleseismic-fraction", type=float, default=0.45)
    ap.add_argument("--rate", type=float, default=None, help="force one sampling rate for all stations")
    ap.add_argument("--hard", action="store_true", help="regional events to 450 km, sharper teleseisms (t* 0.15-0.7 s, fc to 1.5 Hz), 3x more and 2x stronger noise bursts")
    ap.add_argument("--orphans", type=float, default=0.0,
                    help="families only: one-off events (label `orphan`) per station, as a fraction of its family members")
    ap.add_argument("--jitter", type=float, default=0.05,
                    help="families only: onsets lie uniformly within +-JITTER s of the picks (default 0.05)")
    a = ap.parse_args()
    lo, hi = (float(v) for v in a.snr.split(","))
    if a.kind == "families":
        if not a.orphans >= 0:
            ap.error("--orphans must be >= 0")
        if not 0 <= a.jitter <= 1:
            ap.error("--jitter must be in 0..1 s")
        stations = 5 if a.stations is None else a.stations
        sts, meta = generate_families(a.out, a.seed, stations, (lo, hi), a.rate, hard=a.hard,
                                       orphans=a.orphans, jitter=a.jitter)
        labs = [m["label"] for m in meta]
        fams = sorted(set(labs) - {"orphan"})
        print(f"{a.out}: {len(meta)} events, {len(fams)} families, orphan={labs.count('orphan')}", file=sys.stderr)
    else:
        stations = 6 if a.stations is None else a.stations
        sts, meta = generate(a.out, a.events, a.seed, stations, a.kind, (lo, hi), a.teleseismic_fraction, a.rate, hard=a.hard)
        labs = [m["label"] for m in meta]
        print(f"{a.out}: {len(meta)} events, " + ", ".join(f"{l}={labs.count(l)}" for l in sorted(set(labs))), file=sys.stderr)
    for st in sts:
        extra = ""
        if a.kind == "families":
            mine = [m["label"] for m in meta if m["station"] == st["station"]]
            sizes = [mine.count(f"{st['station']}-f{i}") for i in range(1, len(set(mine) - {"orphan"}) + 1)]
            extra = f"  families {sizes}" + (f" + {mine.count('orphan')} orphans" if "orphan" in mine else "")
        print(f"  {st['network']}.{st['station']}.{st['location']} {st['band']} {st['rate']:g} Hz "
              f"{st['instrument']} {st['format']} {st['orientation']}{extra}", file=sys.stderr)

if __name__ == "__main__":
    main()
