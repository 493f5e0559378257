#ifndef ROUTERISK_CGEOS_SHIM_H
#define ROUTERISK_CGEOS_SHIM_H
// Only the reentrant (*_r) API is exposed: every call names the context it runs in.
#define GEOS_USE_ONLY_R_API
#include <geos_c.h>
#endif
