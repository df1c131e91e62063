#!/usr/bin/env python3
"""Generator B: synthetic seismic data sets for seiscluster, built from source and path physics.

Written apart from the project's other generator: this file was written without reading
tools/make_events.py, tools/make_polarity.py or Sources/Pipeline/Demo/ (only the CLI contract and
make_events.py's --help text were seen), so that it is an independent test of the pipeline.

Physics (per source-station pair)
---------------------------------
* Source: a point double couple (strike/dip/rake). P, SV and SH amplitudes follow the far-field
  radiation patterns of Aki & Richards (eq. 4.84-4.86 style) for the ray's take-off angle and
  azimuth, so the P first motion (up = compression) comes from the mechanism and the station
  geometry, and S/P ratios vary with the focal sphere. Body-wave amplitudes scale as 1/(rho v^3),
  so S is ~(vp/vs)^3 stronger than P on the same lobe.
* Source time function: Brune omega-squared (moment rate t*wc^2*exp(-wc t), spectrum
  1/(1+(f/fc)^2)); the corner frequency comes from Mw and a stress drop (0.3-30 MPa locally) via
  fc = 0.49 beta (dsigma/M0)^(1/3); P corners are 1.5x the S corner. Large teleseisms get 2-4
  sub-events.
* Path: local travel times from ray tracing in a 1-D layered crust (5 layers, direct and head
  waves, so Pn/Sn overtake beyond ~100 km); S-P follows from distance and depth. Attenuation by
  t* = T/Q (Q_P 250-700, Q_S = Q_P/2) plus a station kappa, as a Futterman-type causal constant-Q
  operator (amplitude exp(-pi f t*) with its dispersion). Geometric spreading 1/R (head waves
  weaker). Free-surface amplification and incidence angles from the ray parameter split P into
  Z/R and SV into R/Z; SH is transverse; R/T are rotated to N/E, then to the sensor's own
  orientation (ZNE, or Z12 with channel 1 at an arbitrary azimuth).
* Coda: scattered energy as band-split Gaussian noise shaped by the event's own spectrum, under
  an envelope t^-1 exp(-pi f t / Qc(f)) after S (Qc grows with frequency, so high frequencies die
  first), and a weaker P coda between P and S whose level follows the average radiation, not the
  station's lobe (so near-nodal P onsets are genuinely murky).
* Teleseisms (30-95 deg): steep incidence from a tabulated ray parameter, t*_P 0.45-1.0 s (hard:
  0.3-0.8 s), depth phases pP (free-surface reflection, reversed) and sP with delays from depth
  and slowness, PP with its pi/2 (Hilbert) phase shift where it arrives within ~3 min, Moho
  Ps/PpPs conversions on the radial, a P coda with a 10-40 s decay; in the continuous layout also
  S (t*_S = 4 t*_P) and dispersed Rayleigh/Love trains at 10-60 s periods. Sources come from 3-4
  fixed source regions (clustered back-azimuths) with shallow and deep events.
* Site and instrument: a site resonance (2-12 Hz peak, gain 2-6) applied to signal and noise;
  sensors are 120 s and 30 s broadbands, 1 Hz short-period and 4.5 Hz geophones (2-pole
  high-pass velocity responses), with a linear-phase (acausal) or minimum-phase anti-alias
  filter; gains chosen per station so that 1-20 Hz noise is 4-400 counts (orders of magnitude
  apart), a DC offset; float stations store nm/s or m/s.
* Noise: secondary (0.13-0.22 Hz) and primary microseism peaks, a high-frequency cultural floor
  (with a daily cycle in the continuous layout), long-period tilt noise on the horizontals,
  machinery tones with a harmonic at some stations, single-sample spikes, zero-filled dropouts and
  short gaps (real gaps: separate MiniSEED records or separate SAC files).
* SNR: peak |signal| over the std of noise, both band-passed 1 Hz to min(20 Hz, 0.45 fs), on the
  vertical (events: over pick..pick+55 s; families: pick..pick+35 s; polarity: the direct P
  pulse only), drawn log-uniform in --snr per window.
* Picks: the visible onset of the noise-free vertical (5 % of the early peak), plus Gaussian
  jitter (local 0.03 s, teleseismic 0.2 s with a late bias up to 0.4 s, polarity 1.5 samples)
  and ~1.5 % outliers.

Station layouts and files
-------------------------
Networks XB, ZQ, 9K and Y7; location codes blank, 00 and 10; rates 20 (an extra BH set that is
never picked), 40 (--hard), 80, 100, 125 and 250 Hz; ZNE and Z12 orientations. MiniSEED via ObsPy
in STEIM1, STEIM2, INT16 (only where the values fit, else INT32), INT32 (one station
little-endian), FLOAT32 and FLOAT64, record lengths 256-8192, one station whose files mix two
encodings and record lengths; SAC little- and big-endian. One station's picks leave the
`channel` column blank. Waveforms go under OUT/waveforms/; OUT/picks.csv, OUT/truth.csv,
OUT/meta.csv (hidden per-pick parameters) and OUT/stations.csv sit beside it.

Layouts: `event` writes one file per pick per channel (pick-60 s to pick+120 s, with a random
start offset; polarity: pick-30 s to pick+30 s); `continuous` writes hour-long files per channel
(windows may cross file boundaries), SDS-like names without extensions for MiniSEED.

Modes
-----
  events    local earthquakes (3-150 km, Mw 0.5-3.5, from fault zones with typical mechanisms
            plus background) vs teleseismic P (labels local / teleseismic); the local share is
            drawn in 35-65 %. --events N is the number of picks (windows): an earthquake is
            recorded at 1-3 stations.
  polarity  local P onsets, labels up / down from the sign of the P radiation at the station;
            near-nodal onsets (|R_P| < 0.1) are kept with probability 1/4, as analysts rarely
            label them (those that stay are the honest label noise).
  families  repeating earthquakes: at each station 3-6 families (seed) of unequal sizes
            (10-120, ~200 windows per station), each a fixed hypocentre and mechanism with a
            fixed path (coda) so members are near-identical; members vary in Mw (+-0.15), location
            (10-50 m) and a little coda (5-20 %); labels f01, f02, ... unique over the data set;
            SNR per family log-uniform in --snr (default 10,150: triggered repeaters), members
            scaled by their magnitude;
            --orphans F adds one-off events labelled `orphan` (fraction F of the windows).
  --hard    SNR 2-50 and one 40 Hz station whose Nyquist (20 Hz) cannot carry a 1-20 Hz band.

Usage:
  python tools/make_synthetics_b.py OUT --mode events --events 2000 --seed 11 [--layout event]
"""
import argparse
import csv
import io
import math
import os
import sys
import time
import zlib

import numpy as np
from scipy import fft as sfft
from scipy import signal as sps

from obspy import Stream, Trace, UTCDateTime
from obspy.core.util import AttribDict

DEG_KM = 111.19

# 1-D crust: top depth (km), vp, vs (km/s); the last row is the half-space.
LAYERS = np.array([
    [0.0, 4.60, 2.60],
    [1.5, 5.70, 3.30],
    [9.0, 6.20, 3.58],
    [20.0, 6.75, 3.85],
    [33.0, 7.95, 4.45],
])

# Teleseismic tables (approximate, surface focus): distance (deg), P and S times (s), P slowness (s/deg).
TELE_D = np.array([20, 30, 40, 50, 60, 70, 80, 90, 100])
TELE_TP = np.array([278, 370, 458, 541, 619, 690, 754, 811, 850])
TELE_TS = np.array([500, 670, 832, 985, 1125, 1252, 1365, 1470, 1550])
TELE_P = np.array([10.0, 8.8, 8.0, 7.3, 6.6, 5.9, 5.2, 4.6, 4.4])


# ----------------------------------------------------------------------------------------------
# Stations
# ----------------------------------------------------------------------------------------------

