// The survival statistics behind the clock comparison: the C-index equals a
// brute-force count over every pair (ties in time and risk included), Cox
// recovers known hazard ratios, Kaplan-Meier matches a hand computation, a
// Gompertz fit recovers its generating parameters, and the bootstrap
// interval is reproducible from its seed.

#include "clocks/gompertz_fit.h"
#include "clocks/homeostatic_dysregulation.h"
#include "pipeline/clock_evaluation.h"
#include "stats/survival_stats.h"

#include <QtTest>

#include <algorithm>
#include <cmath>
#include <random>

using namespace bioforge::age;

class TstAgeStats : public QObject {
    Q_OBJECT

    // Harrell's definition pair by pair.
    static double bruteForceC(const SurvivalData& d, const std::vector<double>& risk)
    {
        double concordant = 0, comparable = 0;
        for (size_t i = 0; i < d.time.size(); ++i)
            for (size_t j = 0; j < d.time.size(); ++j) {
                if (i == j || !d.event[i])
                    continue;
                const bool iFirst = d.time[i] < d.time[j] || (d.time[i] == d.time[j] && !d.event[j]);
                if (!iFirst)
                    continue;
                ++comparable;
                concordant += risk[i] > risk[j] ? 1.0 : risk[i] == risk[j] ? 0.5 : 0.0;
            }
        return concordant / comparable;
    }

private slots:
    void runningSdEqualsTheTwoPassSd()
    {
        // Values with a large mean and a small spread: the case where a naive sum of squares loses digits.
        std::mt19937_64 rng(7);
        std::normal_distribution<double> z(1e6, 0.37);
        std::vector<double> values;
        RunningSd running;
        for (int i = 0; i < 10000; ++i) {
            values.push_back(z(rng));
            running.add(values.back());
        }
        QCOMPARE(running.count(), qint64(values.size()));
        QVERIFY(std::abs(running.sd() - sampleSd(values)) < 1e-9 * sampleSd(values));
        RunningSd one;
        one.add(3);
        QVERIFY(std::isnan(one.sd()));
    }

    void cIndexEqualsThePairCount()
    {
        std::mt19937 rng(3);
        for (int trial = 0; trial < 20; ++trial) {
            SurvivalData d;
            std::vector<double> risk;
            for (int i = 0; i < 120; ++i) {
                d.time.push_back(double(rng() % 30)); // many tied times
                d.event.push_back(int(rng() % 3 != 0));
                risk.push_back(double(rng() % 10)); // many tied risks
            }
            QVERIFY(std::abs(concordanceIndex(d, risk) - bruteForceC(d, risk)) < 1e-12);
        }
        SurvivalData perfect{{1, 2, 3, 4}, {1, 1, 1, 1}};
        QCOMPARE(concordanceIndex(perfect, {4, 3, 2, 1}), 1.0);
        QCOMPARE(concordanceIndex(perfect, {1, 2, 3, 4}), 0.0);
        QVERIFY(std::isnan(concordanceIndex({{1, 2}, {0, 0}}, {1, 2}))); // no death: nothing comparable
    }

    void coxRecoversKnownHazardRatios()
    {
        std::mt19937_64 rng(11);
        std::normal_distribution<double> normal;
        std::exponential_distribution<double> unit(1.0);
        SurvivalData d;
        std::vector<std::vector<double>> x(2);
        for (int i = 0; i < 20000; ++i) {
            const double a = normal(rng), b = rng() % 2;
            const double hazard = 0.01 * std::exp(0.7 * a - 0.4 * b);
            const double t = unit(rng) / hazard, censor = 150.0;
            d.time.push_back(std::min(t, censor));
            d.event.push_back(t < censor ? 1 : 0);
            x[0].push_back(a);
            x[1].push_back(b);
        }
        auto fit = fitCox(d, x);
        QVERIFY2(fit, fit ? "" : qPrintable(fit.error().message()));
        QVERIFY2(std::abs(fit->coefficients[0] - 0.7) < 0.05 && std::abs(fit->coefficients[1] + 0.4) < 0.06,
                 qPrintable(QStringLiteral("%1 %2").arg(fit->coefficients[0]).arg(fit->coefficients[1])));
        const auto [low, high] = fit->hazardRatioInterval(0);
        QVERIFY(low < std::exp(0.7) && std::exp(0.7) < high);
    }

