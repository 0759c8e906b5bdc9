#pragma once

// The statistics that say whether a clock can be trusted, on people with
// mortality follow-up:
//  - Harrell's C-index (Harrell et al. 1982, JAMA 247:2543): over pairs whose
//    shorter time ends in death (a censored time equal to a death time counts
//    as longer), the share where the higher risk died first; risk ties count
//    one half. O(n log n) (a Fenwick tree over risk ranks).
//  - Cox proportional hazards (Cox 1972) by Newton-Raphson on the partial
//    likelihood with Breslow's handling of tied death times; coefficients,
//    standard errors from the inverse information, hazard ratios.
//  - Kaplan-Meier survival curves; Pearson correlation; percentile bootstrap
//    intervals from a seeded generator (the same seed, the same interval).

#include "util/expected.h"

#include <QString>

#include <algorithm>
#include <cstdint>
#include <functional>
#include <vector>

namespace bioforge::age {

struct SurvivalData {
    std::vector<double> time;
    std::vector<int> event; // 1 died, 0 censored
};

// NaN when no pair is comparable.
double concordanceIndex(const SurvivalData& data, const std::vector<double>& risk);

struct CoxFit {
    std::vector<double> coefficients, standardErrors;
    double logLikelihood = 0;
    qint64 rows = 0, events = 0;
    // Covariates with no finite estimate (the deaths are separated by them: R's "coefficient may be
    // infinite"): their coefficients and hazard ratios are not estimates; the others' are (each
    // conditional on the separation, as R reports them).
    std::vector<size_t> infinite;
    bool isFinite(size_t j) const { return std::find(infinite.begin(), infinite.end(), j) == infinite.end(); }
    double hazardRatio(size_t j) const;
    std::pair<double, double> hazardRatioInterval(size_t j, double z = 1.959963984540054) const;
};
// Cox proportional hazards by Newton-Raphson on the Breslow partial likelihood (ties as R's
// coxph(ties = "breslow")). `covariates[j][i]`: covariate j of row i. A coefficient with no finite
// estimate is listed in CoxFit::infinite (R's "coefficient may be infinite" test). Errors: no deaths
// or no covariates; a singular information matrix (a covariate constant or collinear); no
// convergence in `maxIterations`.
core::Expected<CoxFit> fitCox(const SurvivalData& data, const std::vector<std::vector<double>>& covariates, int maxIterations = 50);

struct SurvivalCurve {
    std::vector<double> time, survival; // steps: survival after each distinct death time (time 0 = 1)
    qint64 rows = 0, events = 0;
};
SurvivalCurve kaplanMeier(const SurvivalData& data);

double pearsonCorrelation(const std::vector<double>& x, const std::vector<double>& y);

struct Interval {
    double low = 0, high = 0;
};
// Percentile interval of `statistic` over `replicates` resamples (with
// replacement) of row indices 0..rows-1. `replicateDone`, when given, is called
// after each resample; false stops the loop (a pause): the interval is then NaN.
Interval bootstrapInterval(size_t rows, const std::function<double(const std::vector<size_t>&)>& statistic, int replicates, uint64_t seed,
                           double level = 0.95, const std::function<bool()>& replicateDone = {});

} // namespace bioforge::age
