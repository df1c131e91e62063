#ifndef SEISCLUSTER_CBLASPIN_H
#define SEISCLUSTER_CBLASPIN_H

/// The kernel family seiscluster pins OpenBLAS to ("Haswell"; decision 0023).
const char *seiscluster_blas_pin_kernel(void);

/// 1 when the process was switched to the pinned kernels as it loaded, else 0.
int seiscluster_blas_pinned(void);

/// OPENBLAS_CORETYPE as the process found it before pinning (NULL when unset).
const char *seiscluster_blas_requested(void);

#endif