    // Deaths separated by a covariate (each death has the highest value of everyone still at risk):
    // the partial likelihood rises without bound as its coefficient grows, where R's coxph warns
    // "coefficient may be infinite". No hazard ratio is given, and the error names the covariate.
    void coxRefusesACoefficientWithNoFiniteEstimate()
    {
        SurvivalData d{{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, {1, 1, 1, 0, 0, 0, 0, 0, 0, 0}};
        auto separated = fitCox(d, {{10, 9, 8, 7, 6, 5, 4, 3, 2, 1}});
        QVERIFY2(separated, separated ? "" : qPrintable(separated.error().message()));
        QCOMPARE(separated->infinite, std::vector<size_t>{0});
        // A death that is not the highest of its risk set: a finite estimate, and its hazard ratio.
        d.event = {1, 0, 1, 0, 1, 0, 0, 1, 0, 0};
        const std::vector<double> mixedValues{3, 9, 8, 7, 1, 5, 4, 6, 2, 10};
        auto mixed = fitCox(d, {mixedValues});
        QVERIFY2(mixed, mixed ? "" : qPrintable(mixed.error().message()));
        QVERIFY(mixed->infinite.empty());
        QVERIFY(std::isfinite(mixed->hazardRatio(0)) && mixed->hazardRatio(0) > 0);
        QVERIFY(std::isfinite(mixed->standardErrors[0]) && mixed->standardErrors[0] > 0);
        // Every death in one group of an adjustment covariate: that one has no finite estimate, the
        // first is still one (R reports it and warns of the other).
        const std::vector<double> group{1, 0, 1, 0, 1, 0, 0, 1, 0, 0}; // the deaths' group
        auto adjusted = fitCox(d, {mixedValues, group});
        QVERIFY2(adjusted, adjusted ? "" : qPrintable(adjusted.error().message()));
        QCOMPARE(adjusted->infinite, std::vector<size_t>{1});
        QVERIFY(adjusted->isFinite(0) && std::isfinite(adjusted->hazardRatio(0)));
        // Out of iterations: said as such, not as a separation.
        auto stopped = fitCox(d, {mixedValues}, 1);
        QVERIFY(!stopped);
        QVERIFY2(stopped.error().message().contains(QStringLiteral("did not converge in 1 iteration")), qPrintable(stopped.error().message()));
    }

    // A clock's evaluation where every death is a man's: sex has no finite coefficient, so the hazard
    // ratio is adjusted for age alone and says so; the clock's own ratio is still given.
    void anEvaluationLeavesOutACovariateThatSeparatesTheDeaths()
    {
        Cohort c;
        std::vector<double> values;
        const std::vector<int> deaths{2, 26, 10, 18}; // all even rows: men; dying in this order
        for (int i = 0; i < 30; ++i) {
            c.ids << QString::number(i);
            c.lines.push_back(i + 2);
            c.age.push_back(40 + i);
            c.sex.push_back(i % 2 == 0 ? Sex::Male : Sex::Female);
            c.pregnant.push_back(0);
            const auto at = std::find(deaths.begin(), deaths.end(), i);
            c.event.push_back(at != deaths.end() ? 1 : 0);
            c.followupMonths.push_back(at != deaths.end() ? 50.0 + 10.0 * double(at - deaths.begin()) : 120.0);
            values.push_back(40 + i + double((i * 37) % 11) - 5.0);
        }
        const ClockEvaluation e = evaluateClock(QStringLiteral("clock"), c, values, true, true, 0, 1);
        QVERIFY2(std::isfinite(e.hazardRatio) && e.hazardRatio > 0, qPrintable(e.note));
        QCOMPARE(e.coxAdjustedFor, QStringList{QStringLiteral("age")});
        QVERIFY2(e.note.contains(QStringLiteral("not adjusted for sex: the deaths are separated by it")), qPrintable(e.note));
        // Every death older for its age than anyone still at risk: no hazard ratio, and why.
        for (int i = 0; i < 30; ++i)
            values[size_t(i)] = 40 + i + (c.event[size_t(i)] ? 20.0 : double((i * 37) % 11) - 5.0);
        const ClockEvaluation separated = evaluateClock(QStringLiteral("clock"), c, values, true, true, 0, 1);
        QVERIFY(std::isnan(separated.hazardRatio));
        QVERIFY2(separated.note.contains(QStringLiteral("no hazard ratio: the 4 deaths are separated by the acceleration")), qPrintable(separated.note));
    }

    void kaplanMeierByHand()
    {
        // Deaths at 1 (of 5 at risk), censored at 2, deaths at 3 (2 of 3 at risk).
        const SurvivalCurve c = kaplanMeier({{1, 2, 3, 3, 4}, {1, 0, 1, 1, 0}});
        QCOMPARE(c.time, (std::vector<double>{0, 1, 3}));
        QVERIFY(std::abs(c.survival[1] - 0.8) < 1e-15);
        QVERIFY(std::abs(c.survival[2] - 0.8 / 3.0) < 1e-15);
        QCOMPARE(c.events, qint64(3));
    }

    void gompertzRecoversItsParameters()
    {
        std::mt19937_64 rng(5);
        std::uniform_real_distribution<double> uniform(0.0, 1.0);
        GompertzData d;
        d.covariates.resize(1);
        const double shape = 0.01, b0 = -9.0, b1 = 0.06;
        for (int i = 0; i < 30000; ++i) {
            const double age = 20 + 60 * uniform(rng);
            const double rate = std::exp(b0 + b1 * age);
            // Inverse of S(t) = exp(-rate (exp(shape t) - 1) / shape).
            const double t = std::log1p(-shape * std::log(uniform(rng)) / rate) / shape;
            d.time.push_back(std::min(t, 240.0));
            d.event.push_back(t < 240.0 ? 1 : 0);
            d.covariates[0].push_back(age);
        }
        auto fit = fitGompertz(d);
        QVERIFY2(fit, fit ? "" : qPrintable(fit.error().message()));
        QVERIFY2(std::abs(fit->shape - shape) < 0.001 && std::abs(fit->logRate - b0) < 0.15 && std::abs(fit->coefficients[0] - b1) < 0.003,
                 qPrintable(QStringLiteral("%1 %2 %3").arg(fit->shape).arg(fit->logRate).arg(fit->coefficients[0])));
        QVERIFY(std::abs(gompertzLogLikelihood(d, fit->shape, fit->logRate, fit->coefficients) - fit->logLikelihood) < 1e-6);
        QVERIFY(!fitGompertz({{1, 2}, {0, 0}, {}})); // no death: refused, not a crash
    }

    void bootstrapIsReproducibleAndCoversTheTruth()
    {
        std::vector<double> x(500);
        std::mt19937 rng(1);
        std::normal_distribution<double> normal(10, 2);
        for (double& v : x)
            v = normal(rng);
        auto mean = [&](const std::vector<size_t>& rows) {
            double s = 0;
            for (size_t r : rows)
                s += x[r];
            return s / double(rows.size());
        };
        const Interval a = bootstrapInterval(x.size(), mean, 300, 42), b = bootstrapInterval(x.size(), mean, 300, 42);
        QCOMPARE(a.low, b.low);
        QCOMPARE(a.high, b.high);
        QVERIFY(a.low < 10.0 && 10.0 < a.high && a.high - a.low < 1.0);
        QVERIFY(std::abs(pearsonCorrelation({1, 2, 3}, {2, 4, 6}) - 1.0) < 1e-15);
    }
};

QTEST_GUILESS_MAIN(TstAgeStats)
#include "tst_age_stats.moc"