def station_templates():
    """The station catalogue: codes, rates, sensors, orientations and file formats."""
    return [
        # mixed records: STEIM2/512 then INT32/2048 in the same file
        dict(net="XB", sta="KESR", loc="", code="HH", fs=100.0, sensor="bb120", orient=("ZNE", 0.0),
             fmt=dict(kind="mseed", enc="STEIM2", reclen=512, order=">",
                      mix=dict(enc="INT32", reclen=2048)), ext=".mseed"),
        dict(net="XB", sta="MOLA", loc="00", code="HH", fs=125.0, sensor="bb30", orient=("Z12", 23.0),
             fmt=dict(kind="mseed", enc="STEIM1", reclen=4096, order=">"), ext=".msd"),
        dict(net="ZQ", sta="T07", loc="10", code="EH", fs=250.0, sensor="sp1", orient=("ZNE", 0.0),
             fmt=dict(kind="mseed", enc="INT32", reclen=256, order="<"), ext=""),
        dict(net="ZQ", sta="T11", loc="", code="HH", fs=80.0, sensor="bb120", orient=("Z12", 301.5),
             fmt=dict(kind="mseed", enc="FLOAT32", reclen=1024, order=">"), unit="nm/s", ext=".mseed"),
        dict(net="9K", sta="AR2B", loc="00", code="EH", fs=100.0, sensor="geo4.5", orient=("ZNE", 0.0),
             fmt=dict(kind="mseed", enc="INT16", reclen=512, order=">"), ext=".mseed", blank_channel=True),
        dict(net="9K", sta="VLN", loc="", code="HH", fs=100.0, sensor="bb120", orient=("ZNE", 0.0),
             fmt=dict(kind="sac", order="<"), ext=".sac"),
        dict(net="Y7", sta="PAH04", loc="10", code="HH", fs=125.0, sensor="bb30", orient=("Z12", 117.0),
             fmt=dict(kind="sac", order=">"), ext=".SAC"),
        dict(net="XB", sta="NOR3", loc="00", code="HH", fs=100.0, sensor="bb120", orient=("ZNE", 0.0),
             fmt=dict(kind="mseed", enc="FLOAT64", reclen=8192, order=">"), unit="m/s", ext=".mseed",
             extra=dict(code="BH", fs=20.0, enc="STEIM2", reclen=512)),
        dict(net="ZQ", sta="T15", loc="00", code="EH", fs=250.0, sensor="geo4.5", orient=("Z12", 211.0),
             fmt=dict(kind="mseed", enc="STEIM2", reclen=8192, order=">"), ext=".mseed"),
        dict(net="Y7", sta="PAH09", loc="", code="HH", fs=80.0, sensor="sp1", orient=("ZNE", 0.0),
             fmt=dict(kind="mseed", enc="STEIM1", reclen=256, order=">"), ext=".mseed"),
    ]


HARD_STATION = dict(net="Y7", sta="QX2", loc="", code="BH", fs=40.0, sensor="bb120", orient=("ZNE", 0.0),
                    fmt=dict(kind="mseed", enc="STEIM2", reclen=1024, order=">"), ext=".mseed")


def make_stations(n, rng, hard, plain=False):
    tpl = station_templates()
    out = []
    for i in range(n):
        s = dict(tpl[i % len(tpl)])
        s["fmt"] = dict(s["fmt"])
        if i >= len(tpl):  # more stations than templates: new codes
            s["sta"] = (s["sta"][:3] + "%02d" % i)[:5]
        out.append(s)
    if hard and n >= 4:
        out[3] = dict(HARD_STATION)
        out[3]["fmt"] = dict(HARD_STATION["fmt"])
    # positions (km, local frame x east, y north): scattered, min separation 8 km
    pos = []
    while len(pos) < n:
        p = rng.uniform(-80, 80, 2)
        if all(np.hypot(*(p - q)) > 8.0 for q in pos):
            pos.append(p)
    lat0, lon0 = 44.35, 7.62
    for s, p in zip(out, pos):
        s["x"], s["y"] = float(p[0]), float(p[1])
        s["lat"] = lat0 + p[1] / DEG_KM
        s["lon"] = lon0 + p[0] / (DEG_KM * math.cos(math.radians(lat0)))
        s["elev"] = float(rng.uniform(50, 1800))
        nyq = s["fs"] / 2
        # noise and site parameters
        s["ms2_rms"] = float(np.exp(rng.uniform(np.log(1e-7), np.log(2e-6))))
        s["ms2_f"] = float(rng.uniform(0.13, 0.22))
        s["hf_rms"] = float(np.exp(rng.uniform(np.log(3e-9), np.log(1e-7))))
        s["hf_corner"] = float(min(rng.uniform(15, 40), 0.42 * s["fs"]))
        s["site_f"] = float(min(rng.uniform(2.0, 12.0), 0.35 * s["fs"]))
        s["site_gain"] = float(rng.uniform(2.0, 6.0))
        s["site_zeta"] = float(rng.uniform(0.08, 0.2))
        s["kappa"] = float(rng.uniform(0.005, 0.04))
        s["tone"] = float(rng.uniform(6.0, min(18.0, 0.4 * nyq * 2 / 2))) if rng.random() < 0.4 else 0.0
        s["noise_counts"] = float(np.exp(rng.uniform(np.log(4), np.log(400))))
        if s["fmt"].get("enc") == "INT16":
            s["noise_counts"] = float(rng.uniform(4, 8))
        s["dc"] = [float(rng.uniform(-2000, 2000)) for _ in range(3)] if s["fmt"].get("enc") in (
            "STEIM1", "STEIM2", "INT32") or s["fmt"]["kind"] == "sac" else [0.0, 0.0, 0.0]
        if s["fmt"].get("enc") == "INT16":
            s["dc"] = [float(rng.uniform(-300, 300)) for _ in range(3)]
        s["chan_gain"] = [float(rng.uniform(0.95, 1.05)) for _ in range(3)]
        if plain:  # diagnostic: the same sensor, site and noise everywhere (formats and rates stay)
            s.update(sensor="bb120", site_gain=1.0, tone=0.0, kappa=0.02, ms2_rms=5e-7, ms2_f=0.17,
                     hf_rms=2e-8, hf_corner=min(30.0, 0.42 * s["fs"]))
    return out


def channel_codes(s):
    comps = ["Z", "N", "E"] if s["orient"][0] == "ZNE" else ["Z", "1", "2"]
    return [s["code"] + c for c in comps]


# ----------------------------------------------------------------------------------------------
# Travel times in the layered crust
# ----------------------------------------------------------------------------------------------

def travel(x, z, wave):
    """First arrival for epicentral distance x (km), source depth z (km); wave 'P' or 'S'.
    Returns (time s, take-off angle deg from downward vertical, surface incidence deg, head)."""
    v = LAYERS[:, 1] if wave == "P" else LAYERS[:, 2]
    tops = LAYERS[:, 0]
    z = max(z, 0.05)
    k = int(np.searchsorted(tops, z, side="right") - 1)
    d_up = np.array([tops[i + 1] - tops[i] for i in range(k)] + [z - tops[k]])
    v_up = v[:k + 1]
    vmax = v_up.max()
    best = None
    # direct (upgoing) ray: bisection on u = p * vmax
    if x < 1e-6:
        p = 0.0
    else:
        lo, hi = 0.0, 1.0 - 1e-13
        for _ in range(64):
            u = 0.5 * (lo + hi)
            p = u / vmax
            q = p * v_up
            xx = np.sum(d_up * q / np.sqrt(1.0 - q * q))
            if xx > x:
                hi = u
            else:
                lo = u
        p = 0.5 * (lo + hi) / vmax
    q = p * v_up
    t = float(np.sum(d_up / (v_up * np.sqrt(1.0 - q * q))))
    # horizontal leg error is tiny; correct the time for it
    best = (t, 180.0 - math.degrees(math.asin(min(p * v[k], 1.0))), math.degrees(math.asin(min(p * v[0], 1.0))), False, p)
    # head waves along the top of deeper, faster layers
    for n in range(k + 1, len(v)):
        if v[n] <= v[:n].max():
            continue
        p = 1.0 / v[n]
        eta = np.sqrt(np.maximum(1.0 / v[:n] ** 2 - p * p, 0.0))
        tan = (p * v[:n]) / np.sqrt(1.0 - (p * v[:n]) ** 2)
        thick = np.array([tops[i + 1] - tops[i] for i in range(n)])
        # up leg: whole layers 0..n-1; down leg: from z to the refractor
        down = np.zeros(n)
        down[k] = tops[k + 1] - z
        down[k + 1:n] = thick[k + 1:n]
        xc = np.sum(thick * tan) + np.sum(down * tan)
        if x < xc:
            continue
        th = x * p + np.sum(thick * eta) + np.sum(down * eta)
        if th < best[0]:
            best = (float(th), math.degrees(math.asin(p * v[k])), math.degrees(math.asin(p * v[0])), True, p)
    return best[:4]


def tele_times(delta):
    tp = float(np.interp(delta, TELE_D, TELE_TP))
    ts = float(np.interp(delta, TELE_D, TELE_TS))
    p_deg = float(np.interp(delta, TELE_D, TELE_P))
    return tp, ts, p_deg


# ----------------------------------------------------------------------------------------------
# Source physics
# ----------------------------------------------------------------------------------------------

def radiation(strike, dip, rake, takeoff, az):
    """Far-field P, SV, SH radiation (Aki & Richards), angles in degrees; takeoff from downward vertical."""
    fs_, d, l, i = map(math.radians, (strike, dip, rake, takeoff))
    ph = math.radians(az) - fs_
    sl, cl, sd, cd = math.sin(l), math.cos(l), math.sin(d), math.cos(d)
    s2d, c2d = math.sin(2 * d), math.cos(2 * d)
    si, ci, s2i, c2i = math.sin(i), math.cos(i), math.sin(2 * i), math.cos(2 * i)
    sp, cp, s2p, c2p = math.sin(ph), math.cos(ph), math.sin(2 * ph), math.cos(2 * ph)
    rp = (cl * sd * si * si * s2p - cl * cd * s2i * cp + sl * s2d * (ci * ci - si * si * sp * sp)
          + sl * c2d * s2i * sp)
    rsv = (sl * c2d * c2i * sp - cl * cd * c2i * cp + 0.5 * cl * sd * s2i * s2p
           - 0.5 * sl * s2d * s2i * (1 + sp * sp))
    rsh = (cl * cd * ci * sp + cl * sd * si * c2p + sl * c2d * ci * cp - 0.5 * sl * s2d * si * s2p)
    return rp, rsv, rsh


