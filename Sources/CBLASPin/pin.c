// Decision 0023: one OpenBLAS kernel family on every x86-64 CPU with AVX2 and FMA.
//
// OpenBLAS (built with DYNAMIC_ARCH, as Debian's is) picks its kernels by CPU in its own load-time
// constructor, reading OPENBLAS_CORETYPE. Each family sums matrix products in its own order, and
// training turns that last bit into other labels for the same seed on another CPU. This
// constructor runs after OpenBLAS's (a library's initialisers run before those of the program
// that loads it) and before any BLAS call; OpenBLAS's worker threads exist by then but sit idle
// and read nothing of the kernel choice until a call hands them work. When the user named no
// kernel (OPENBLAS_CORETYPE unset or empty) and the CPU runs the Haswell kernels, it sets
// OPENBLAS_CORETYPE=Haswell and lets OpenBLAS choose again: gotoblas_dynamic_quit, then
// gotoblas_dynamic_init, which re-reads the variable. Those entry points exist only in
// DYNAMIC_ARCH builds; they are weak references here, so an OpenBLAS built for one CPU leaves
// them null and is left as it is. It covers every program that links this package's Numerics
// module: the command line, the benchmarks and `swift test`.
#if defined(__linux__) && defined(__x86_64__)
#define _GNU_SOURCE
#endif

#include "CBLASPin.h"

#include <stddef.h>

#if defined(__linux__) && defined(__x86_64__)
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <unistd.h>

extern void gotoblas_dynamic_quit(void) __attribute__((weak));
extern void gotoblas_dynamic_init(void) __attribute__((weak));
extern char *openblas_get_corename(void) __attribute__((weak));
#endif

static const char pin_kernel[] = "Haswell";
static int pinned = 0;
static char requested_copy[64];
static int requested_set = 0;

const char *seiscluster_blas_pin_kernel(void) { return pin_kernel; }

int seiscluster_blas_pinned(void) { return pinned; }

const char *seiscluster_blas_requested(void) { return requested_set ? requested_copy : NULL; }

#if defined(__linux__) && defined(__x86_64__)
// Under an address-space limit (`ulimit -v`, a batch system's h_vmem), OpenBLAS's worker
// threads, started by its load-time constructor one per core, each ask for a buffer of about
// 128 MB as they start; one that is refused retries for ever, and the first BLAS call (our
// `useCallingThreadOnly`, which stops them) waits for it: under `ulimit -v 300000` every command
// hung on 2 cores (a hostile-input sweep), and a 64-core server would need some 8 GB. Such a
// process starts itself again with OPENBLAS_NUM_THREADS=1 (no workers: seiscluster runs BLAS on
// the calling thread only, so results are the same), unless the user set that variable to a
// count. glibc hands an executable's constructors argc, argv and envp.
static void seiscluster_single_blas_thread_under_limit(char **argv) {
  if (argv == NULL || argv[0] == NULL) return;
  // Set to a count, the user's choice stands; empty or 0 means "every core" to OpenBLAS.
  const char *threads = getenv("OPENBLAS_NUM_THREADS");
  if (threads != NULL && threads[0] != '\0' && strcmp(threads, "0") != 0) return;
  struct rlimit limit;
  if (getrlimit(RLIMIT_AS, &limit) != 0 || limit.rlim_cur == RLIM_INFINITY) return;
  // The program itself, by its real path (so its name stays `seiscluster`, not `exe`); not
  // when it was started through the dynamic loader (`ld-linux-x86-64.so.2 seiscluster ...`),
  // whose argv this would hand to the loader.
  char path[4096];
  ssize_t length = readlink("/proc/self/exe", path, sizeof path - 1);
  if (length <= 0) return;
  path[length] = '\0';
  const char *name = strrchr(path, '/');
  name = name == NULL ? path : name + 1;
  if (strncmp(name, "ld-", 3) == 0) return;
  // The user's value, kept to put back (setenv may free the string getenv pointed to).
  char saved[16] = {0};
  const int had = threads != NULL;
  if (had) strncpy(saved, threads, sizeof saved - 1);
  if (setenv("OPENBLAS_NUM_THREADS", "1", 1) != 0) return;
  execv(path, argv);
  // Not started again: go on as before.
  if (had) {
    setenv("OPENBLAS_NUM_THREADS", saved, 1);
  } else {
    unsetenv("OPENBLAS_NUM_THREADS");
  }
}

__attribute__((constructor)) static void seiscluster_pin_blas(int argc, char **argv, char **envp) {
  (void)argc;
  (void)envp;
  seiscluster_single_blas_thread_under_limit(argv);
  const char *requested = getenv("OPENBLAS_CORETYPE");
  if (requested != NULL) {
    strncpy(requested_copy, requested, sizeof requested_copy - 1);
    requested_set = 1;
    // An empty value names no kernel (OpenBLAS falls back to its own choice); a named one stays.
    if (requested[0] != '\0') return;
  }
  __builtin_cpu_init();
  if (!__builtin_cpu_supports("avx2") || !__builtin_cpu_supports("fma")) return;
  if (gotoblas_dynamic_quit == NULL || gotoblas_dynamic_init == NULL ||
      openblas_get_corename == NULL)
    return;
  if (setenv("OPENBLAS_CORETYPE", pin_kernel, 1) != 0) return;
  gotoblas_dynamic_quit();
  gotoblas_dynamic_init();
  // Pinned only if OpenBLAS took the name (a build without it falls back to its own choice).
  const char *chosen = openblas_get_corename();
  pinned = chosen != NULL && strcasecmp(chosen, pin_kernel) == 0;
}
#endif
