#include "stats/survival_stats.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>

namespace bioforge::age {

using core::Error;

double concordanceIndex(const SurvivalData& d, const std::vector<double>& risk)
{
    const size_t n = d.time.size();
    std::vector<double> sortedRisk(risk);
    std::sort(sortedRisk.begin(), sortedRisk.end());
    sortedRisk.erase(std::unique(sortedRisk.begin(), sortedRisk.end()), sortedRisk.end());
    auto rankOf = [&](double r) { return size_t(std::lower_bound(sortedRisk.begin(), sortedRisk.end(), r) - sortedRisk.begin()) + 1; };
    std::vector<int64_t> tree(sortedRisk.size() + 1, 0);
    auto add = [&](size_t i) {
        for (; i < tree.size(); i += i & (~i + 1))
            ++tree[i];
    };
    auto prefix = [&](size_t i) { // how many inserted ranks are <= i
        int64_t s = 0;
        for (; i > 0; i -= i & (~i + 1))
            s += tree[i];
        return s;
    };
    std::vector<size_t> order(n);
    std::iota(order.begin(), order.end(), 0);
    std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return d.time[a] > d.time[b]; });
    double concordant = 0, tied = 0, comparable = 0;
    int64_t inserted = 0;
    for (size_t g = 0; g < n;) {
        size_t end = g;
        while (end < n && d.time[order[end]] == d.time[order[g]])
            ++end;
        for (size_t i = g; i < end; ++i) // censored at this time: at risk when the deaths at this time happen
            if (!d.event[order[i]]) {
                add(rankOf(risk[order[i]]));
                ++inserted;
            }
        for (size_t i = g; i < end; ++i) {
            if (!d.event[order[i]])
                continue;
            const size_t r = rankOf(risk[order[i]]);
            const int64_t lower = prefix(r - 1), equal = prefix(r) - lower;
            concordant += double(lower);
            tied += double(equal);
            comparable += double(inserted);
        }
        for (size_t i = g; i < end; ++i)
            if (d.event[order[i]]) {
                add(rankOf(risk[order[i]]));
                ++inserted;
            }
        g = end;
    }
    return comparable > 0 ? (concordant + 0.5 * tied) / comparable : std::nan("");
}

double CoxFit::hazardRatio(size_t j) const { return std::exp(coefficients[j]); }

std::pair<double, double> CoxFit::hazardRatioInterval(size_t j, double z) const
{
    return {std::exp(coefficients[j] - z * standardErrors[j]), std::exp(coefficients[j] + z * standardErrors[j])};
}