def brune_fc(mw, stress_mpa, beta_kms):
    m0 = 10 ** (1.5 * mw + 9.1)
    return 0.49 * beta_kms * 1e3 * (stress_mpa * 1e6 / m0) ** (1.0 / 3.0)


class Grid:
    """Frequency grid for a buffer of n samples at fs (zero-padded against wrap-around)."""

    def __init__(self, n, fs, pad_s=30.0, nfft=None):
        self.n, self.fs = n, fs
        self.nfft = max(nfft or 0, sfft.next_fast_len(n + int(pad_s * fs)))
        self.f = np.fft.rfftfreq(self.nfft, 1.0 / fs)
        self.w = 2 * np.pi * self.f
        self.cache = {}

    def att(self, tstar, fref=100.0):
        key = ("att", round(tstar, 6))
        if key not in self.cache:
            f = self.f
            a = np.exp(-np.pi * f * tstar).astype(complex)
            with np.errstate(divide="ignore", invalid="ignore"):
                ph = np.where(f > 0, 2.0 * f * tstar * np.log(np.maximum(f, 1e-12) / fref), 0.0)
            a *= np.exp(1j * ph)
            self.cache[key] = a
        return self.cache[key]

    def shift(self, t0):
        return np.exp(-1j * self.w * t0)

    def pulse(self, fc, tstar, t0):
        """Spectrum of a far-field velocity pulse: d/dt [Brune moment rate] * Q operator, at t0."""
        wc = 2 * np.pi * fc
        src = 1.0 / (1.0 + 1j * self.w / wc) ** 2
        return 1j * self.w * src * self.att(tstar) * self.shift(t0)

    def shape(self, fc, tstar):
        wc = 2 * np.pi * fc
        return 1j * self.w / (1.0 + 1j * self.w / wc) ** 2 * self.att(tstar)

    def to_time(self, spec):
        return np.fft.irfft(spec, self.nfft)[: self.n]


def peak_norm(x):
    m = np.max(np.abs(x))
    return x / m if m > 0 else x


def envelope_series(t, t0, rise, decay_fn):
    e = np.zeros_like(t)
    m = t >= t0
    tt = t[m] - t0
    e[m] = (1.0 - np.exp(-tt / max(rise, 1e-3))) * decay_fn(tt)
    return e


# ----------------------------------------------------------------------------------------------
# Ground motion for one record at one station
# ----------------------------------------------------------------------------------------------

def rt_to_ne(r, t, az):
    a = math.radians(az)
    return r * math.cos(a) - t * math.sin(a), r * math.sin(a) + t * math.cos(a)


def local_ground(rec, grid, t_on, rng_coda_fam, rng_coda_own, eps):
    """Z, R, T ground velocity (arbitrary units) of a local event, P onset at t_on (s, buffer time).
    Returns (Z, R, T, direct P only on Z, S-P time)."""
    g = rec["geom"]
    src = rec["src"]
    tp, tk_p, inc_p, head_p = g["P"]
    ts, tk_s, inc_s, head_s = g["S"]
    rhyp = math.hypot(g["x"], g["z"])
    rp, _, _ = radiation(src["strike"], src["dip"], src["rake"], tk_p, g["az"])
    _, rsv, rsh = radiation(src["strike"], src["dip"], src["rake"], tk_s, g["az"])
    vp_src = np.interp(g["z"], LAYERS[:, 0], LAYERS[:, 1])
    vs_src = np.interp(g["z"], LAYERS[:, 0], LAYERS[:, 2])
    geo = 1.0 / max(rhyp, 1.0)
    ap = rp * geo / vp_src ** 3 * (0.35 if head_p else 1.0)
    asv = rsv * geo / vs_src ** 3 * (0.35 if head_s else 1.0)
    ash = rsh * geo / vs_src ** 3 * (0.35 if head_s else 1.0)
    tsp = ts - tp
    t_s = t_on + tsp
    fcs = brune_fc(src["mw"], src["stress"], 3.5)
    fcp = 1.5 * fcs
    tstar_p = tp / src["qp"] + 0.6 * rec["kappa"]
    tstar_s = ts / (src["qp"] / 2.0) + rec["kappa"]
    jp, js = math.radians(inc_p), math.radians(min(inc_s, 60.0))
    P = grid.pulse(fcp, tstar_p, t_on)
    S = grid.pulse(fcs, tstar_s, t_s)
    Zs = 2 * math.cos(jp) * ap * P - 2 * math.sin(js) * asv * S
    Rs = 2 * math.sin(jp) * ap * P + 2 * math.cos(js) * asv * S
    Ts = 2 * ash * S
    z = grid.to_time(Zs)
    r = grid.to_time(Rs)
    tt = grid.to_time(Ts)
    p_direct = grid.to_time(2 * math.cos(jp) * ap * P)
    # scattered P starts after the direct P is visible (the Q operator delays the pulse)
    t_vis = visible_onset(p_direct, grid.fs, t_on) + 0.01
    # codas: scattered S (after S) and P (between P and S); levels follow mean radiation
    t = np.arange(grid.n) / grid.fs
    lvl_p = 2 * 0.516 * geo / vp_src ** 3 * rec["pcoda"]
    lvl_s = 2 * 0.632 * geo / vs_src ** 3 * rec["scoda"]
    # reference peaks of unit pulses to scale noise-like codas
    pk_p = np.max(np.abs(grid.to_time(grid.pulse(fcp, tstar_p, 1.0))))
    pk_s = np.max(np.abs(grid.to_time(grid.pulse(fcs, tstar_s, 1.0))))
    nyq = grid.fs / 2
    fsplit = min(4.0, 0.4 * nyq)
    lo_mask = 1.0 / (1.0 + (grid.f / fsplit) ** 4)
    hi_mask = 1.0 - lo_mask
    qc0 = rec["qc0"]
    comps = []
    for c, wts in enumerate((0.6, 1.0, 1.0)):
        out = np.zeros(grid.n)
        for kind in ("P", "S"):
            wf = rng_coda_fam.standard_normal(grid.nfft)
            if eps > 0:
                wf = math.sqrt(1 - eps * eps) * wf + eps * rng_coda_own.standard_normal(grid.nfft)
            W = np.fft.rfft(wf) * grid.shift(t_on)  # anchored at the onset: a fixed path coda
            if kind == "S":
                sh = grid.shape(fcs, tstar_s)
                for mask, fb in ((lo_mask, min(2.0, 0.3 * nyq)), (hi_mask, min(8.0, 0.6 * nyq))):
                    x = grid.to_time(W * sh * mask)
                    sd = np.std(x[: min(len(x), int(20 * grid.fs))]) or 1.0
                    qc = qc0 * fb ** 0.8
                    env = envelope_series(
                        t, t_s, 0.3 + 0.05 * tsp,
                        lambda u, fb=fb, qc=qc: (1.0 + u / max(tsp, 0.5)) ** -1.0 * np.exp(-np.pi * fb * u / qc))
                    out += wts * lvl_s * pk_s * 0.7 * x / sd * env
            else:
                x = grid.to_time(W * grid.shape(fcp, tstar_p))
                sd = np.std(x[: min(len(x), int(20 * grid.fs))]) or 1.0
                tau = 0.35 * tsp + 0.4
                env = envelope_series(t, t_vis, rec["prise"], lambda u: np.exp(-u / tau))
                env[t > t_s] *= np.exp(-(t[t > t_s] - t_s) / 1.0)
                out += (1.0 if c == 0 else 0.7) * lvl_p * pk_p * x / sd * env
        comps.append(out)
    return z + comps[0], r + comps[1], tt + comps[2], p_direct, tsp


