#include "clocks/gompertz_fit.h"

#include <QString>

#include <algorithm>
#include <cmath>

namespace bioforge::age {

using core::Error;

namespace {

// G(s) = (exp(s t) - 1) / s and its first two derivatives in s; a series near s t = 0.
struct GTerms {
    double g, g1, g2;
};

GTerms gTerms(double s, double t)
{
    const double x = s * t;
    if (std::abs(x) < 1e-4) {
        // G = t + s t^2/2 + s^2 t^3/6 + s^3 t^4/24, differentiated term by term.
        const double t2 = t * t, t3 = t2 * t, t4 = t3 * t;
        return {t + s * t2 / 2 + s * s * t3 / 6 + s * s * s * t4 / 24, t2 / 2 + s * t3 / 3 + s * s * t4 / 8, t3 / 3 + s * t4 / 4};
    }
    const double e = std::exp(x), f = std::expm1(x);
    return {f / s, (t * e * s - f) / (s * s), (t * t * e * s * s - 2 * s * t * e + 2 * f) / (s * s * s)};
}

// Solves H x = g (H symmetric positive definite) by Cholesky; false if H is not.
bool solve(std::vector<double> h, std::vector<double> g, int n, std::vector<double>& x)
{
    for (int j = 0; j < n; ++j) {
        double d = h[size_t(j * n + j)];
        for (int k = 0; k < j; ++k)
            d -= h[size_t(j * n + k)] * h[size_t(j * n + k)];
        if (!(d > 0))
            return false;
        d = std::sqrt(d);
        h[size_t(j * n + j)] = d;
        for (int i = j + 1; i < n; ++i) {
            double v = h[size_t(i * n + j)];
            for (int k = 0; k < j; ++k)
                v -= h[size_t(i * n + k)] * h[size_t(j * n + k)];
            h[size_t(i * n + j)] = v / d;
        }
    }
    for (int i = 0; i < n; ++i) {
        for (int k = 0; k < i; ++k)
            g[size_t(i)] -= h[size_t(i * n + k)] * g[size_t(k)];
        g[size_t(i)] /= h[size_t(i * n + i)];
    }
    for (int i = n - 1; i >= 0; --i) {
        for (int k = i + 1; k < n; ++k)
            g[size_t(i)] -= h[size_t(k * n + i)] * g[size_t(k)];
        g[size_t(i)] /= h[size_t(i * n + i)];
    }
    x = std::move(g);
    return true;
}

} // namespace

double gompertzLogLikelihood(const GompertzData& d, double shape, double logRate, const std::vector<double>& b)
{
    double ll = 0;
    for (size_t i = 0; i < d.time.size(); ++i) {
        double eta = logRate;
        for (size_t j = 0; j < b.size(); ++j)
            eta += b[j] * d.covariates[j][i];
        ll += d.event[i] * (eta + shape * d.time[i]) - std::exp(eta) * gTerms(shape, d.time[i]).g;
    }
    return ll;
}

core::Expected<GompertzFit> fitGompertz(const GompertzData& d, double tolerance, int maxIterations)
{
    const size_t n = d.time.size();
    const int p = int(d.covariates.size());
    const int dim = p + 2; // b0, b..., shape
    GompertzFit fit;
    fit.rows = qint64(n);
    for (int e : d.event)
        fit.events += e;
    if (n == 0 || fit.events == 0)
        return Error(QStringLiteral("a Gompertz model needs rows with events (%1 rows, %2 events)").arg(n).arg(fit.events));
    for (const auto& c : d.covariates)
        if (c.size() != n)
            return Error(QStringLiteral("Gompertz fit: a covariate has %1 values for %2 rows").arg(c.size()).arg(n));
    // Centre the covariates for conditioning; the intercept is mapped back at the end.
    std::vector<double> mean(size_t(p), 0.0);
    for (int j = 0; j < p; ++j) {
        for (double v : d.covariates[size_t(j)])
            mean[size_t(j)] += v;
        mean[size_t(j)] /= double(n);
    }
    double sumTime = 0;
    for (double t : d.time)
        sumTime += t;
    std::vector<double> theta(size_t(dim), 0.0);
    theta[size_t(dim - 1)] = 1e-3;                           // shape
    theta[0] = std::log(double(fit.events) / sumTime); // an exponential model's rate
    auto evaluate = [&](const std::vector<double>& th, std::vector<double>* grad, std::vector<double>* hess) {
        const double s = th[size_t(dim - 1)];
        double ll = 0;
        if (grad)
            grad->assign(size_t(dim), 0.0);
        if (hess)
            hess->assign(size_t(dim * dim), 0.0);
        std::vector<double> z(size_t(dim - 1));
        for (size_t i = 0; i < n; ++i) {
            z[0] = 1.0;
            double eta = th[0];
            for (int j = 0; j < p; ++j) {
                z[size_t(j + 1)] = d.covariates[size_t(j)][i] - mean[size_t(j)];
                eta += th[size_t(j + 1)] * z[size_t(j + 1)];
            }
            const double t = d.time[i], r = std::exp(eta);
            const GTerms g = gTerms(s, t);
            ll += d.event[i] * (eta + s * t) - r * g.g;
            if (!grad)
                continue;
            const double a = d.event[i] - r * g.g;
            for (int j = 0; j < dim - 1; ++j)
                (*grad)[size_t(j)] += a * z[size_t(j)];
            (*grad)[size_t(dim - 1)] += d.event[i] * t - r * g.g1;
            // The negative Hessian: r [G z z', G' z; G' z', G''].
            for (int j = 0; j < dim - 1; ++j) {
                for (int k = 0; k <= j; ++k)
                    (*hess)[size_t(j * dim + k)] += r * g.g * z[size_t(j)] * z[size_t(k)];
                (*hess)[size_t((dim - 1) * dim + j)] += r * g.g1 * z[size_t(j)];
            }
            (*hess)[size_t(dim * dim - 1)] += r * g.g2;
        }
        if (hess)
            for (int j = 0; j < dim; ++j)
                for (int k = 0; k < j; ++k)
                    (*hess)[size_t(k * dim + j)] = (*hess)[size_t(j * dim + k)];
        return ll;
    };
    std::vector<double> grad, hess, step;
    double ll = evaluate(theta, &grad, &hess);
    for (fit.iterations = 0; fit.iterations < maxIterations; ++fit.iterations) {
        const double largest = std::abs(*std::max_element(grad.begin(), grad.end(), [](double a, double b) { return std::abs(a) < std::abs(b); }));
        if (largest < tolerance * double(n))
            break;
        if (!solve(hess, grad, dim, step))
            return Error(QStringLiteral("Gompertz fit: the information matrix is singular (a covariate is constant or collinear)"));
        double scale = 1.0;
        std::vector<double> next(static_cast<size_t>(dim));
        double nextLl = -INFINITY;
        for (int halving = 0; halving < 60; ++halving, scale /= 2) {
            for (int j = 0; j < dim; ++j)
                next[size_t(j)] = theta[size_t(j)] + scale * step[size_t(j)];
            nextLl = evaluate(next, nullptr, nullptr);
            if (std::isfinite(nextLl) && nextLl >= ll - 1e-12 * std::abs(ll))
                break;
        }
        if (!std::isfinite(nextLl))
            return Error(QStringLiteral("Gompertz fit: the likelihood is not finite (times or covariates out of range)"));
        theta = next;
        ll = evaluate(theta, &grad, &hess);
    }
    if (fit.iterations >= maxIterations)
        return Error(QStringLiteral("Gompertz fit: no convergence in %1 Newton steps").arg(maxIterations));
    fit.shape = theta[size_t(dim - 1)];
    fit.coefficients.assign(theta.begin() + 1, theta.end() - 1);
    fit.logRate = theta[0];
    for (int j = 0; j < p; ++j)
        fit.logRate -= fit.coefficients[size_t(j)] * mean[size_t(j)];
    fit.logLikelihood = ll;
    return fit;
}

} // namespace bioforge::age