core::Expected<CoxFit> fitCox(const SurvivalData& d, const std::vector<std::vector<double>>& x, int maxIterations)
{
    const size_t n = d.time.size(), p = x.size();
    CoxFit fit;
    fit.rows = qint64(n);
    for (int e : d.event)
        fit.events += e;
    if (fit.events == 0 || p == 0)
        return Error(QStringLiteral("Cox model: %1 deaths, %2 covariates").arg(QString::number(fit.events), QString::number(p)));
    std::vector<double> mean(p, 0.0);
    for (size_t j = 0; j < p; ++j)
        mean[j] = std::accumulate(x[j].begin(), x[j].end(), 0.0) / double(n);
    std::vector<size_t> order(n);
    std::iota(order.begin(), order.end(), 0);
    std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return d.time[a] > d.time[b]; });
    std::vector<double> beta(p, 0.0), grad(p), info(p * p);
    auto evaluate = [&](const std::vector<double>& b, bool derivatives) {
        double ll = 0, s0 = 0;
        std::vector<double> s1(p, 0.0), s2(p * p, 0.0);
        if (derivatives) {
            std::fill(grad.begin(), grad.end(), 0.0);
            std::fill(info.begin(), info.end(), 0.0);
        }
        for (size_t g = 0; g < n;) {
            size_t end = g;
            while (end < n && d.time[order[end]] == d.time[order[g]])
                ++end;
            // Everyone with this time joins the risk set, then its deaths count (Breslow).
            int deaths = 0;
            std::vector<double> zSum(p, 0.0);
            double etaSum = 0;
            for (size_t k = g; k < end; ++k) {
                const size_t i = order[k];
                double eta = 0;
                for (size_t j = 0; j < p; ++j)
                    eta += b[j] * (x[j][i] - mean[j]);
                const double w = std::exp(eta);
                s0 += w;
                for (size_t j = 0; j < p; ++j) {
                    const double zj = x[j][i] - mean[j];
                    s1[j] += w * zj;
                    if (derivatives)
                        for (size_t l = 0; l <= j; ++l)
                            s2[j * p + l] += w * zj * (x[l][i] - mean[l]);
                }
                if (d.event[i]) {
                    ++deaths;
                    etaSum += eta;
                    for (size_t j = 0; j < p; ++j)
                        zSum[j] += x[j][i] - mean[j];
                }
            }
            if (deaths > 0) {
                ll += etaSum - deaths * std::log(s0);
                if (derivatives)
                    for (size_t j = 0; j < p; ++j) {
                        grad[j] += zSum[j] - deaths * s1[j] / s0;
                        for (size_t l = 0; l <= j; ++l)
                            info[j * p + l] += deaths * (s2[j * p + l] / s0 - s1[j] * s1[l] / (s0 * s0));
                    }
            }
            g = end;
        }
        if (derivatives)
            for (size_t j = 0; j < p; ++j)
                for (size_t l = 0; l < j; ++l)
                    info[l * p + j] = info[j * p + l];
        return ll;
    };
    // Inverse of a small symmetric positive-definite matrix (Gauss-Jordan).
    auto inverse = [p](std::vector<double> a, std::vector<double>& inv) {
        inv.assign(p * p, 0.0);
        for (size_t i = 0; i < p; ++i)
            inv[i * p + i] = 1;
        for (size_t c = 0; c < p; ++c) {
            size_t piv = c;
            for (size_t r = c + 1; r < p; ++r)
                if (std::abs(a[r * p + c]) > std::abs(a[piv * p + c]))
                    piv = r;
            if (std::abs(a[piv * p + c]) < 1e-300)
                return false;
            for (size_t k = 0; k < p; ++k) {
                std::swap(a[c * p + k], a[piv * p + k]);
                std::swap(inv[c * p + k], inv[piv * p + k]);
            }
            const double dv = a[c * p + c];
            for (size_t k = 0; k < p; ++k) {
                a[c * p + k] /= dv;
                inv[c * p + k] /= dv;
            }
            for (size_t r = 0; r < p; ++r)
                if (r != c && a[r * p + c] != 0) {
                    const double f = a[r * p + c];
                    for (size_t k = 0; k < p; ++k) {
                        a[r * p + k] -= f * a[c * p + k];
                        inv[r * p + k] -= f * inv[c * p + k];
                    }
                }
        }
        return true;
    };
    double ll = evaluate(beta, true);
    std::vector<double> inv;
    bool converged = false;
    double lastGain = INFINITY; // the likelihood's change at the last iteration
    for (int it = 0; it < maxIterations && !converged; ++it) {
        if (!inverse(info, inv))
            return Error(QStringLiteral("Cox model: the information matrix is singular (a covariate is constant or collinear)"));
        std::vector<double> step(p, 0.0);
        for (size_t j = 0; j < p; ++j)
            for (size_t l = 0; l < p; ++l)
                step[j] += inv[j * p + l] * grad[l];
        double scale = 1;
        std::vector<double> next(p);
        double nextLl = -INFINITY;
        for (int h = 0; h < 40; ++h, scale /= 2) {
            for (size_t j = 0; j < p; ++j)
                next[j] = beta[j] + scale * step[j];
            nextLl = evaluate(next, false);
            if (std::isfinite(nextLl) && nextLl >= ll - 1e-12 * std::abs(ll))
                break;
        }
        // As R's coxfit6: converged only on a full Newton step (a step halved many times changes the
        // likelihood little while the full step is still to go).
        converged = scale == 1 && std::abs(nextLl - ll) < 1e-10 * (1 + std::abs(ll));
        lastGain = std::abs(nextLl - ll);
        beta = next;
        ll = evaluate(beta, true);
    }
    // Out of iterations while the likelihood still gains: no convergence (R: "Ran out of iterations
    // and did not converge"). Out of iterations with the gains gone to nothing, or the likelihood
    // overflowing, as the coefficients grow: a complete separation (the partial likelihood tends to
    // 1), where R runs out of iterations too; the test below names the covariates.
    const bool stalled = !std::isfinite(ll) || !std::isfinite(lastGain) || lastGain < 1e-6 * (1 + std::abs(ll));
    if (!converged && !stalled)
        return Error(QStringLiteral("Cox model: did not converge in %1 iteration%2").arg(maxIterations).arg(maxIterations == 1 ? "" : "s"));
    const bool invertible = inverse(info, inv);
    if (!invertible && converged)
        return Error(QStringLiteral("Cox model: the information matrix is singular at the fit"));
    // A coefficient the likelihood keeps pulling outward (the deaths are separated by a covariate:
    // a monotone likelihood) has no finite estimate; R's coxph fits on and warns "Loglik converged
    // before variable j; coefficient may be infinite". Its test, on a converged fit: the Newton step
    // still left, |(I⁻¹ U)_j|, above eps = 1e-9 and above sqrt(eps)·|β_j| (coxph.fit, toler.inf).
    for (size_t j = 0; j < p; ++j) {
        double left = 0;
        for (size_t l = 0; l < p; ++l)
            left += inv[j * p + l] * grad[l];
        if (!invertible || !std::isfinite(beta[j]) || !std::isfinite(inv[j * p + j]) || inv[j * p + j] <= 0
            || (std::abs(left) > 1e-9 && std::abs(left) > std::sqrt(1e-9) * std::abs(beta[j])))
            fit.infinite.push_back(j);
    }
    if (!converged && fit.infinite.empty()) // stalled, yet no coefficient runs off: not a separation
        return Error(QStringLiteral("Cox model: did not converge in %1 iteration%2").arg(maxIterations).arg(maxIterations == 1 ? "" : "s"));
    fit.coefficients = beta;
    fit.standardErrors.resize(p);
    for (size_t j = 0; j < p; ++j)
        fit.standardErrors[j] = std::sqrt(inv[j * p + j]);
    fit.logLikelihood = ll;
    return fit;
}

