#!/usr/bin/env python3
"""Accuracy of OpenBLAS's sgemm with the kernel family in use, against NumPy in double.

    OPENBLAS_CORETYPE=Haswell python tools/experiments/sgemm_kernels.py
    OPENBLAS_CORETYPE=Cooperlake python tools/experiments/sgemm_kernels.py

Calls `cblas_sgemm` of the system's libopenblas.so.0 (the library seiscluster links) through
ctypes on 8,640 row-major products of the network's kind (m, n, k up to 100, 3000, 129; both
transposes; alpha 0.7; beta 0, 0.5, 1; leading dimensions 3 wider than the matrices) and prints
the kernel family and the largest error relative to the result's largest entry. It also checks
that the padding columns of C are left untouched. Decision 0023.
"""
import ctypes

import numpy as np

lib = ctypes.CDLL("libopenblas.so.0")
lib.openblas_get_corename.restype = ctypes.c_char_p
lib.openblas_set_num_threads(1)
F = ctypes.POINTER(ctypes.c_float)
rng = np.random.default_rng(1)
worst = 0.0
count = 0
for m in (1, 2, 3, 5, 8, 16, 17, 32, 64, 100):
    for n in (1, 3, 8, 15, 16, 33, 64, 250, 3000):
        for k in (1, 3, 7, 16, 21, 48, 64, 129):
            for ta in (111, 112):  # CblasNoTrans, CblasTrans
                for tb in (111, 112):
                    for beta in (0.0, 0.5, 1.0):
                        pad = 3
                        a = rng.standard_normal((m, k + pad) if ta == 111 else (k, m + pad))
                        b = rng.standard_normal((k, n + pad) if tb == 111 else (n, k + pad))
                        a = a.astype(np.float32)
                        b = b.astype(np.float32)
                        c0 = rng.standard_normal((m, n + pad)).astype(np.float32)
                        c = c0.copy()
                        lib.cblas_sgemm(
                            101, ta, tb, m, n, k, ctypes.c_float(0.7),
                            a.ctypes.data_as(F), a.shape[1], b.ctypes.data_as(F), b.shape[1],
                            ctypes.c_float(beta), c.ctypes.data_as(F), n + pad)
                        ad, bd = a.astype(np.float64), b.astype(np.float64)
                        aop = ad[:, :k] if ta == 111 else ad[:, :m].T
                        bop = bd[:, :n] if tb == 111 else bd[:, :k].T
                        ref = 0.7 * (aop @ bop) + beta * c0[:, :n].astype(np.float64)
                        err = np.abs(c[:, :n] - ref).max() / (np.abs(ref).max() + 1e-30)
                        if not np.array_equal(c[:, n:], c0[:, n:]):
                            raise SystemExit(f"padding of C written: {m} {n} {k} {ta} {tb}")
                        worst = max(worst, err)
                        count += 1
print(f"{lib.openblas_get_corename().decode()}: {count} products, "
      f"largest error {worst:.2g} of the result's largest entry")