def tele_ground(rec, grid, t_on, rng):
    """Z, R, T ground velocity of a teleseism, P onset at t_on (s, buffer time)."""
    src, g = rec["src"], rec["geom"]
    delta, h = g["delta"], g["z"]
    tp, ts, p_deg = tele_times(delta)
    p = p_deg / DEG_KM
    vps = 6.5 if h < 35 else (8.1 if h < 200 else (9.0 if h < 400 else 10.2))
    vss = vps / 1.78
    tk = math.degrees(math.asin(min(p * vps, 0.99)))
    tks = math.degrees(math.asin(min(p * vss, 0.99)))
    rp, _, _ = radiation(src["strike"], src["dip"], src["rake"], tk, g["phi"])
    rpp, _, _ = radiation(src["strike"], src["dip"], src["rake"], 180 - tk, g["phi"])
    _, rsvp, _ = radiation(src["strike"], src["dip"], src["rake"], 180 - tks, g["phi"])
    eta_p = math.sqrt(max(1 / vps ** 2 - p * p, 1e-6))
    eta_s = math.sqrt(max(1 / vss ** 2 - p * p, 1e-6))
    d_pp = 2 * h * eta_p
    d_sp = h * (eta_p + eta_s)
    fc = brune_fc(src["mw"], src["stress"], 3.7)
    tsp = src["tstar"]
    jp = math.asin(min(p * LAYERS[0, 1], 0.9))
    # source: sub-events for large events
    sub = src["sub"]
    S = np.zeros_like(grid.f, dtype=complex)
    for dt, a in sub:
        S += a * grid.shift(dt)
    shape = grid.shape(fc, tsp) * S
    P = rp * shape * grid.shift(t_on)
    P += -0.85 * rpp * shape * grid.shift(t_on + d_pp)
    P += 0.35 * (vps / vss) ** 1.5 * rsvp * shape * grid.shift(t_on + d_sp)
    # PP (minimax phase: Hilbert-transformed), when it comes within the next ~3 minutes
    d_PP = 2 * float(np.interp(delta / 2, np.r_[0, TELE_D], np.r_[0, TELE_TP])) - tp - 4.0
    if delta >= 30 and 0 < d_PP < 190:
        P += 0.55 * rp * shape * grid.shift(t_on + d_PP) * (-1j * np.sign(grid.f))
    Zs = 2 * math.cos(jp) * P
    Rs = 2 * math.sin(jp) * P
    # Moho conversions on the radial
    tps = rec["t_ps"]
    Rs += 0.9 * rec["ps_amp"] * rp * shape * grid.shift(t_on + tps)
    Rs += 0.35 * rec["ps_amp"] * rp * shape * grid.shift(t_on + 3.1 * tps)
    Zs += 0.12 * rec["ps_amp"] * rp * shape * grid.shift(t_on + 3.1 * tps)
    Ts = np.zeros_like(Zs)
    z = grid.to_time(Zs)
    r = grid.to_time(Rs)
    tt = grid.to_time(Ts)
    pk = np.max(np.abs(grid.to_time(rp * shape * grid.shift(1.0)))) or 1.0
    # P coda (receiver-side scattering), low frequency like the P itself
    t = np.arange(grid.n) / grid.fs
    t_vis = visible_onset(grid.to_time(rp * shape * grid.shift(t_on)), grid.fs, t_on) + 0.05
    env = envelope_series(t, t_vis, rec["prise"], lambda u: np.exp(-u / rec["tau_coda"]))
    for arr, w in ((z, 1.0), (r, 0.6), (tt, 0.35)):
        W = np.fft.rfft(rng.standard_normal(grid.nfft))
        x = grid.to_time(W * grid.shape(fc, tsp))
        sd = np.std(x) or 1.0
        arr += w * rec["coda_lvl"] * pk * x / sd * env
    p_direct = grid.to_time(2 * math.cos(jp) * rp * shape * grid.shift(t_on))
    rec["_pk"] = float(pk)
    return z, r, tt, p_direct, ts - tp


def tele_long(rec, t_on, tail, fs=5.0):
    """Teleseismic S (t*_S = 4 t*_P) and dispersed Rayleigh/Love trains, on a 5 Hz grid from
    onset-60 s to onset+tail (their content is below 0.5 Hz). Returns (Z, R, T) and the grid rate;
    amplitudes are relative to the broadband P peak found by tele_ground (rec['_pk'])."""
    src, g = rec["src"], rec["geom"]
    delta, h = g["delta"], g["z"]
    tp, ts, _ = tele_times(delta)
    fc = brune_fc(src["mw"], src["stress"], 3.7)
    tsp = src["tstar"]
    pk = rec["_pk"]
    n = int((t_on + tail) * fs)
    grid = Grid(n, fs, pad_s=200.0)
    z = np.zeros(n)
    r = np.zeros(n)
    tt = np.zeros(n)
    # teleseismic S on the horizontals (t*_S = 4 t*_P), then dispersed Rayleigh and Love waves
    sv = grid.to_time(grid.shape(fc / 1.5, 4 * tsp) * grid.shift(t_on + ts - tp))
    sv /= np.max(np.abs(sv)) or 1.0
    r += 1.4 * rec["s_amp"] * pk * sv
    tt += 1.8 * rec["s_amp2"] * pk * sv
    z += 0.4 * rec["s_amp"] * pk * sv
    dist = delta * DEG_KM
    f = grid.f
    band = np.exp(-0.5 * (np.log(np.maximum(f, 1e-4) / 0.045) / 0.45) ** 2)
    per = 1.0 / np.maximum(f, 1e-3)
    c_r = 3.0 + 0.025 * np.minimum(per, 60)
    c_l = 3.5 + 0.02 * np.minimum(per, 60)
    t_orig = t_on - tp
    ray = band * np.exp(-1j * grid.w * (t_orig + dist / c_r)) * np.exp(-np.pi * f * dist / (3.5 * 220))
    lov = band * np.exp(-1j * grid.w * (t_orig + dist / c_l)) * np.exp(-np.pi * f * dist / (4.0 * 220))
    ray_t = grid.to_time(ray)
    amp = rec["sw_amp"] * math.exp(-h / 40.0) * pk / (np.max(np.abs(ray_t)) or 1.0)
    z += amp * ray_t
    r += amp * 0.8 * grid.to_time(ray * (-1j * np.sign(f)))
    tt += amp * 1.1 * rec["love_sign"] * grid.to_time(lov)
    return z, r, tt


# ----------------------------------------------------------------------------------------------
# Noise, site and instrument
# ----------------------------------------------------------------------------------------------

def site_sos(s):
    w0 = 2 * np.pi * s["site_f"]
    zp = s["site_zeta"]
    zz = zp * s["site_gain"]
    b, a = sps.bilinear([1, 2 * zz * w0, w0 * w0], [1, 2 * zp * w0, w0 * w0], s["fs"])
    return sps.tf2sos(b, a)


def sensor_filters(s):
    fs = s["fs"]
    kind = s["sensor"]
    f0, zeta = {"bb120": (1 / 120.0, 0.707), "bb30": (1 / 30.0, 0.707), "sp1": (1.0, 0.7),
                "geo4.5": (4.5, 0.56)}[kind]
    w0 = 2 * np.pi * f0
    b, a = sps.bilinear([1, 0, 0], [1, 2 * zeta * w0, w0 * w0], fs)
    sos = sps.tf2sos(b, a)
    if kind == "bb120":
        fir = sps.firwin(63, 0.8)  # linear phase, acausal when centred
        return sos, fir, None
    aa = sps.butter(8, 0.8, output="sos")  # minimum phase
    return sos, None, aa


def apply_instrument(x, s, cache):
    if "sensor" not in cache:
        cache["sensor"] = sensor_filters(s)
    sos, fir, aa = cache["sensor"]
    y = sps.sosfilt(sos, x)
    if fir is not None:
        y = np.convolve(y, fir, mode="same")
    if aa is not None:
        y = sps.sosfilt(aa, y)
    return y


def band_sos(fs):
    hi = min(20.0, 0.45 * fs)
    return sps.butter(4, [1.0, hi], btype="band", fs=fs, output="sos")


def noise_ground(n, fs, s, rng, comp, t_abs0, continuous):
    """Ground velocity noise (m/s) for one component over n samples."""
    nfft = sfft.next_fast_len(n)
    f = np.fft.rfftfreq(nfft, 1.0 / fs)
    fpos = np.maximum(f, 1e-4)
    hor = comp > 0
    storm = float(rng.uniform(0.7, 1.4))
    sig = 0.25
    g2 = np.exp(-0.5 * (np.log(fpos / s["ms2_f"]) / sig) ** 2)
    g2 /= s["ms2_f"] * math.sqrt(2 * math.pi) * sig * math.exp(sig * sig / 2)
    f1 = s["ms2_f"] / 2.1
    g1 = np.exp(-0.5 * (np.log(fpos / f1) / 0.3) ** 2)
    g1 /= f1 * math.sqrt(2 * math.pi) * 0.3 * math.exp(0.045)
    ms = (storm * s["ms2_rms"] * (1.2 if hor else 1.0)) ** 2 * (g2 + 0.02 * g1)
    hf_shape = (fpos / 0.7) ** 2 / (1 + (fpos / 0.7) ** 2) / (1 + (fpos / s["hf_corner"]) ** 4)
    hf = (s["hf_rms"] * (1.3 if hor else 1.0)) ** 2 / 19.0 * hf_shape
    lp = np.zeros_like(f)
    if hor:
        lp = (0.3 * s["ms2_rms"]) ** 2 / 0.02 * (0.02 / fpos) ** 2 * (f > 1 / 900.0)
    floor = (0.03 * s["hf_rms"]) ** 2 / 19.0
    amp_a = np.sqrt((ms + lp + floor) * fs / 2)
    amp_h = np.sqrt(hf * fs / 2)
    amp_a[0] = amp_h[0] = 0.0
    # white Gaussian noise has a complex Gaussian spectrum: draw it there (variance nfft per bin)
    sc = math.sqrt(nfft / 2.0)
    nb = len(f)
    x = sfft.irfft((rng.standard_normal(nb) + 1j * rng.standard_normal(nb)) * (amp_a * sc), nfft)[:n]
    h = sfft.irfft((rng.standard_normal(nb) + 1j * rng.standard_normal(nb)) * (amp_h * sc), nfft)[:n]
    if continuous:
        # daily cycle of cultural noise, evaluated once a second
        tc = t_abs0 + np.arange(0, n + fs, fs) / fs
        day = 1.0 + 0.8 * np.clip(np.sin(2 * np.pi * ((tc / 3600.0) % 24.0 - 6.0) / 24.0), 0, None)
        h *= np.interp(np.arange(n), np.arange(len(tc)) * fs, day)
    x += h
    t = t_abs0 + np.arange(n) / fs
    if s["tone"] > 0:
        on = True
        if continuous:
            on = None
            duty = ((t / 1800.0).astype(np.int64) % 2) == 0
        elif rng.random() > 0.5:
            on = False
        if on is not False:
            ph1, ph2 = rng.uniform(0, 2 * np.pi, 2)
            ft = s["tone"]
            tone = 0.6 * s["hf_rms"] * (np.sin(2 * np.pi * ft * t + ph1)
                                        + 0.4 * np.sin(2 * np.pi * 2 * ft * t + ph2) * (2 * ft < 0.45 * fs))
            if on is None:
                tone *= duty
            x += tone
    return x


