#pragma once

// Klemera-Doubal biological age (Klemera & Doubal 2006, Mech Ageing Dev
// 127:240), trained per sex on a reference cohort and projected onto
// another, as the BioAge R package's kdm_calc() does (Kwon & Belsky 2021):
//   per marker j: OLS of x_j on age over the rows where x_j is present gives
//     intercept q_j, slope k_j, residual SD s_j (denominator n - 1), r2_j;
//   rchar = sum_j |k_j/s_j| sqrt(r2_j) / sum_j |k_j/s_j|
//   s_r   = (1 - rchar^2) / rchar^2 * (age_max - age_min)^2 / (12 m)
//   BA_E  = [sum_j (x_j - q_j) k_j / s_j^2] / [sum_j (k_j / s_j)^2]
//   s2    = variance (denominator n) of BA_E - age over training rows
//   s_BA^2 = s2 - s_r
//   kdm   = [sum_j (x_j - q_j) k_j / s_j^2 + age / s_BA^2] / [sum_j (k_j / s_j)^2 + 1 / s_BA^2]
// Which training rows enter s2 is a setting: `All` (BioAge HEAD: rows with
// at least one marker, their BA_E over the markers present scaled by
// m / present) or `Complete` (rows with all m markers: the values BioAge
// ships as kdm0). On projection a row may lack up to `missingAllowed`
// markers: they leave the first sum only, as BioAge does.

#include "clocks/phenoage.h"
#include "table/cohort.h"
#include "util/expected.h"

#include <QJsonObject>
#include <QStringList>

#include <array>
#include <vector>

namespace bioforge::age {

enum class KdmVarianceRows { All, Complete };

struct KdmSettings {
    QStringList markers;       // our biomarker names, in canonical units (a linear change of a marker's unit
                               // changes q, k, s in proportion and no biological age)
    CrpTransform crp = CrpTransform::Log1p; // "crp" enters as ln(1 + CRP) (BioAge) or ln(CRP)
    double minAge = 30, maxAge = 75;   // training rows, inclusive
    bool excludePregnant = true;       // rows with unknown pregnancy are excluded too (BioAge's pregnant == 0),
                                       // unless no row has a status: see KdmModel::pregnancyStatusMissing
    KdmVarianceRows varianceRows = KdmVarianceRows::All;
    int missingAllowed = 2;
};

struct KdmMarkerFit {
    QString marker;
    qint64 rows = 0;
    double q = 0, k = 0, s = 0, r2 = 0;
};

struct KdmSexModel {
    Sex sex = Sex::Unknown;
    QString untrained; // why KDM could not be trained for this sex (the reference has too few of them); empty when trained
    std::vector<KdmMarkerFit> markers;
    qint64 trainingRows = 0, completeRows = 0, varianceRows = 0;
    double ageMin = 0, ageMax = 0;
    double rchar = 0, sR = 0, s2 = 0, sBA2 = 0, sumK2OverS2 = 0;
};

struct KdmModel {
    KdmSettings settings;
    // The reference records no one's pregnancy status (the mapped column is absent, or every cell of
    // it blank; a code the mapping does not know is a status, unrecognised): the filter cannot be applied, and everyone in the age range is trained on (BioAge's filter would
    // leave no one, men included). The run says so; settings.excludePregnant is then false.
    bool pregnancyStatusMissing = false;
    std::array<KdmSexModel, 2> bySex; // [0] male, [1] female

    const KdmSexModel& forSex(Sex sex) const { return bySex[sex == Sex::Female ? 1 : 0]; }
    QJsonObject toJson() const;
};

// Per sex; a sex the reference has too few of is left untrained (KdmSexModel::untrained: its people
// get no KDM, with the reason) — an error only when neither sex can be trained.
core::Expected<KdmModel> trainKdm(const Cohort& reference, const KdmSettings& settings);

struct KdmResult {
    double age = 0;   // NaN when it cannot be computed
    QString why;      // empty when computed
};
KdmResult projectKdm(const KdmModel& model, const Cohort& cohort, qsizetype row);

} // namespace bioforge::age
