#include "clocks/kdm.h"

#include <QJsonArray>

#include <algorithm>
#include <cmath>

namespace bioforge::age {

using core::Error;

namespace {

// The marker as KDM uses it: canonical units, CRP transformed.
double markerValue(const Cohort& c, int index, const QString& name, qsizetype row, CrpTransform crp)
{
    const double v = index < 0 ? std::nan("") : c.markers[size_t(index)][size_t(row)];
    if (name == QLatin1String("crp"))
        return transformCrp(v, crp).value_or(std::nan(""));
    return v;
}

core::Expected<KdmSexModel> trainSex(const Cohort& c, const KdmSettings& s, Sex sex, const std::vector<int>& index)
{
    KdmSexModel model;
    model.sex = sex;
    const int m = int(s.markers.size());
    std::vector<qsizetype> rows;
    qint64 unknownPregnancy = 0, uncodedPregnancy = 0; // rows left out for want of a status, or for a code the mapping does not know
    for (qsizetype r = 0; r < c.rows(); ++r) {
        const double age = c.age[size_t(r)];
        if (c.sex[size_t(r)] != sex || !std::isfinite(age) || age < s.minAge || age > s.maxAge)
            continue;
        if (s.excludePregnant && c.pregnant[size_t(r)] != 0) {
            unknownPregnancy += c.pregnant[size_t(r)] == -1 ? 1 : 0;
            uncodedPregnancy += c.pregnant[size_t(r)] == -2 ? 1 : 0;
            continue;
        }
        rows.push_back(r);
    }
    model.trainingRows = qint64(rows.size());
    // (Where no row records a status, trainKdm turns the filter off; here some do and others not.)
    if (rows.size() < 10)
        return Error(QStringLiteral("KDM: %1 training rows for %2 (ages %3-%4%5): too few%6%7")
                         .arg(QString::number(rows.size()), sex == Sex::Male ? QStringLiteral("men") : QStringLiteral("women"),
                              QString::number(s.minAge), QString::number(s.maxAge), s.excludePregnant ? QStringLiteral(", not pregnant") : QString(),
                              unknownPregnancy > 0 ? QStringLiteral("; %1 more have no pregnancy status (empty in the mapping's pregnancy column): "
                                                                    "KDM is trained, as BioAge does, only on people recorded as not pregnant, so "
                                                                    "fill the column (0 for men)")
                                                         .arg(unknownPregnancy)
                                                   : QString(),
                              uncodedPregnancy > 0 ? QStringLiteral("; %1 more have a pregnancy code the mapping does not know (validation.tsv names "
                                                                    "them): give the mapping's \"pregnant\" the table's codes")
                                                         .arg(uncodedPregnancy)
                                                   : QString()));
    model.ageMin = INFINITY;
    model.ageMax = -INFINITY;
    for (qsizetype r : rows) {
        model.ageMin = std::min(model.ageMin, c.age[size_t(r)]);
        model.ageMax = std::max(model.ageMax, c.age[size_t(r)]);
    }
    // Per marker: OLS of the marker on age over the rows where it is present.
    for (int j = 0; j < m; ++j) {
        KdmMarkerFit fit;
        fit.marker = s.markers[j];
        double n = 0, sx = 0, sy = 0;
        for (qsizetype r : rows) {
            const double y = markerValue(c, index[size_t(j)], s.markers[j], r, s.crp);
            if (!std::isfinite(y))
                continue;
            ++n;
            sx += c.age[size_t(r)];
            sy += y;
        }
        if (n < 3)
            return Error(QStringLiteral("KDM: marker '%1' has %2 values among the training rows").arg(s.markers[j], QString::number(n)));
        const double mx = sx / n, my = sy / n;
        double sxx = 0, sxy = 0, syy = 0;
        for (qsizetype r : rows) {
            const double y = markerValue(c, index[size_t(j)], s.markers[j], r, s.crp);
            if (!std::isfinite(y))
                continue;
            const double dx = c.age[size_t(r)] - mx, dy = y - my;
            sxx += dx * dx;
            sxy += dx * dy;
            syy += dy * dy;
        }
        fit.rows = qint64(n);
        fit.k = sxy / sxx;
        fit.q = my - fit.k * mx;
        const double rss = std::max(0.0, syy - fit.k * sxy);
        fit.s = std::sqrt(rss / (n - 1));
        fit.r2 = syy > 0 ? 1.0 - rss / syy : 0.0;
        if (!(fit.s > 0) || fit.k == 0)
            return Error(QStringLiteral("KDM: marker '%1' does not change with age in the training rows (slope %2, SD %3)")
                    .arg(s.markers[j], QString::number(fit.k), QString::number(fit.s)));
        model.markers.push_back(fit);
    }
    double num = 0, den = 0;
    for (const KdmMarkerFit& f : model.markers) {
        num += std::abs(f.k / f.s) * std::sqrt(f.r2);
        den += std::abs(f.k / f.s);
        model.sumK2OverS2 += (f.k / f.s) * (f.k / f.s);
    }
    model.rchar = num / den;
    const double range = model.ageMax - model.ageMin;
    model.sR = (1 - model.rchar * model.rchar) / (model.rchar * model.rchar) * range * range / (12.0 * m);
    // s2 over the training rows: BA_E - age.
    double sum = 0, sumSq = 0;
    qint64 used = 0;
    for (qsizetype r : rows) {
        double partial = 0;
        int present = 0;
        for (int j = 0; j < m; ++j) {
            const double x = markerValue(c, index[size_t(j)], s.markers[j], r, s.crp);
            if (!std::isfinite(x))
                continue;
            const KdmMarkerFit& f = model.markers[size_t(j)];
            partial += (x - f.q) * f.k / (f.s * f.s);
            ++present;
        }
        if (present == m)
            ++model.completeRows;
        if (present == 0 || (s.varianceRows == KdmVarianceRows::Complete && present < m))
            continue;
        const double bae = partial * double(m) / double(present) / model.sumK2OverS2;
        const double d = bae - c.age[size_t(r)];
        sum += d;
        sumSq += d * d;
        ++used;
    }
    model.varianceRows = used;
    if (used < 2)
        return Error(QStringLiteral("KDM: %1 training rows have the markers needed for s2").arg(used));
    const double meanD = sum / double(used);
    model.s2 = sumSq / double(used) - meanD * meanD;
    model.sBA2 = model.s2 - model.sR;
    if (!(model.sBA2 > 0))
        return Error(QStringLiteral("KDM: s_BA^2 = s2 - s_r = %1 - %2 is not positive; the markers do not track age in this cohort")
                .arg(QString::number(model.s2), QString::number(model.sR)));
    return model;
}

} // namespace

core::Expected<KdmModel> trainKdm(const Cohort& reference, const KdmSettings& settings)
{
    if (settings.markers.size() < 2)
        return Error(QStringLiteral("KDM needs at least two markers"));
    std::vector<int> index;
    for (const QString& name : settings.markers) {
        if (!reference.has(name))
            return Error(QStringLiteral("%1: KDM reference has no '%2' column (mapped)").arg(reference.source, name));
        index.push_back(reference.markerIndex(name));
    }
    KdmModel model;
    model.settings = settings;
    if (settings.excludePregnant && std::all_of(reference.pregnant.begin(), reference.pregnant.end(), [](int p) { return p == -1; })) {
        model.pregnancyStatusMissing = true;
        model.settings.excludePregnant = false;
    }
    QStringList untrained;
    for (const Sex sex : {Sex::Male, Sex::Female}) {
        KdmSexModel& m = model.bySex[sex == Sex::Female ? 1 : 0];
        if (auto fit = trainSex(reference, model.settings, sex, index)) {
            m = *fit;
        } else { // a reference of one sex (a women's cohort) still serves the other
            m.sex = sex;
            m.untrained = fit.error().message();
            untrained << m.untrained;
        }
    }
    if (untrained.size() == 2)
        return Error(untrained.join(QStringLiteral("; "))).withContext(reference.source);
    return model;
}

KdmResult projectKdm(const KdmModel& model, const Cohort& c, qsizetype row)
{
    const double age = c.age[size_t(row)];
    if (!std::isfinite(age))
        return {std::nan(""), QStringLiteral("no usable age")};
    if (c.sex[size_t(row)] == Sex::Unknown)
        return {std::nan(""), QStringLiteral("sex unknown (KDM is per sex)")};
    const KdmSexModel& m = model.forSex(c.sex[size_t(row)]);
    if (!m.untrained.isEmpty())
        return {std::nan(""), QStringLiteral("the KDM reference could not train KDM for %1 (%2)")
                                  .arg(c.sex[size_t(row)] == Sex::Male ? QStringLiteral("men") : QStringLiteral("women"), m.untrained)};
    double num = 0;
    int missing = 0;
    for (const KdmMarkerFit& f : m.markers) {
        const double x = markerValue(c, c.markerIndex(f.marker), f.marker, row, model.settings.crp);
        if (!std::isfinite(x)) {
            ++missing;
            continue;
        }
        num += (x - f.q) * f.k / (f.s * f.s);
    }
    if (missing > model.settings.missingAllowed)
        return {std::nan(""), QStringLiteral("%1 KDM markers missing (at most %2 allowed)").arg(QString::number(missing),
                                                                                                QString::number(model.settings.missingAllowed))};
    return {(num + age / m.sBA2) / (m.sumK2OverS2 + 1.0 / m.sBA2), QString()};
}

QJsonObject KdmModel::toJson() const
{
    QJsonArray sexes;
    for (const KdmSexModel& m : bySex) {
        QJsonArray markers;
        for (const KdmMarkerFit& f : m.markers)
            markers.append(QJsonObject{{QStringLiteral("marker"), f.marker}, {QStringLiteral("n"), double(f.rows)}, {QStringLiteral("q"), f.q},
                                       {QStringLiteral("k"), f.k}, {QStringLiteral("s"), f.s}, {QStringLiteral("r2"), f.r2}});
        if (!m.untrained.isEmpty()) {
            sexes.append(QJsonObject{{QStringLiteral("sex"), m.sex == Sex::Male ? QStringLiteral("male") : QStringLiteral("female")},
                                     {QStringLiteral("untrained"), m.untrained}});
            continue;
        }
        sexes.append(QJsonObject{{QStringLiteral("sex"), m.sex == Sex::Male ? QStringLiteral("male") : QStringLiteral("female")},
                                 {QStringLiteral("training_rows"), double(m.trainingRows)}, {QStringLiteral("complete_rows"), double(m.completeRows)},
                                 {QStringLiteral("variance_rows"), double(m.varianceRows)}, {QStringLiteral("age_min"), m.ageMin},
                                 {QStringLiteral("age_max"), m.ageMax}, {QStringLiteral("rchar"), m.rchar}, {QStringLiteral("s_r"), m.sR},
                                 {QStringLiteral("s2"), m.s2}, {QStringLiteral("s_ba2"), m.sBA2}, {QStringLiteral("markers"), markers}});
    }
    return {{QStringLiteral("markers"), QJsonArray::fromStringList(settings.markers)},
            {QStringLiteral("crp"), settings.crp == CrpTransform::Log1p ? QStringLiteral("log1p") : QStringLiteral("log")},
            {QStringLiteral("variance_rows"), settings.varianceRows == KdmVarianceRows::All ? QStringLiteral("all") : QStringLiteral("complete")},
            {QStringLiteral("age_range"), QJsonArray{settings.minAge, settings.maxAge}},
            {QStringLiteral("missing_allowed"), settings.missingAllowed},
            {QStringLiteral("pregnant_excluded"), settings.excludePregnant},
            {QStringLiteral("sexes"), sexes}};
}

} // namespace bioforge::age