# ----------------------------------------------------------------------------------------------
# Records (one pick each)
# ----------------------------------------------------------------------------------------------

def rand_mech(rng, base=None, spread=(30, 15, 30)):
    if base is None:
        return dict(strike=float(rng.uniform(0, 360)), dip=float(np.degrees(np.arccos(rng.uniform(0, 1)))) * 0.999 + 0.05,
                    rake=float(rng.uniform(-180, 180)))
    return dict(strike=float((base[0] + rng.normal(0, spread[0])) % 360),
                dip=float(np.clip(base[1] + rng.normal(0, spread[1]), 5, 89.9)),
                rake=float(base[2] + rng.normal(0, spread[2])))


def loguni(rng, lo, hi):
    return float(np.exp(rng.uniform(math.log(lo), math.log(hi))))


def local_geom(ex, ey, z, s):
    dx, dy = s["x"] - ex, s["y"] - ey
    x = math.hypot(dx, dy)
    az = math.degrees(math.atan2(dx, dy)) % 360
    return dict(x=x, z=z, az=az, P=travel(x, z, "P"), S=travel(x, z, "S"))


def path_params(rng, rec, tele=False):
    rec["prise"] = float(rng.uniform(0.08, 0.3)) if not tele else float(rng.uniform(1.0, 3.0))
    rec["pcoda"] = float(rng.uniform(0.06, 0.18))
    rec["scoda"] = float(rng.uniform(0.15, 0.45))
    rec["qc0"] = float(rng.uniform(80, 250))


def build_records(args, stations, rng):
    """Every pick as a record: station, true onset time, label, source and path parameters."""
    mode = args.mode
    n_target = args.events
    lo_snr, hi_snr = args.snr
    t0 = UTCDateTime(2024, 4, 2, 3, 0, 0).timestamp + float(rng.uniform(0, 86400 * 20))
    recs = []
    ns = len(stations)
    min_gap = 75.0 if mode != "families" else 55.0
    last_at = [-1e18] * ns
    if mode in ("events", "polarity"):
        frac_local = float(rng.uniform(0.35, 0.65)) if mode == "events" else 1.0
        # fault zones with typical mechanisms, and teleseismic source regions
        zones = []
        for _ in range(4):
            zones.append(dict(x=float(rng.uniform(-110, 110)), y=float(rng.uniform(-110, 110)),
                              r=float(rng.uniform(5, 25)), zmin=float(rng.uniform(1, 6)), zmax=float(rng.uniform(8, 22)),
                              mech=(float(rng.uniform(0, 360)), float(rng.uniform(30, 85)), float(rng.choice([-90, 0, 90, 180]) + rng.normal(0, 15)))))
        regions = [dict(baz=float(rng.uniform(0, 360)), dmin=d0, dmax=d0 + float(rng.uniform(8, 20)))
                   for d0 in rng.uniform(30, 78, 4)]
        t = t0
        ev = 0
        gap_mean = 160.0 / max(ns / 2.0, 1.0)
        while len(recs) < n_target:
            t += float(rng.exponential(gap_mean)) + 2.0
            erng = np.random.default_rng([args.seed, 7, ev])
            ev += 1
            is_local = erng.random() < frac_local
            if is_local:
                if erng.random() < 0.65:
                    zn = zones[int(erng.integers(len(zones)))]
                    ex = zn["x"] + erng.normal(0, zn["r"])
                    ey = zn["y"] + erng.normal(0, zn["r"])
                    z = float(erng.uniform(zn["zmin"], zn["zmax"]))
                    mech = rand_mech(erng, zn["mech"])
                else:
                    ex, ey = erng.uniform(-140, 140, 2)
                    z = float(erng.uniform(0.5, 25))
                    mech = rand_mech(erng)
                mw = float(min(0.5 + erng.exponential(0.55), 3.5))
                qp = float(erng.uniform(250, 700))
                src = dict(mw=mw, stress=loguni(erng, 0.3, 30.0), qp=qp, **mech)
                cands = []
                for i, s in enumerate(stations):
                    d = math.hypot(s["x"] - ex, s["y"] - ey)
                    if 3.0 <= d <= 150.0:
                        cands.append(i)
            else:
                reg = regions[int(erng.integers(len(regions)))]
                delta = float(np.clip(erng.uniform(reg["dmin"], reg["dmax"]), 30, 95))
                baz = (reg["baz"] + erng.normal(0, 6)) % 360
                z = float(erng.uniform(8, 45)) if erng.random() < 0.65 else loguni(erng, 60, 620)
                mw = float(min(5.2 + erng.exponential(0.5), 7.6))
                mech = rand_mech(erng)
                stress = loguni(erng, 1.0, 10.0)
                fc = brune_fc(mw, stress, 3.7)
                nsub = 1 if mw < 6.3 else int(erng.integers(2, 5))
                sub = [(0.0, 1.0)] + [(float(erng.uniform(0.2, 1.0) / fc), float(erng.uniform(0.3, 1.0))) for _ in range(nsub - 1)]
                ts_lo, ts_hi = (0.3, 0.8) if args.hard else (0.45, 1.0)
                src = dict(mw=mw, stress=stress, tstar=float(erng.uniform(ts_lo, ts_hi)), sub=sub, **mech)
                cands = list(range(ns))
            if mode == "polarity" and not is_local:
                continue
            k = int(erng.integers(1, 4))
            free = [i for i in cands if t - last_at[i] > min_gap]
            if not free:
                continue
            chosen = list(erng.choice(free, size=min(k, len(free)), replace=False))
            phi = float(erng.uniform(0, 360))
            for i in sorted(chosen):
                if len(recs) >= n_target:
                    break
                s = stations[i]
                rrng = np.random.default_rng([args.seed, 11, len(recs)])
                rec = dict(sta=i, kappa=s["kappa"], seed=[args.seed, 13, len(recs)])
                if is_local:
                    g = local_geom(ex, ey, z, s)
                    rec.update(kind="local", label="local", src=src, geom=g, onset=t + g["P"][0])
                    path_params(rrng, rec)
                else:
                    _, _, p_deg = tele_times(delta)
                    # plane wave across the network from back-azimuth baz
                    b = math.radians(baz)
                    dtn = -(s["x"] * math.sin(b) + s["y"] * math.cos(b)) * p_deg / DEG_KM
                    rec.update(kind="teleseismic", label="teleseismic", src=src,
                               geom=dict(delta=delta, z=z, baz=baz, phi=phi), onset=t + 30.0 + dtn)
                    path_params(rrng, rec, tele=True)
                    rec.update(t_ps=float(rrng.uniform(3.6, 5.2)), ps_amp=float(rrng.uniform(0.1, 0.25)),
                               tau_coda=float(rrng.uniform(10, 40)), coda_lvl=float(rrng.uniform(0.12, 0.35)),
                               s_amp=float(rrng.uniform(1, 3)), s_amp2=float(rrng.uniform(0.5, 3)),
                               sw_amp=float(rrng.uniform(2.0, 20.0)), love_sign=float(rrng.choice([-1, 1])))
                if mode == "polarity":
                    rp = radiation(src["strike"], src["dip"], src["rake"], g["P"][1], g["az"])[0]
                    # analysts rarely label near-nodal onsets: keep a quarter of them (label noise)
                    if abs(rp) < 0.1 and rrng.random() > 0.25:
                        continue
                    rec["label"] = "up" if rp > 0 else "down"
                    rec["rp"] = rp
                rec["snr"] = loguni(rrng, lo_snr, hi_snr)
                recs.append(rec)
                last_at[i] = t
    else:  # families
        fam_id = 0
        t_start = t0
        for i, s in enumerate(stations):
            srng = np.random.default_rng([args.seed, 21, i])
            k = int(srng.integers(3, 7))
            while True:
                w = srng.dirichlet(np.full(k, 0.8))
                sizes = np.clip(np.round(w * 200), 10, 120).astype(int)
                if sizes.max() - sizes.min() >= 10:
                    break
            fams = []
            for j in range(k):
                for _ in range(200):
                    d = float(srng.uniform(2, 60))
                    az = float(srng.uniform(0, 360))
                    z = float(srng.uniform(1, 15))
                    ex = s["x"] - d * math.sin(math.radians(az))
                    ey = s["y"] - d * math.cos(math.radians(az))
                    g = local_geom(ex, ey, z, s)
                    tsp = g["S"][0] - g["P"][0]
                    if all(abs(tsp - f["tsp"]) > 0.6 for f in fams):
                        break
                fam_id += 1
                fams.append(dict(name="f%02d" % fam_id, ex=ex, ey=ey, z=z, tsp=tsp, mech=rand_mech(srng),
                                 mw=float(srng.uniform(0.6, 2.4)), stress=loguni(srng, 0.5, 20),
                                 qp=float(srng.uniform(250, 700)), scatter=float(srng.uniform(0.01, 0.05)),
                                 eps=float(srng.uniform(0.05, 0.2)), snr=loguni(srng, lo_snr, hi_snr),
                                 size=int(sizes[j]), seed=int(srng.integers(1 << 31)),
                                 prise=float(srng.uniform(0.08, 0.3)), pcoda=float(srng.uniform(0.06, 0.18)),
                                 scoda=float(srng.uniform(0.15, 0.45)), qc0=float(srng.uniform(80, 250))))
            n_mem = int(sizes.sum())
            n_orph = int(round(args.orphans / max(1 - args.orphans, 1e-9) * n_mem)) if args.orphans > 0 else 0
            items = [(f, m) for f in fams for m in range(f["size"])] + [(None, m) for m in range(n_orph)]
            order = srng.permutation(len(items))
            t = t_start
            for oi in order:
                f, m = items[oi]
                t += min_gap + float(srng.exponential(60.0))
                rrng = np.random.default_rng([args.seed, 23, len(recs)])
                rec = dict(sta=i, kappa=s["kappa"], seed=[args.seed, 29, len(recs)])
                if f is not None:
                    ex = f["ex"] + rrng.normal(0, f["scatter"])
                    ey = f["ey"] + rrng.normal(0, f["scatter"])
                    z = max(0.3, f["z"] + rrng.normal(0, f["scatter"]))
                    dm = float(np.clip(rrng.normal(0, 0.15), -0.4, 0.4))
                    src = dict(mw=f["mw"] + dm, stress=f["stress"], qp=f["qp"], **f["mech"])
                    g = local_geom(ex, ey, z, s)
                    rec.update(kind="family", label=f["name"], src=src, geom=g, onset=t + g["P"][0],
                               fam_seed=f["seed"], eps=f["eps"], prise=f["prise"], pcoda=f["pcoda"],
                               scoda=f["scoda"], qc0=f["qc0"],
                               snr=float(np.clip(f["snr"] * 10 ** dm, lo_snr, hi_snr)))
                else:
                    d = float(rrng.uniform(2, 80))
                    az = float(rrng.uniform(0, 360))
                    z = float(rrng.uniform(0.5, 20))
                    ex = s["x"] - d * math.sin(math.radians(az))
                    ey = s["y"] - d * math.cos(math.radians(az))
                    g = local_geom(ex, ey, z, s)
                    src = dict(mw=float(rrng.uniform(0.6, 2.6)), stress=loguni(rrng, 0.5, 20),
                               qp=float(rrng.uniform(250, 700)), **rand_mech(rrng))
                    rec.update(kind="orphan", label="orphan", src=src, geom=g, onset=t + g["P"][0],
                               snr=loguni(rrng, lo_snr, hi_snr))
                    path_params(rrng, rec)
                recs.append(rec)
    recs.sort(key=lambda r: (r["onset"], r["sta"]))
    return recs


