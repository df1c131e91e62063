#include <libmseed.h>
