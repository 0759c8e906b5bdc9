#pragma once

// Homeostatic dysregulation (Cohen et al. 2013, Mech Ageing Dev 134:110; as
// the BioAge R package's hd_calc() computes it), per sex: each marker is
// standardised by a young, healthy reference's mean and SD,
// z = (x - mean) / sd; raw = sqrt((z - c)' S^-1 (z - c)) is the Mahalanobis
// distance to the reference's centre c with covariance S (both over its
// complete rows); hd = raw / SD(raw), hd_log = ln(raw) / SD(ln raw), the
// SDs over the people of that sex with complete markers in the projected
// cohort (or stored ones, to put a person on another cohort's scale).

#include "clocks/phenoage.h"
#include "table/cohort.h"
#include "util/expected.h"

#include <QStringList>

#include <array>
#include <vector>

namespace bioforge::age {

struct HdSexReference {
    std::vector<double> mean, sd, centre; // per marker
    std::vector<double> inverseCovariance; // m x m, row-major
    qint64 referenceRows = 0;              // complete rows behind centre and covariance
    double rawSd = 0, logRawSd = 0;        // divisors; 0 = take them from the projected cohort, NaN = none
};

struct HdModel {
    QStringList markers;
    CrpTransform crp = CrpTransform::Log1p;
    std::array<HdSexReference, 2> bySex; // [0] male, [1] female
};

// Reference statistics from `reference` (all its rows of each sex: choose
// the young healthy people before). SDs and covariance with denominator n - 1.
core::Expected<HdModel> trainHd(const Cohort& reference, const QStringList& markers, CrpTransform crp);
// A model from stored parameters (covariance given, inverted here).
core::Expected<HdSexReference> hdReferenceFrom(std::vector<double> mean, std::vector<double> sd, std::vector<double> centre,
                                               const std::vector<double>& covariance, double rawSd, double logRawSd);

struct HdValues {
    std::vector<double> raw, hd, hdLog; // per row; NaN where a marker, the sex or the age is missing
};
// Every row of `cohort`; divisors from the model when stored, else from the cohort's complete rows per sex.
HdValues projectHd(const HdModel& model, const Cohort& cohort);
// SD with denominator n - 1 (R's sd); NaN for fewer than two values.
double sampleSd(const std::vector<double>& values);

// The same SD accumulated one value at a time (Welford 1962, Technometrics
// 4:419), so a table streamed in chunks needs no memory per row.
class RunningSd {
public:
    void add(double x)
    {
        ++m_n;
        const double d = x - m_mean;
        m_mean += d / double(m_n);
        m_m2 += d * (x - m_mean);
    }
    qint64 count() const { return m_n; }
    double sd() const; // NaN for fewer than two values
private:
    qint64 m_n = 0;
    double m_mean = 0, m_m2 = 0;
};

} // namespace bioforge::age