SurvivalCurve kaplanMeier(const SurvivalData& d)
{
    SurvivalCurve c;
    const size_t n = d.time.size();
    c.rows = qint64(n);
    std::vector<size_t> order(n);
    std::iota(order.begin(), order.end(), 0);
    std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return d.time[a] < d.time[b]; });
    c.time.push_back(0);
    c.survival.push_back(1);
    double s = 1;
    size_t atRisk = n;
    for (size_t g = 0; g < n;) {
        size_t end = g;
        int deaths = 0;
        while (end < n && d.time[order[end]] == d.time[order[g]])
            deaths += d.event[order[end++]];
        if (deaths > 0) {
            s *= 1.0 - double(deaths) / double(atRisk);
            c.time.push_back(d.time[order[g]]);
            c.survival.push_back(s);
            c.events += deaths;
        }
        atRisk -= end - g;
        g = end;
    }
    return c;
}

double pearsonCorrelation(const std::vector<double>& x, const std::vector<double>& y)
{
    const size_t n = std::min(x.size(), y.size());
    if (n < 2)
        return std::nan("");
    const double mx = std::accumulate(x.begin(), x.begin() + ptrdiff_t(n), 0.0) / double(n);
    const double my = std::accumulate(y.begin(), y.begin() + ptrdiff_t(n), 0.0) / double(n);
    double sxy = 0, sxx = 0, syy = 0;
    for (size_t i = 0; i < n; ++i) {
        sxy += (x[i] - mx) * (y[i] - my);
        sxx += (x[i] - mx) * (x[i] - mx);
        syy += (y[i] - my) * (y[i] - my);
    }
    return sxy / std::sqrt(sxx * syy);
}

Interval bootstrapInterval(size_t rows, const std::function<double(const std::vector<size_t>&)>& statistic, int replicates, uint64_t seed, double level,
                           const std::function<bool()>& replicateDone)
{
    std::mt19937_64 rng(seed);
    std::uniform_int_distribution<size_t> pick(0, rows - 1);
    std::vector<double> values;
    std::vector<size_t> sample(rows);
    for (int b = 0; b < replicates; ++b) {
        for (size_t& i : sample)
            i = pick(rng);
        const double v = statistic(sample);
        if (std::isfinite(v))
            values.push_back(v);
        if (replicateDone && !replicateDone())
            return {std::nan(""), std::nan("")};
    }
    if (values.empty())
        return {std::nan(""), std::nan("")};
    std::sort(values.begin(), values.end());
    auto at = [&](double q) {
        const double pos = q * double(values.size() - 1);
        const size_t lo = size_t(std::floor(pos));
        const size_t hi = std::min(lo + 1, values.size() - 1);
        return values[lo] + (pos - double(lo)) * (values[hi] - values[lo]);
    };
    return {at((1 - level) / 2), at(1 - (1 - level) / 2)};
}

} // namespace bioforge::age