# ----------------------------------------------------------------------------------------------
# Rendering
# ----------------------------------------------------------------------------------------------

def signal_for(rec, stations, fs, n, t_buf0, nominal_s, long_tail=0.0):
    """Noise-free ground velocity in the sensor frame (3, n), the direct P on Z, S-P, and for
    teleseisms with long_tail > 0 the long-period phases (3, m) on a 5 Hz grid from t_buf0.
    nominal_s fixes the FFT length per mode and rate, so that a family's coda is the same draw."""
    s = stations[rec["sta"]]
    grid = Grid(n, fs, nfft=sfft.next_fast_len(int(round((nominal_s + 30.0) * fs))))
    t_on = rec["onset"] - t_buf0
    rng = np.random.default_rng(rec["seed"])
    long = None
    if rec["kind"] == "teleseismic":
        z, r, tt, pd, tsp = tele_ground(rec, grid, t_on, rng)
        az = (rec["geom"]["baz"] + 180.0) % 360
        if long_tail > 0:
            long = tele_long(rec, t_on, long_tail)
    else:
        if rec["kind"] == "family":
            fam_rng = np.random.default_rng([rec["fam_seed"], rec["sta"]])
            z, r, tt, pd, tsp = local_ground(rec, grid, t_on, fam_rng, rng, rec["eps"])
        else:
            z, r, tt, pd, tsp = local_ground(rec, grid, t_on, rng, rng, 0.0)
        az = rec["geom"]["az"]

    def sensor_frame(z, r, tt):
        nn, ee = rt_to_ne(r, tt, az)
        if s["orient"][0] == "Z12":
            a = math.radians(s["orient"][1])
            return np.vstack([z, nn * math.cos(a) + ee * math.sin(a), -nn * math.sin(a) + ee * math.cos(a)])
        return np.vstack([z, nn, ee])

    return sensor_frame(z, r, tt), pd, tsp, (sensor_frame(*long) if long is not None else None)


def visible_onset(pd, fs, t_on):
    """The time (buffer s) where the noise-free direct P first reaches 5 % of its early peak."""
    i0 = max(int((t_on - 1.0) * fs), 0)
    i1 = min(int((t_on + 3.0) * fs), len(pd))
    seg = np.abs(pd[i0:i1])
    if seg.size == 0 or seg.max() == 0:
        return t_on
    k = int(np.argmax(seg >= 0.05 * seg.max()))
    return (i0 + k) / fs


def pick_error(rec, rng, fs, mode):
    if mode == "polarity":
        e = rng.normal(0, 1.5) / fs
        if rng.random() < 0.01:
            e += rng.choice([-1, 1]) * rng.uniform(5, 15) / fs
        return e
    if rec["kind"] == "teleseismic":
        e = rng.normal(0, 0.2) + rng.uniform(0, 0.4)
    else:
        e = rng.normal(0, 0.03 if mode == "events" else 0.05)
    if rng.random() < 0.015:
        e += rng.choice([-1, 1]) * (rng.uniform(1, 8) if mode == "events" else rng.uniform(0.5, 2))
    return e


def snr_window(mode):
    return {"events": 55.0, "families": 35.0, "polarity": 0.3}[mode]


def scale_signal(sig, pd, noise_z_band, rec, s, fs, t_on, mode, sos_b):
    """The factor that brings the vertical of sig (3, n) to rec['snr'] against the noise
    (both band-passed 1 Hz to min(20 Hz, 0.45 fs))."""
    nstd = float(np.std(noise_z_band)) or 1.0
    ref = pd if mode == "polarity" else sig[0]
    b = sps.sosfiltfilt(sos_b, ref)
    i0 = max(int(t_on * fs), 0)
    i1 = min(int((t_on + snr_window(mode)) * fs), len(b))
    pk = float(np.max(np.abs(b[i0:i1]))) if i1 > i0 else 0.0
    return rec["snr"] * nstd / pk if pk > 0 else 0.0


# ----------------------------------------------------------------------------------------------
# Writing
# ----------------------------------------------------------------------------------------------

def to_output(counts, s, comp):
    """Counts (float) -> stored values and the encoding to use."""
    fmt = s["fmt"]
    if fmt["kind"] == "sac":
        return counts.astype(np.float32), None
    enc = fmt["enc"]
    if enc in ("FLOAT32", "FLOAT64"):
        return counts.astype(np.float32 if enc == "FLOAT32" else np.float64), enc
    q = np.round(counts)
    if enc == "INT16":
        if np.abs(q).max() <= 32767:
            return q.astype(np.int16), "INT16"
        STATS["int16_fallback"] += 1
        return q.astype(np.int32), "INT32"
    return np.clip(q, -(2 ** 29), 2 ** 29 - 1).astype(np.int32), enc


