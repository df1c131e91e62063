#include <cblas.h>

// Stops OpenBLAS's worker threads; exported by OpenBLAS (its fork handler uses it) but not
// declared in cblas.h. The pool starts again by itself if a call needs more than one thread.
int blas_thread_shutdown_(void);
