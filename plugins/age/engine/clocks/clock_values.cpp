#include "clocks/clock_values.h"

#include <cmath>

namespace bioforge::age {

using core::Error;

void ClockValues::fail(size_t row, const QString& reason)
{
    values[row] = std::nan("");
    why[row] = reason;
    ++reasons[reason];
}

qint64 ClockValues::computed() const
{
    qint64 n = 0;
    for (double v : values)
        n += std::isfinite(v) ? 1 : 0;
    return n;
}

std::vector<double> ClockValues::advance(const Cohort& c) const
{
    std::vector<double> out(values.size());
    for (size_t r = 0; r < values.size(); ++r)
        out[r] = values[r] - c.age[r];
    return out;
}

namespace {

ClockValues blank(const QString& name, const Cohort& c)
{
    return {name, std::vector<double>(size_t(c.rows()), std::nan("")), std::vector<QString>(size_t(c.rows())), {}};
}

// The nine PhenoAge inputs of a row (CRP transformed); the reason when one is missing, naming every
// marker the row lacks (one named, the other left for the next run: trial 23 T23-3).
bool phenoAgeInputs(const Cohort& c, qsizetype row, CrpTransform crp, std::array<double, 9>& x, QString* why)
{
    const QStringList& names = phenoAgeMarkers();
    if (!std::isfinite(c.age[size_t(row)])) {
        *why = QStringLiteral("no usable age");
        return false;
    }
    QStringList missing, absent;
    bool crpZero = false;
    for (int j = 0; j < names.size(); ++j) {
        const double v = c.value(names[j], row);
        if (!std::isfinite(v)) {
            (c.has(names[j]) ? missing : absent) << names[j];
            continue;
        }
        if (names[j] == QLatin1String("crp")) {
            const auto t = transformCrp(v, crp);
            crpZero = !t;
            x[size_t(j)] = t ? *t : 0.0;
        } else {
            x[size_t(j)] = v;
        }
    }
    QStringList reasons;
    if (!absent.isEmpty())
        reasons << QStringLiteral("the table has no %1").arg(absent.join(QStringLiteral(", ")));
    if (!missing.isEmpty())
        reasons << (missing.size() == 1 ? QStringLiteral("%1 missing, not a number or out of range for its unit").arg(missing.first())
                                        : QStringLiteral("%1 missing, not numbers or out of range for their units").arg(missing.join(QStringLiteral(", "))));
    if (crpZero)
        reasons << QStringLiteral("ln(CRP) of a CRP of 0 is undefined");
    *why = reasons.join(QStringLiteral("; "));
    return reasons.isEmpty();
}

} // namespace

ClockValues computePhenoAge(const Cohort& c, const PhenoAgeSettings& s)
{
    ClockValues out = blank(QStringLiteral("phenoage"), c);
    std::array<double, 9> x{};
    for (qsizetype r = 0; r < c.rows(); ++r) {
        QString why;
        if (!phenoAgeInputs(c, r, s.crp, x, &why)) {
            out.fail(size_t(r), why);
            continue;
        }
        out.values[size_t(r)] = PublishedPhenoAge::years(PublishedPhenoAge::linearPredictor(x, c.age[size_t(r)]), s.divisor);
    }
    return out;
}

ClockValues computeRetrainedPhenoAge(const Cohort& c, const RetrainedPhenoAge& model, CrpTransform crp)
{
    ClockValues out = blank(QStringLiteral("phenoage_retrained"), c);
    std::array<double, 9> x{};
    for (qsizetype r = 0; r < c.rows(); ++r) {
        QString why;
        if (!phenoAgeInputs(c, r, crp, x, &why)) {
            out.fail(size_t(r), why);
            continue;
        }
        out.values[size_t(r)] = model.years(model.linearPredictor(x, c.age[size_t(r)]));
    }
    return out;
}

ClockValues computeKdm(const Cohort& c, const KdmModel& model, const QString& name)
{
    ClockValues out = blank(name, c);
    for (qsizetype r = 0; r < c.rows(); ++r) {
        const KdmResult k = projectKdm(model, c, r);
        if (!k.why.isEmpty())
            out.fail(size_t(r), k.why);
        else
            out.values[size_t(r)] = k.age;
    }
    return out;
}

core::Expected<RetrainedPhenoAgeFit> trainPhenoAge(const Cohort& c, const PhenoAgeTraining& t)
{
    GompertzData markers, ageOnly;
    markers.covariates.resize(10);
    ageOnly.covariates.resize(1);
    std::array<double, 9> x{};
    for (qsizetype r = 0; r < c.rows(); ++r) {
        const double age = c.age[size_t(r)];
        if (!std::isfinite(age) || age < t.minAge || age > t.maxAge || !c.hasSurvival(r))
            continue;
        const double time = c.followupMonths[size_t(r)];
        ageOnly.time.push_back(time);
        ageOnly.event.push_back(c.event[size_t(r)]);
        ageOnly.covariates[0].push_back(age);
        QString why;
        if (!phenoAgeInputs(c, r, t.crp, x, &why))
            continue;
        markers.time.push_back(time);
        markers.event.push_back(c.event[size_t(r)]);
        for (size_t j = 0; j < 9; ++j)
            markers.covariates[j].push_back(x[j]);
        markers.covariates[9].push_back(age);
    }
    auto biomarkerFit = fitGompertz(markers);
    if (!biomarkerFit)
        return biomarkerFit.error().withContext(QStringLiteral("%1: PhenoAge biomarker model").arg(c.source));
    auto ageFit = fitGompertz(ageOnly);
    if (!ageFit)
        return ageFit.error().withContext(QStringLiteral("%1: PhenoAge age model").arg(c.source));
    RetrainedPhenoAgeFit out{{}, *biomarkerFit, *ageFit};
    RetrainedPhenoAge& m = out.model;
    m.logRate = biomarkerFit->logRate;
    std::copy_n(biomarkerFit->coefficients.begin(), 9, m.coefficients.begin());
    m.age = biomarkerFit->coefficients[9];
    m.mN = -std::expm1(120 * biomarkerFit->shape);
    m.mD = biomarkerFit->shape;
    m.baN = -ageFit->shape;
    m.baD = ageFit->coefficients[0];
    m.baI = (-std::log(std::expm1(120 * ageFit->shape)) - ageFit->logRate) / m.baD;
    if (!(m.baD > 0) || !(m.mD > 0))
        return Error(QStringLiteral("%1: the re-trained PhenoAge has a non-positive age slope or Gompertz shape (%2, %3): mortality does not rise with age in this cohort")
                         .arg(c.source, QString::number(m.baD), QString::number(m.mD)));
    return out;
}

} // namespace bioforge::age