STATS = dict(int16_fallback=0, files=0, gaps=0, dropouts=0, spikes=0)


def write_runs(path_base, s, ch, loc, t_start, fs, data, mask, ext):
    """Write the valid runs of `data` (start time t_start) as one MiniSEED file or SAC files."""
    runs = []
    valid = mask if mask is not None else np.ones(len(data), bool)
    idx = np.flatnonzero(np.diff(np.r_[0, valid.astype(np.int8), 0]))
    for a, b in zip(idx[0::2], idx[1::2]):
        runs.append((a, b))
    fmt = s["fmt"]
    if fmt["kind"] == "sac":
        for k, (a, b) in enumerate(runs):
            vals, _ = to_output(data[a:b], s, 0)
            tr = make_trace(vals, s, ch, loc, t_start + a / fs, fs)
            tr.stats.sac = sac_header(s, ch)
            fn = path_base + ("" if k == 0 else "_%d" % k) + ext
            Stream([tr]).write(fn, format="SAC", byteorder=fmt["order"])
            STATS["files"] += 1
        return
    buf = io.BytesIO()
    for a, b in runs:
        vals, enc = to_output(data[a:b], s, 0)
        tr = make_trace(vals, s, ch, loc, t_start + a / fs, fs)
        mix = fmt.get("mix")
        if mix and (b - a) > 4 * fs:
            cut = int((b - a) * 0.37)
            t1 = make_trace(vals[:cut], s, ch, loc, t_start + a / fs, fs)
            t2 = make_trace(np.asarray(vals[cut:], dtype=np.int32), s, ch, loc, t_start + (a + cut) / fs, fs)
            Stream([t1]).write(buf, format="MSEED", encoding=enc, reclen=fmt["reclen"], byteorder=fmt["order"])
            Stream([t2]).write(buf, format="MSEED", encoding=mix["enc"], reclen=mix["reclen"], byteorder=fmt["order"])
        else:
            Stream([tr]).write(buf, format="MSEED", encoding=enc, reclen=fmt["reclen"], byteorder=fmt["order"])
    with open(path_base + ext, "wb") as fh:
        fh.write(buf.getvalue())
    STATS["files"] += 1


def make_trace(vals, s, ch, loc, t, fs):
    tr = Trace(data=np.ascontiguousarray(vals))
    tr.stats.network, tr.stats.station, tr.stats.location, tr.stats.channel = s["net"], s["sta"], loc, ch
    tr.stats.sampling_rate = fs
    tr.stats.starttime = UTCDateTime(round(t, 6))
    return tr


def sac_header(s, ch):
    h = AttribDict()
    h.stla, h.stlo, h.stel = s["lat"], s["lon"], s["elev"]
    c = ch[-1]
    if c == "Z":
        h.cmpaz, h.cmpinc = 0.0, 0.0
    else:
        base = 0.0 if s["orient"][0] == "ZNE" else s["orient"][1]
        h.cmpaz = float((base + (0.0 if c in "N1" else 90.0)) % 360)
        h.cmpinc = 90.0
    return h


def add_artifacts(counts, s, rng, dur_s, fs, noise_counts, mask):
    """Spikes (per channel), zero-filled dropouts; gaps are set in mask by the caller."""
    n = counts.shape[1]
    for c in range(3):
        nsp = rng.poisson(dur_s / (4 * 3600.0))
        for _ in range(nsp):
            i = int(rng.integers(0, n))
            counts[c, i:i + int(rng.integers(1, 3))] += rng.choice([-1, 1]) * rng.uniform(5, 50) * noise_counts
            STATS["spikes"] += 1
    ndrop = rng.poisson(dur_s / (10 * 3600.0))
    for _ in range(ndrop):
        i = int(rng.integers(0, n))
        counts[:, i:i + int(rng.uniform(1, 4) * fs)] = 0.0
        STATS["dropouts"] += 1


def counts_from_ground(ground, s, cache):
    """Instrument response and gain: ground velocity (3, n) m/s -> counts/units (3, n)."""
    out = np.empty_like(ground)
    for c in range(3):
        y = apply_instrument(ground[c], s, cache)
        out[c] = y * s["gain"] * s["chan_gain"][c] + s["dc"][c]
    return out


def calibrate_gain(s, rng):
    """Gain so that 1-20 Hz noise is s['noise_counts'] (integers) or physical units (floats)."""
    unit = s.get("unit")
    fs = s["fs"]
    n = int(120 * fs)
    x = noise_ground(n, fs, s, rng, 0, 0.0, False)
    x = sps.sosfilt(site_sos(s), x)
    y = apply_instrument(x, s, {})
    yb = sps.sosfiltfilt(band_sos(fs), y)
    sd = float(np.std(yb[int(10 * fs):]))
    if unit in ("nm/s", "m/s"):  # floats in physical units: the noise level follows
        s["gain"] = 1e9 if unit == "nm/s" else 1.0
        s["noise_counts"] = sd * s["gain"]
    else:
        s["gain"] = s["noise_counts"] / sd


def extra_counts(s, ground, fs):
    """A low-rate set (BH, 20 Hz) beside the picked set at the same station and location: the same
    ground motion, decimated, through its own broadband response and gain (integer counts)."""
    ex = s["extra"]
    q = int(round(fs / ex["fs"]))
    s2 = dict(s, fs=ex["fs"], sensor="bb120")
    cache = {}
    lo = sps.decimate(ground, q, ftype="fir", zero_phase=True, axis=1)
    for c in range(3):
        lo[c] = np.round(apply_instrument(lo[c], s2, cache) * 6e8 + s["dc"][c])
    return lo.astype(np.int32), q


def write_extra(s, lo, t0, fn):
    ex = s["extra"]
    s2 = dict(s, fs=ex["fs"])
    for c, comp in enumerate(["Z", "N", "E"]):
        tr = make_trace(np.ascontiguousarray(lo[c]), s2, ex["code"] + comp, s["loc"], t0, ex["fs"])
        path = fn(ex["code"] + comp)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        Stream([tr]).write(path, format="MSEED", encoding=ex["enc"], reclen=ex["reclen"])
        STATS["files"] += 1


