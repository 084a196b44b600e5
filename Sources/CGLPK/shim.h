#ifndef SCHEDLAB_CGLPK_SHIM_H
#define SCHEDLAB_CGLPK_SHIM_H
/* GLPK, the GNU Linear Programming Kit (Debian: libglpk-dev, which ships no pkg-config file, so the module map
   links libglpk by name). GLPK aborts the process on API misuse (glp_error); the Swift wrapper in
   Sources/Optimization validates every input before calling it. */
#include <glpk.h>
#endif
