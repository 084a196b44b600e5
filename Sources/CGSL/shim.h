#ifndef SCHEDLAB_CGSL_SHIM_H
#define SCHEDLAB_CGSL_SHIM_H
#include <gsl/gsl_rng.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_sf_gamma.h>
#include <gsl/gsl_sf_psi.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_multifit_nlinear.h>

/* gsl_rng_mt19937 is a C global; returning it from a function keeps Swift 6 from seeing shared mutable state. */
static inline const gsl_rng_type *schedlab_gsl_mt19937(void) { return gsl_rng_mt19937; }

/* gsl_multifit_nlinear_trust (the trust-region method) is a C global too. */
static inline const gsl_multifit_nlinear_type *schedlab_gsl_nlinear_trust(void) { return gsl_multifit_nlinear_trust; }

/* GSL's default error handler aborts the process; SchedLab validates parameters itself and wants
   errors reported as values, so the handler is switched off once at start-up. */
static inline void schedlab_gsl_disable_abort(void) { gsl_set_error_handler_off(); }
#endif