def render(args, stations, recs, outdir):
    """Per station: continuous noise, every record's signal, site, instrument and artefacts over
    the whole span; then hour files (continuous layout) or one cut per pick (event layout, so
    overlapping event files carry the same samples, as when they are cut from a real archive)."""
    wf = os.path.join(outdir, "waveforms")
    pre, post = (30.0, 30.0) if args.mode == "polarity" else (60.0, 120.0)
    t_first = min(r["onset"] for r in recs) - pre - 20.0
    t_last = max(r["onset"] for r in recs) + post + 20.0
    h0 = math.floor(t_first / 3600.0) * 3600.0
    h1 = math.ceil(t_last / 3600.0) * 3600.0
    done = 0
    for si, s in enumerate(stations):
        fs = s["fs"]
        rng = np.random.default_rng([args.seed, 31, si])
        t0 = round(h0 + float(rng.uniform(0, 1.0 / fs)), 6)
        n = int(round((h1 - h0) * fs))
        sos_site = site_sos(s)
        ground = np.vstack([noise_ground(n, fs, s, rng, c, t0, True) for c in range(3)])
        ground = sps.sosfilt(sos_site, ground, axis=1)
        sos_b = band_sos(fs)
        nzb = sps.sosfiltfilt(sos_b, ground[0])
        mine = [r for r in recs if r["sta"] == si]
        t_grid = None
        for rec in mine:
            rrng = np.random.default_rng(rec["seed"] + [1])
            a = max(int((rec["onset"] - 60.0 - t0) * fs), 0)
            b = min(int((rec["onset"] + 150.0 - t0) * fs), n)
            tb0 = t0 + a / fs
            long_tail = 0.0
            if rec["kind"] == "teleseismic":
                tp, ts, _ = tele_times(rec["geom"]["delta"])
                long_tail = max(rec["geom"]["delta"] * DEG_KM / 2.9 - tp + 200.0, ts - tp + 200.0)
            sig, pd, tsp, long = signal_for(rec, stations, fs, b - a, tb0, 210.0, long_tail)
            sig = sps.sosfilt(sos_site, sig, axis=1)
            pd = sps.sosfilt(sos_site, pd)
            t_on = rec["onset"] - tb0
            i0 = max(int((rec["onset"] - 60.0 - t0) * fs), 0)
            i1 = max(int((rec["onset"] - 1.0 - t0) * fs), i0 + int(fs))
            k = scale_signal(sig, pd, nzb[i0:i1], rec, s, fs, t_on, args.mode, sos_b)
            ground[:, a:b] += sig * k
            if long is not None:
                m = long.shape[1]
                bl = min(a + int(m / 5.0 * fs), n)
                if t_grid is None or len(t_grid) < bl - a:
                    t_grid = np.arange(bl - a) / fs
                tl = np.arange(m) / 5.0
                for c in range(3):
                    ground[c, a:bl] += k * np.interp(t_grid[:bl - a], tl, long[c])
            t_pick_true = tb0 + visible_onset(pd, fs, t_on)
            rec["pick"] = round(t_pick_true + pick_error(rec, rrng, fs, args.mode), 6)
            rec["pick_true"] = t_pick_true
            rec["tsp"] = tsp
            done += 1
            if done % 250 == 0 and not args.quiet:
                print("  %d/%d picks" % (done, len(recs)), file=sys.stderr)
        del nzb
        counts = counts_from_ground(ground, s, {})
        mask = np.ones(n, bool)
        for _ in range(rng.poisson((h1 - h0) / (5 * 3600.0))):
            i = int(rng.integers(0, n))
            mask[i:i + int(rng.uniform(0.5, 8.0) * fs)] = False
            STATS["gaps"] += 1
        add_artifacts(counts, s, rng, h1 - h0, fs, s["noise_counts"], mask)
        lo, q = None, 1
        if s.get("extra"):
            lo, q = extra_counts(s, ground, fs)
        del ground
        chans = channel_codes(s)
        if args.layout == "continuous":
            per = int(round(3600 * fs))
            for k in range(0, n, per):
                tk = t0 + k / fs
                ut = UTCDateTime(tk)
                for c, ch in enumerate(chans):
                    if s["fmt"]["kind"] == "sac":
                        d = os.path.join(wf, "sac", s["net"], s["sta"])
                        base = os.path.join(d, "%s.%s.%s.%s.%04d.%03d.%02d" % (s["net"], s["sta"], s["loc"], ch, ut.year, ut.julday, ut.hour))
                        ext = s["ext"]
                    else:
                        d = os.path.join(wf, "%04d" % ut.year, s["net"], s["sta"], ch + ".D")
                        base = os.path.join(d, "%s.%s.%s.%s.D.%04d.%03d.%02d00" % (s["net"], s["sta"], s["loc"], ch, ut.year, ut.julday, ut.hour))
                        ext = ""
                    os.makedirs(d, exist_ok=True)
                    write_runs(base, s, ch, s["loc"], tk, fs, counts[c, k:k + per], mask[k:k + per], ext)
                if lo is not None:
                    kl = k // q
                    write_extra(s, lo[:, kl:kl + per // q], t0 + kl * q / fs, lambda ch: os.path.join(
                        wf, "%04d" % ut.year, s["net"], s["sta"], ch + ".D",
                        "%s.%s.%s.%s.D.%04d.%03d.%02d00" % (s["net"], s["sta"], s["loc"], ch, ut.year, ut.julday, ut.hour)))
        else:
            d = os.path.join(wf, s["net"], s["sta"])
            os.makedirs(d, exist_ok=True)
            for rec in mine:
                rrng = np.random.default_rng(rec["seed"] + [2])
                off = float(rrng.uniform(0, 3.0))
                ia = max(int(round((rec["pick"] - pre - off - t0) * fs)), 0)
                ib = min(ia + int(round((pre + post) * fs)), n)
                ut = UTCDateTime(rec["pick"])
                stamp = ut.strftime("%Y%m%dT%H%M%S") + "%02d" % (ut.microsecond // 10000)
                for c, ch in enumerate(chans):
                    base = os.path.join(d, "%s.%s.%s.%s.%s" % (s["net"], s["sta"], s["loc"], ch, stamp))
                    write_runs(base, s, ch, s["loc"], t0 + ia / fs, fs, counts[c, ia:ib], mask[ia:ib], s["ext"])
                if lo is not None:
                    kl = -(-ia // q)
                    write_extra(s, lo[:, kl:ib // q], t0 + kl * q / fs, lambda ch: os.path.join(
                        d, "%s.%s.%s.%s.%s.mseed" % (s["net"], s["sta"], s["loc"], ch, stamp)))
        del counts
        if not args.quiet:
            print("  station %s.%s: %d picks, %.1f h of data" % (s["net"], s["sta"], len(mine), (h1 - h0) / 3600), file=sys.stderr)


# ----------------------------------------------------------------------------------------------

def iso(t):
    return UTCDateTime(t).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out")
    ap.add_argument("--mode", choices=["events", "polarity", "families"], default="events")
    ap.add_argument("--events", type=int, default=300, help="number of picks (windows); families: ignored")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--stations", type=int, default=None, help="default 8 (families: 7)")
    ap.add_argument("--layout", choices=["event", "continuous"], default="event")
    ap.add_argument("--snr", default=None, help="LO,HI (default 5,100; families 10,150; --hard 2,50)")
    ap.add_argument("--hard", action="store_true")
    ap.add_argument("--orphans", type=float, default=0.0, help="families: fraction of one-off events")
    ap.add_argument("--plain-stations", action="store_true",
                    help="diagnostic: one sensor type, no site resonance, no tones, the same noise model at every "
                         "station (same events as without it)")
    ap.add_argument("--quiet", action="store_true")
    args = ap.parse_args()
    if args.snr is None:
        args.snr = "2,50" if args.hard else ("10,150" if args.mode == "families" else "5,100")
    args.snr = tuple(float(v) for v in args.snr.split(","))
    if args.stations is None:
        args.stations = 7 if args.mode == "families" else 8
    if os.path.exists(args.out) and os.listdir(args.out):
        sys.exit("error: %s exists and is not empty" % args.out)
    os.makedirs(args.out, exist_ok=True)
    t_start = time.time()
    rng = np.random.default_rng([args.seed, 1])
    stations = make_stations(args.stations, rng, args.hard, args.plain_stations)
    for s in stations:
        calibrate_gain(s, np.random.default_rng([args.seed, 3, zlib.crc32(s["sta"].encode())]))
    recs = build_records(args, stations, np.random.default_rng([args.seed, 5]))
    render(args, stations, recs, args.out)
    recs.sort(key=lambda r: (r["pick"], r["sta"]))
    with open(os.path.join(args.out, "picks.csv"), "w", newline="") as fp, \
            open(os.path.join(args.out, "truth.csv"), "w", newline="") as ft, \
            open(os.path.join(args.out, "meta.csv"), "w", newline="") as fm:
        wp, wt, wm = csv.writer(fp), csv.writer(ft), csv.writer(fm)
        wp.writerow(["network", "station", "location", "channel", "time", "phase"])
        wt.writerow(["network", "station", "location", "time", "label"])
        wm.writerow(["network", "station", "location", "time", "label", "kind", "true_onset", "snr", "mw",
                     "depth_km", "distance", "s_minus_p", "strike", "dip", "rake", "rp", "fs"])
        for r in recs:
            s = stations[r["sta"]]
            ch = "" if s.get("blank_channel") else channel_codes(s)[0]
            tstr = iso(r["pick"])
            wp.writerow([s["net"], s["sta"], s["loc"], ch, tstr, "P"])
            wt.writerow([s["net"], s["sta"], s["loc"], tstr, r["label"]])
            g, src = r["geom"], r["src"]
            dist = g.get("delta", None)
            dist = "%.2fdeg" % dist if dist is not None else "%.2fkm" % g["x"]
            wm.writerow([s["net"], s["sta"], s["loc"], tstr, r["label"], r["kind"], iso(r["pick_true"]),
                         "%.2f" % r["snr"], "%.2f" % src["mw"], "%.2f" % g["z"], dist, "%.3f" % r["tsp"],
                         "%.1f" % src["strike"], "%.1f" % src["dip"], "%.1f" % src["rake"],
                         "%.3f" % r.get("rp", float("nan")), s["fs"]])
    with open(os.path.join(args.out, "stations.csv"), "w", newline="") as fs_:
        w = csv.writer(fs_)
        w.writerow(["network", "station", "location", "channels", "sampling_rate_hz", "sensor", "orientation",
                    "format", "encoding", "reclen", "byteorder", "latitude", "longitude", "gain", "noise_counts"])
        for s in stations:
            f = s["fmt"]
            enc = f.get("enc", "float32") + ("+" + f["mix"]["enc"] if f.get("mix") else "")
            w.writerow([s["net"], s["sta"], s["loc"], " ".join(channel_codes(s)), s["fs"], s["sensor"],
                        "%s %.1f" % s["orient"], f["kind"], enc, f.get("reclen", ""), f["order"],
                        "%.4f" % s["lat"], "%.4f" % s["lon"], "%.4g" % s["gain"], "%.1f" % s["noise_counts"]])
    labels = {}
    for r in recs:
        labels[r["label"]] = labels.get(r["label"], 0) + 1
    if not args.quiet:
        print("%s: %d picks at %d stations, labels %s; %d files (%d gaps, %d dropouts, %d spikes, %d INT16->INT32) in %.0f s"
              % (args.out, len(recs), len(stations), dict(sorted(labels.items())), STATS["files"], STATS["gaps"],
                 STATS["dropouts"], STATS["spikes"], STATS["int16_fallback"], time.time() - t_start), file=sys.stderr)


if __name__ == "__main__":
    main()
