#include "clocks/phenoage.h"

#include <cmath>

namespace bioforge::age {

QString PhenoAgeSettings::describe() const
{
    return QStringLiteral("CRP as %1, final divisor %2").arg(crp == CrpTransform::Log1p ? QStringLiteral("ln(1 + CRP mg/dL)") : QStringLiteral("ln(CRP mg/dL)"),
                                                             QString::number(divisor, 'g', 8));
}

const QStringList& phenoAgeMarkers()
{
    static const QStringList names{QStringLiteral("albumin"), QStringLiteral("creatinine"), QStringLiteral("glucose"),
                                   QStringLiteral("crp"), QStringLiteral("lymphocyte_pct"), QStringLiteral("mcv"),
                                   QStringLiteral("rdw"), QStringLiteral("alp"), QStringLiteral("wbc")};
    return names;
}

std::optional<double> transformCrp(double crp, CrpTransform transform)
{
    if (!std::isfinite(crp) || crp < 0)
        return std::nullopt;
    if (transform == CrpTransform::Log1p)
        return std::log1p(crp);
    if (crp <= 0)
        return std::nullopt;
    return std::log(crp);
}

double PublishedPhenoAge::linearPredictor(const std::array<double, 9>& x, double age)
{
    double xb = kIntercept + kAge * age;
    for (size_t j = 0; j < x.size(); ++j)
        xb += kCoefficients[j] * x[j];
    return xb;
}

double PublishedPhenoAge::mortalityScore(double xb) { return -std::expm1(-kLambda * std::exp(xb) / kGamma); }

double PublishedPhenoAge::years(double xb, double divisor) { return kC + (xb + std::log(kK * kLambda / kGamma)) / divisor; }

double RetrainedPhenoAge::linearPredictor(const std::array<double, 9>& x, double ageYears) const
{
    double xb = logRate + age * ageYears;
    for (size_t j = 0; j < x.size(); ++j)
        xb += coefficients[j] * x[j];
    return xb;
}

double RetrainedPhenoAge::years(double xb) const
{
    // ln(baN ln(1 - M)) = ln(baN mN / mD) + xb, with baN, mN < 0 < mD.
    return (xb + std::log(baN * mN / mD)) / baD + baI;
}

} // namespace bioforge::age
