#ifndef ROUTERISK_CSQLITE_SHIM_H
#define ROUTERISK_CSQLITE_SHIM_H
#include <sqlite3.h>
#endif
