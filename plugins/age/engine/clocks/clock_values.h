#pragma once

// The published clocks applied to every row of a cohort: one value per row
// (NaN where the clock cannot be computed) and, for those rows, the reason,
// counted by kind, so that a run can say why a row has no value.
// Re-training of PhenoAge on a cohort with mortality follow-up lives here too.

#include "clocks/gompertz_fit.h"
#include "clocks/homeostatic_dysregulation.h"
#include "clocks/kdm.h"
#include "clocks/phenoage.h"
#include "table/cohort.h"

#include <QMap>
#include <QString>

#include <vector>

namespace bioforge::age {

struct ClockValues {
    QString name;                 // "phenoage", "kdm", …
    std::vector<double> values;   // per row; NaN = not computed
    std::vector<QString> why;     // per row; empty where computed
    QMap<QString, qint64> reasons; // how many rows for each reason

    void fail(size_t row, const QString& reason);
    qint64 computed() const;
    std::vector<double> advance(const Cohort& cohort) const; // value - chronological age
};

ClockValues computePhenoAge(const Cohort& cohort, const PhenoAgeSettings& settings);
ClockValues computeRetrainedPhenoAge(const Cohort& cohort, const RetrainedPhenoAge& model, CrpTransform crp);
ClockValues computeKdm(const Cohort& cohort, const KdmModel& model, const QString& name = QStringLiteral("kdm"));

struct PhenoAgeTraining {
    double minAge = 20, maxAge = 84; // BioAge's NHANES III training rows
    CrpTransform crp = CrpTransform::Log1p;
};
struct RetrainedPhenoAgeFit {
    RetrainedPhenoAge model;
    GompertzFit biomarkerFit, ageFit;
};
// Gompertz on the nine markers + age (rows with all of them and follow-up),
// then on age alone (rows with age and follow-up), time in months.
core::Expected<RetrainedPhenoAgeFit> trainPhenoAge(const Cohort& reference, const PhenoAgeTraining& training);

} // namespace bioforge::age
