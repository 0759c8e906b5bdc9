#pragma once

// Maximum-likelihood fit of a Gompertz proportional-hazards model with
// right censoring, parameterised as the flexsurv R package does
// ("gompertz": hazard h(t) = rate exp(shape t), rate = exp(b0 + b'z)):
//   log L = sum_i d_i (b0 + b'z_i + shape t_i) - rate_i (exp(shape t_i) - 1) / shape.
// The log-likelihood is concave in (b0, b, shape), so Newton-Raphson with
// step halving converges from any start; it stops when every gradient entry
// is below `gradientTolerance` relative to the number of rows.
// Time t in the caller's unit (BioAge: months).

#include "util/expected.h"

#include <vector>

namespace bioforge::age {

struct GompertzData {
    std::vector<double> time;               // >= 0
    std::vector<int> event;                 // 1 = died, 0 = censored
    std::vector<std::vector<double>> covariates; // [covariate][row]
};

struct GompertzFit {
    double shape = 0;
    double logRate = 0;                // b0
    std::vector<double> coefficients;  // b, one per covariate
    double logLikelihood = 0;
    qint64 rows = 0, events = 0;
    int iterations = 0;
};

core::Expected<GompertzFit> fitGompertz(const GompertzData& data, double gradientTolerance = 1e-9, int maxIterations = 200);

// The log-likelihood at given parameters (for checks against a reference).
double gompertzLogLikelihood(const GompertzData& data, double shape, double logRate, const std::vector<double>& coefficients);

} // namespace bioforge::age
