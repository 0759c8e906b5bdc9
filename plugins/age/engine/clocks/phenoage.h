#pragma once

// PhenoAge (Levine et al. 2018, Aging 10:573, "An epigenetic biomarker of
// aging for lifespan and healthspan", its phenotypic age): a Gompertz
// mortality score from nine blood markers and age, mapped to years.
//   xb = b0 + sum_j b_j x_j + b_age age
//   M  = 1 - exp(-lambda exp(xb) / gamma)                 10-year mortality
//   phenoage = c + ln(-k ln(1 - M)) / d
// computed in the algebraically equal, safer form
//   phenoage = c + (xb + ln(k lambda / gamma)) / d.
// Inputs (canonical units): albumin g/L, creatinine umol/L, glucose mmol/L,
// CRP mg/dL (entering as ln(1 + CRP) as the BioAge package does, or ln(CRP)
// as the paper writes: a setting), lymphocytes %, MCV fL, RDW %, ALP U/L,
// WBC 10^3/uL, age years. The final divisor d is 0.090165 (BioAge HEAD) or
// 0.09165 (the PLOS Medicine correction): a setting too. Both settings go
// into every result's provenance.
//
// A re-trained PhenoAge has the same form with a Gompertz model re-fitted on
// another cohort (clocks/gompertz_fit.h) and its own mapping to years.

#include <QString>
#include <QStringList>

#include <array>
#include <optional>

namespace bioforge::age {

enum class CrpTransform { Log1p, Log };

struct PhenoAgeSettings {
    CrpTransform crp = CrpTransform::Log1p; // BioAge's default
    double divisor = 0.090165;              // BioAge HEAD (2026-04-02)
    QString describe() const;               // for provenance and reports
};

// The nine markers, in the order of the coefficient arrays.
const QStringList& phenoAgeMarkers();

// ln(1 + CRP) or ln(CRP), CRP in mg/dL; nullopt where undefined (ln of 0).
std::optional<double> transformCrp(double crpMgPerDl, CrpTransform transform);

// The published model; `x` holds the nine markers (CRP already transformed).
struct PublishedPhenoAge {
    static constexpr double kIntercept = -19.90667;
    static constexpr std::array<double, 9> kCoefficients{-0.03359355, 0.009506491, 0.1953192, 0.09536762, -0.01199984,
                                                         0.02676401, 0.3306156, 0.001868778, 0.05542406};
    static constexpr double kAge = 0.08035356;
    static constexpr double kLambda = 1.51714;   // the literal numerator of the published formula
    static constexpr double kGamma = 0.007692696;
    static constexpr double kK = 0.0055305;
    static constexpr double kC = 141.50225;

    static double linearPredictor(const std::array<double, 9>& x, double age);
    static double mortalityScore(double xb); // M, the 10-year mortality
    static double years(double xb, double divisor);
};

// A re-trained PhenoAge: a biomarker Gompertz model and an age-only one, as
// BioAge's phenoage_nhanes() builds them (its "Modified-Levine"):
//   M = 1 - exp(mN exp(xb) / mD), phenoage = ln(baN ln(1 - M)) / baD + baI,
//   mN = -(exp(120 shape) - 1), mD = shape; baN = -shapeAge, baD = age
//   coefficient of the age-only model, baI = (-ln(exp(120 shapeAge) - 1) - logRateAge) / baD.
struct RetrainedPhenoAge {
    double logRate = 0;                  // intercept of the biomarker model
    std::array<double, 9> coefficients{}; // per marker (phenoAgeMarkers order)
    double age = 0;
    double mN = 0, mD = 0, baN = 0, baD = 0, baI = 0;

    double linearPredictor(const std::array<double, 9>& x, double ageYears) const;
    double years(double xb) const;
};

} // namespace bioforge::age
