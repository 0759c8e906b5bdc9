#include "table/imputation.h"

#include <QHash>

#include <algorithm>
#include <cmath>

namespace bioforge::age {

QMap<QString, qint64> imputeByAgeSexMedian(Cohort& c, const QStringList& markers, qint64* sparseRows)
{
    QMap<QString, qint64> filled;
    std::vector<int> present(size_t(c.rows()), 0);
    int held = 0;
    for (const QString& name : markers)
        if (const int m = c.markerIndex(name); m >= 0) {
            ++held;
            for (qsizetype row = 0; row < c.rows(); ++row)
                present[size_t(row)] += std::isfinite(c.markers[size_t(m)][size_t(row)]) ? 1 : 0;
        }
    std::vector<bool> fill(size_t(c.rows()));
    qint64 sparse = 0;
    for (qsizetype row = 0; row < c.rows(); ++row) {
        fill[size_t(row)] = 2 * present[size_t(row)] >= held;
        sparse += fill[size_t(row)] ? 0 : 1;
    }
    if (sparseRows)
        *sparseRows = sparse;
    auto median = [](std::vector<double> v) {
        if (v.empty())
            return std::nan("");
        const size_t mid = v.size() / 2;
        std::nth_element(v.begin(), v.begin() + ptrdiff_t(mid), v.end());
        double m = v[mid];
        if (v.size() % 2 == 0)
            m = (m + *std::max_element(v.begin(), v.begin() + ptrdiff_t(mid))) / 2;
        return m;
    };
    auto band = [&](qsizetype row) { return std::isfinite(c.age[size_t(row)]) ? int(c.age[size_t(row)] / 5) : -1; };
    const auto people = [](Sex sex) { return sex == Sex::Male ? QStringLiteral("men") : sex == Sex::Female ? QStringLiteral("women") : QStringLiteral("people of unknown sex"); };
    c.imputed.assign(size_t(c.rows()), QString());
    for (const QString& name : markers) {
        const int m = c.markerIndex(name);
        if (m < 0)
            continue;
        std::vector<double>& values = c.markers[size_t(m)];
        QHash<qint64, std::vector<double>> byStratum, bySex;
        std::vector<double> all;
        for (qsizetype row = 0; row < c.rows(); ++row) {
            const double v = values[size_t(row)];
            if (!std::isfinite(v))
                continue;
            byStratum[qint64(c.sex[size_t(row)]) * 1000 + band(row)].push_back(v);
            bySex[qint64(c.sex[size_t(row)])].push_back(v);
            all.push_back(v);
        }
        // A group's median stands for a person where it has kMinimumDonors people or more (one woman
        // of 70-74 gave her glucose to another, +12 years of PhenoAge: trial 20); else the sex's, else
        // everyone's.
        struct Donors {
            double median;
            qsizetype count;
        };
        QHash<qint64, Donors> stratumMedian, sexMedian;
        for (auto it = byStratum.begin(); it != byStratum.end(); ++it)
            stratumMedian.insert(it.key(), {median(it.value()), qsizetype(it->size())});
        for (auto it = bySex.begin(); it != bySex.end(); ++it)
            sexMedian.insert(it.key(), {median(it.value()), qsizetype(it->size())});
        const Donors overall{median(all), qsizetype(all.size())};
        for (qsizetype row = 0; row < c.rows(); ++row) {
            double& v = values[size_t(row)];
            if (std::isfinite(v) || !fill[size_t(row)])
                continue;
            const Sex sex = c.sex[size_t(row)];
            const Donors stratum = stratumMedian.value(qint64(sex) * 1000 + band(row), {std::nan(""), 0});
            const Donors sexWide = sexMedian.value(qint64(sex), {std::nan(""), 0});
            QString from;
            if (band(row) >= 0 && stratum.count >= kMinimumDonors) {
                v = stratum.median;
                from = QStringLiteral("the median of %1 %2 aged %3-%4").arg(stratum.count).arg(people(sex)).arg(band(row) * 5).arg(band(row) * 5 + 4);
            } else if (sexWide.count >= kMinimumDonors) {
                v = sexWide.median;
                from = QStringLiteral("the median of %1 %2 (%3 in the age band)").arg(sexWide.count).arg(people(sex)).arg(stratum.count);
            } else {
                v = overall.median;
                from = overall.count == 1 ? QStringLiteral("the value of the one person who has it")
                                          : QStringLiteral("the median of everyone, %1 people").arg(overall.count);
            }
            if (!std::isfinite(v))
                continue;
            ++filled[name];
            QString& note = c.imputed[size_t(row)];
            note += (note.isEmpty() ? QString() : QStringLiteral("; ")) + QStringLiteral("%1: %2").arg(name, from);
        }
    }
    return filled;
}

} // namespace bioforge::age
