// glibc's allocator settings (mallopt); nothing to link beyond libc.
#include <malloc.h>
