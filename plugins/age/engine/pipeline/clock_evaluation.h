#pragma once

// How well a clock tracks mortality on people with follow-up, the
// comparison the age page shows side by side for every clock:
//   - correlation with chronological age (Pearson);
//   - Harrell's C-index of the clock itself and of its acceleration as
//     mortality risk, with percentile bootstrap intervals; acceleration is
//     the residual of the clock regressed on chronological age over the
//     people evaluated (the usual "age acceleration": clock - age would make
//     any clock that regresses towards the mean age look protective);
//   - the hazard ratio per year of acceleration (an SD for HD) from a Cox
//     model adjusted for age and sex (the same for the residual and for
//     clock - age once age is in the model), with its Wald 95 % interval;
//   - Kaplan-Meier curves by quartile of acceleration.
// Rows enter when the clock has a value and the row has follow-up, age, sex.

#include "stats/survival_stats.h"
#include "table/cohort.h"

#include <QJsonObject>
#include <QString>
#include <QStringList>

#include <array>
#include <cmath>
#include <functional>
#include <optional>
#include <vector>

namespace bioforge::age {

struct ClockEvaluation {
    QString clock;
    qint64 rows = 0, deaths = 0;
    double correlationWithAge = std::nan("");
    double cIndex = std::nan(""), cIndexAdvance = std::nan("");
    Interval cIndexInterval{std::nan(""), std::nan("")}, cIndexAdvanceInterval{std::nan(""), std::nan("")};
    double hazardRatio = std::nan(""); // per unit of acceleration, adjusted for age and sex (coxAdjustedFor)
    QStringList coxAdjustedFor;        // the covariates beside the acceleration: "age", "sex" (one the same for everyone is left out)
    Interval hazardRatioInterval{std::nan(""), std::nan("")};
    // By acceleration, lowest first; for a clock that is not an age (a risk score: HENAW's
    // mortality head) or for chronological age, by the value itself, and then there is no
    // acceleration to rank by: cIndexAdvance and its interval stay NaN.
    std::array<SurvivalCurve, 4> quartiles;
    bool quartilesOfAcceleration = true;
    QString note;               // why a figure is missing
    bool complete = true;       // false: stopped in its bootstrap (a pause); nothing of it is to be kept

    QJsonObject toJson() const;
    // What toJson() wrote (a checkpoint entry's): null figures are NaN; nullopt where a field is
    // missing or of another type.
    static std::optional<ClockEvaluation> fromJson(const QJsonObject& json);
};

// The steps evaluateClock() reports through `replicateDone`, at most: one bootstrap resample of the
// clock's C-index (and of its acceleration's, with a difference) each; the progress of an evaluate
// run counts them, as they are nearly all of its time.
inline qint64 bootstrapSteps(bool advanceIsDifference, int bootstrapReplicates)
{
    return qint64(bootstrapReplicates) * (advanceIsDifference ? 2 : 1);
}

// `values` per cohort row (NaN = none); advanceIsDifference: acceleration =
// value - age, else the value itself; adjustForAge false for age itself
// (the Cox model then has the value and sex only). `replicateDone`, when given, is called after
// each bootstrap resample (bootstrapSteps() at most); false stops the evaluation at once (a pause):
// the result is then not complete.
ClockEvaluation evaluateClock(const QString& name, const Cohort& cohort, const std::vector<double>& values, bool advanceIsDifference,
                              bool adjustForAge, int bootstrapReplicates, uint64_t seed, const std::function<bool()>& replicateDone = {});

} // namespace bioforge::age
