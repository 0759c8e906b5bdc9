#pragma once

// --missing impute: a cohort's missing biomarker values filled by medians of like people.

#include "table/cohort.h"

#include <QMap>
#include <QString>
#include <QStringList>

namespace bioforge::age {

// Fills missing values of `markers` with the median of the same sex and
// 5-year age band where kMinimumDonors people or more of it have the marker
// (else of the sex, with as many, else of everyone), for the "impute"
// policy — in rows that have at least half of those of `markers` the table
// holds measured (HENAW's rule): a row with fewer would get clock values made
// of medians alone (an "acceleration" of a person with no lab values). Such
// rows keep their gaps; `sparseRows`, when given, receives their count.
// Returns how many values were filled, per marker; Cohort::imputed says, per row, which and from whom.
constexpr qsizetype kMinimumDonors = 5;
QMap<QString, qint64> imputeByAgeSexMedian(Cohort& cohort, const QStringList& markers, qint64* sparseRows = nullptr);

} // namespace bioforge::age
