#include "clocks/homeostatic_dysregulation.h"

#include <QString>

#include <cmath>
#include <limits>

namespace bioforge::age {

using core::Error;

namespace {

// Gauss-Jordan inverse with partial pivoting; false when singular.
bool invert(std::vector<double> a, int n, std::vector<double>& inv)
{
    inv.assign(size_t(n * n), 0.0);
    for (int i = 0; i < n; ++i)
        inv[size_t(i * n + i)] = 1.0;
    for (int col = 0; col < n; ++col) {
        int pivot = col;
        for (int r = col + 1; r < n; ++r)
            if (std::abs(a[size_t(r * n + col)]) > std::abs(a[size_t(pivot * n + col)]))
                pivot = r;
        if (std::abs(a[size_t(pivot * n + col)]) < 1e-300)
            return false;
        for (int k = 0; k < n; ++k) {
            std::swap(a[size_t(col * n + k)], a[size_t(pivot * n + k)]);
            std::swap(inv[size_t(col * n + k)], inv[size_t(pivot * n + k)]);
        }
        const double d = a[size_t(col * n + col)];
        for (int k = 0; k < n; ++k) {
            a[size_t(col * n + k)] /= d;
            inv[size_t(col * n + k)] /= d;
        }
        for (int r = 0; r < n; ++r) {
            if (r == col)
                continue;
            const double f = a[size_t(r * n + col)];
            if (f == 0)
                continue;
            for (int k = 0; k < n; ++k) {
                a[size_t(r * n + k)] -= f * a[size_t(col * n + k)];
                inv[size_t(r * n + k)] -= f * inv[size_t(col * n + k)];
            }
        }
    }
    return true;
}

double valueOf(const Cohort& c, int index, const QString& name, qsizetype row, CrpTransform crp)
{
    const double v = index < 0 ? std::nan("") : c.markers[size_t(index)][size_t(row)];
    return name == QLatin1String("crp") ? transformCrp(v, crp).value_or(std::nan("")) : v;
}

} // namespace

double sampleSd(const std::vector<double>& v)
{
    if (v.size() < 2)
        return std::nan("");
    double mean = 0;
    for (double x : v)
        mean += x;
    mean /= double(v.size());
    double ss = 0;
    for (double x : v)
        ss += (x - mean) * (x - mean);
    return std::sqrt(ss / double(v.size() - 1));
}

double RunningSd::sd() const
{
    return m_n < 2 ? std::numeric_limits<double>::quiet_NaN() : std::sqrt(m_m2 / double(m_n - 1));
}

core::Expected<HdSexReference> hdReferenceFrom(std::vector<double> mean, std::vector<double> sd, std::vector<double> centre,
                                               const std::vector<double>& covariance, double rawSd, double logRawSd)
{
    const int m = int(mean.size());
    if (sd.size() != size_t(m) || centre.size() != size_t(m) || covariance.size() != size_t(m * m))
        return Error(QStringLiteral("HD reference: %1 markers but %2 SDs, %3 centres, %4 covariance entries")
                .arg(QString::number(m), QString::number(sd.size()), QString::number(centre.size()), QString::number(covariance.size())));
    HdSexReference r{std::move(mean), std::move(sd), std::move(centre), {}, 0, rawSd, logRawSd};
    if (!invert(covariance, m, r.inverseCovariance))
        return Error(QStringLiteral("HD reference: the covariance matrix is singular"));
    return r;
}

core::Expected<HdModel> trainHd(const Cohort& reference, const QStringList& markers, CrpTransform crp)
{
    HdModel model;
    model.markers = markers;
    model.crp = crp;
    const int m = int(markers.size());
    std::vector<int> index;
    for (const QString& name : markers) {
        if (!reference.has(name))
            return Error(QStringLiteral("%1: the HD reference has no '%2' column (mapped)").arg(reference.source, name));
        index.push_back(reference.markerIndex(name));
    }
    for (const Sex sex : {Sex::Male, Sex::Female}) {
        std::vector<double> mean(static_cast<size_t>(m)), sd(static_cast<size_t>(m));
        for (int j = 0; j < m; ++j) {
            std::vector<double> values;
            for (qsizetype r = 0; r < reference.rows(); ++r)
                if (reference.sex[size_t(r)] == sex)
                    if (const double v = valueOf(reference, index[size_t(j)], markers[j], r, crp); std::isfinite(v))
                        values.push_back(v);
            if (values.size() < 2)
                return Error(QStringLiteral("%1: the HD reference has %2 of '%3' for %4: too few for a standard deviation (at least 2 are needed)")
                                 .arg(reference.source, values.empty() ? QStringLiteral("no value") : QStringLiteral("1 value"), markers[j],
                                      sex == Sex::Male ? QStringLiteral("men") : QStringLiteral("women")));
            double s = 0;
            for (double v : values)
                s += v;
            mean[size_t(j)] = s / double(values.size());
            sd[size_t(j)] = sampleSd(values);
        }
        std::vector<std::vector<double>> z; // complete rows, standardised
        for (qsizetype r = 0; r < reference.rows(); ++r) {
            if (reference.sex[size_t(r)] != sex)
                continue;
            std::vector<double> row(static_cast<size_t>(m));
            bool complete = true;
            for (int j = 0; j < m && complete; ++j) {
                const double v = valueOf(reference, index[size_t(j)], markers[j], r, crp);
                complete = std::isfinite(v);
                row[size_t(j)] = (v - mean[size_t(j)]) / sd[size_t(j)];
            }
            if (complete)
                z.push_back(std::move(row));
        }
        if (z.size() <= size_t(m))
            return Error(QStringLiteral("%1: %2 complete reference rows for %3 markers: too few for a covariance")
                    .arg(reference.source, QString::number(z.size()), QString::number(m)));
        std::vector<double> centre(size_t(m), 0.0), cov(size_t(m * m), 0.0);
        for (const auto& row : z)
            for (int j = 0; j < m; ++j)
                centre[size_t(j)] += row[size_t(j)] / double(z.size());
        for (const auto& row : z)
            for (int j = 0; j < m; ++j)
                for (int k = 0; k < m; ++k)
                    cov[size_t(j * m + k)] += (row[size_t(j)] - centre[size_t(j)]) * (row[size_t(k)] - centre[size_t(k)]) / double(z.size() - 1);
        auto ref = hdReferenceFrom(mean, sd, centre, cov, 0, 0);
        if (!ref)
            return ref.error().withContext(reference.source);
        ref->referenceRows = qint64(z.size());
        model.bySex[sex == Sex::Female ? 1 : 0] = *ref;
    }
    return model;
}

HdValues projectHd(const HdModel& model, const Cohort& c)
{
    const int m = int(model.markers.size());
    const size_t n = size_t(c.rows());
    HdValues out{std::vector<double>(n, std::nan("")), std::vector<double>(n, std::nan("")), std::vector<double>(n, std::nan(""))};
    std::vector<int> index;
    for (const QString& name : model.markers)
        index.push_back(c.markerIndex(name));
    std::vector<double> d(static_cast<size_t>(m));
    for (qsizetype r = 0; r < c.rows(); ++r) {
        if (c.sex[size_t(r)] == Sex::Unknown)
            continue;
        const HdSexReference& ref = model.bySex[c.sex[size_t(r)] == Sex::Female ? 1 : 0];
        bool complete = true;
        for (int j = 0; j < m && complete; ++j) {
            const double v = valueOf(c, index[size_t(j)], model.markers[j], r, model.crp);
            complete = std::isfinite(v);
            d[size_t(j)] = (v - ref.mean[size_t(j)]) / ref.sd[size_t(j)] - ref.centre[size_t(j)];
        }
        if (!complete)
            continue;
        double q = 0;
        for (int j = 0; j < m; ++j)
            for (int k = 0; k < m; ++k)
                q += d[size_t(j)] * ref.inverseCovariance[size_t(j * m + k)] * d[size_t(k)];
        out.raw[size_t(r)] = std::sqrt(std::max(q, 0.0));
    }
    for (const Sex sex : {Sex::Male, Sex::Female}) {
        const HdSexReference& ref = model.bySex[sex == Sex::Female ? 1 : 0];
        std::vector<double> raw, logRaw;
        for (size_t r = 0; r < n; ++r)
            if (c.sex[r] == sex && std::isfinite(out.raw[r]) && out.raw[r] > 0) {
                raw.push_back(out.raw[r]);
                logRaw.push_back(std::log(out.raw[r]));
            }
        // A stored NaN: the divisor was computed elsewhere and there was none.
        const auto stored = [](double sd) { return std::isnan(sd) || sd > 0; };
        const double rawSd = stored(ref.rawSd) ? ref.rawSd : sampleSd(raw);
        const double logSd = stored(ref.logRawSd) ? ref.logRawSd : sampleSd(logRaw);
        for (size_t r = 0; r < n; ++r)
            if (c.sex[r] == sex && std::isfinite(out.raw[r])) {
                out.hd[r] = out.raw[r] / rawSd;
                out.hdLog[r] = out.raw[r] > 0 ? std::log(out.raw[r]) / logSd : std::nan("");
            }
    }
    return out;
}

} // namespace bioforge::age
