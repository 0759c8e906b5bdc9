#include "pipeline/clock_evaluation.h"

#include <QJsonArray>

#include <algorithm>
#include <cmath>
#include <numeric>

namespace bioforge::age {

QJsonObject ClockEvaluation::toJson() const
{
    auto interval = [](const Interval& i) { return QJsonArray{i.low, i.high}; };
    QJsonArray curves;
    for (const SurvivalCurve& c : quartiles) {
        QJsonArray time, survival;
        for (size_t i = 0; i < c.time.size(); ++i) {
            time.append(c.time[i]);
            survival.append(c.survival[i]);
        }
        curves.append(QJsonObject{{QStringLiteral("rows"), double(c.rows)}, {QStringLiteral("deaths"), double(c.events)},
                                  {QStringLiteral("time_months"), time}, {QStringLiteral("survival"), survival}});
    }
    return {{QStringLiteral("clock"), clock}, {QStringLiteral("rows"), double(rows)}, {QStringLiteral("deaths"), double(deaths)},
            {QStringLiteral("correlation_with_age"), correlationWithAge}, {QStringLiteral("c_index"), cIndex},
            {QStringLiteral("c_index_95"), interval(cIndexInterval)}, {QStringLiteral("c_index_acceleration"), cIndexAdvance},
            {QStringLiteral("c_index_acceleration_95"), interval(cIndexAdvanceInterval)}, {QStringLiteral("hazard_ratio_per_unit_acceleration"), hazardRatio},
            {QStringLiteral("hazard_ratio_95"), interval(hazardRatioInterval)}, {QStringLiteral("km_by_advance_quartile"), curves},
            {QStringLiteral("quartiles_of"), quartilesOfAcceleration ? QStringLiteral("acceleration") : QStringLiteral("value")},
            {QStringLiteral("cox_adjusted_for"), QJsonArray::fromStringList(coxAdjustedFor)},
            {QStringLiteral("note"), note}};
}

std::optional<ClockEvaluation> ClockEvaluation::fromJson(const QJsonObject& json)
{
    const auto number = [](const QJsonValue& v) { return v.isDouble() ? v.toDouble() : std::nan(""); };
    const auto interval = [&](const QJsonValue& v) -> std::optional<Interval> {
        const QJsonArray a = v.toArray();
        if (!v.isArray() || a.size() != 2)
            return std::nullopt;
        return Interval{number(a.at(0)), number(a.at(1))};
    };
    const char* fields[] = {"clock", "rows", "deaths", "c_index_95", "c_index_acceleration_95", "hazard_ratio_95", "km_by_advance_quartile", "quartiles_of",
                            "cox_adjusted_for", "note"};
    for (const char* f : fields)
        if (!json.contains(QLatin1String(f)))
            return std::nullopt;
    ClockEvaluation e;
    e.clock = json.value(QLatin1String("clock")).toString();
    e.rows = qint64(json.value(QLatin1String("rows")).toDouble());
    e.deaths = qint64(json.value(QLatin1String("deaths")).toDouble());
    e.correlationWithAge = number(json.value(QLatin1String("correlation_with_age")));
    e.cIndex = number(json.value(QLatin1String("c_index")));
    e.cIndexAdvance = number(json.value(QLatin1String("c_index_acceleration")));
    e.hazardRatio = number(json.value(QLatin1String("hazard_ratio_per_unit_acceleration")));
    const auto ci = interval(json.value(QLatin1String("c_index_95"))), cia = interval(json.value(QLatin1String("c_index_acceleration_95"))),
               hr = interval(json.value(QLatin1String("hazard_ratio_95")));
    const QJsonArray curves = json.value(QLatin1String("km_by_advance_quartile")).toArray();
    if (!ci || !cia || !hr || curves.size() != qsizetype(e.quartiles.size()))
        return std::nullopt;
    e.cIndexInterval = *ci;
    e.cIndexAdvanceInterval = *cia;
    e.hazardRatioInterval = *hr;
    for (qsizetype g = 0; g < curves.size(); ++g) {
        const QJsonObject c = curves.at(g).toObject();
        const QJsonArray time = c.value(QLatin1String("time_months")).toArray(), survival = c.value(QLatin1String("survival")).toArray();
        if (time.size() != survival.size())
            return std::nullopt;
        SurvivalCurve& curve = e.quartiles[size_t(g)];
        curve.rows = qint64(c.value(QLatin1String("rows")).toDouble());
        curve.events = qint64(c.value(QLatin1String("deaths")).toDouble());
        for (qsizetype i = 0; i < time.size(); ++i) {
            curve.time.push_back(number(time.at(i)));
            curve.survival.push_back(number(survival.at(i)));
        }
    }
    e.quartilesOfAcceleration = json.value(QLatin1String("quartiles_of")).toString() == QLatin1String("acceleration");
    for (const QJsonValue& v : json.value(QLatin1String("cox_adjusted_for")).toArray())
        e.coxAdjustedFor << v.toString();
    e.note = json.value(QLatin1String("note")).toString();
    return e;
}

ClockEvaluation evaluateClock(const QString& name, const Cohort& c, const std::vector<double>& values, bool difference, bool adjustForAge, int replicates,
                              uint64_t seed, const std::function<bool()>& replicateDone)
{
    ClockEvaluation e;
    e.clock = name;
    SurvivalData data;
    std::vector<double> value, advance, age, male;
    for (qsizetype r = 0; r < c.rows(); ++r) {
        const double v = values[size_t(r)];
        if (!std::isfinite(v) || !std::isfinite(c.age[size_t(r)]) || c.sex[size_t(r)] == Sex::Unknown || !c.hasSurvival(r))
            continue;
        data.time.push_back(c.followupMonths[size_t(r)]);
        data.event.push_back(c.event[size_t(r)]);
        value.push_back(v);
        advance.push_back(difference ? v - c.age[size_t(r)] : v);
        age.push_back(c.age[size_t(r)]);
        male.push_back(c.sex[size_t(r)] == Sex::Male ? 1.0 : 0.0);
    }
    // Acceleration as the residual of the clock on chronological age (least squares over these people):
    // a clock that regresses towards the mean age otherwise looks "younger" the older people are.
    if (difference && value.size() > 2) {
        double ma = 0, mv = 0;
        for (size_t i = 0; i < value.size(); ++i) {
            ma += age[i];
            mv += value[i];
        }
        ma /= double(value.size());
        mv /= double(value.size());
        double sav = 0, saa = 0;
        for (size_t i = 0; i < value.size(); ++i) {
            sav += (age[i] - ma) * (value[i] - mv);
            saa += (age[i] - ma) * (age[i] - ma);
        }
        const double slope = saa > 0 ? sav / saa : 1.0;
        for (size_t i = 0; i < value.size(); ++i)
            advance[i] = value[i] - (mv + slope * (age[i] - ma));
    }
    e.rows = qint64(value.size());
    e.deaths = std::accumulate(data.event.begin(), data.event.end(), qint64(0));
    if (e.rows < 10 || e.deaths < 2) {
        e.note = QStringLiteral("%1 %2 with a value and follow-up, %3 %4: too few to evaluate")
                     .arg(e.rows)
                     .arg(e.rows == 1 ? QStringLiteral("row") : QStringLiteral("rows"))
                     .arg(e.deaths)
                     .arg(e.deaths == 1 ? QStringLiteral("death") : QStringLiteral("deaths"));
        return e;
    }
    e.correlationWithAge = pearsonCorrelation(value, age);
    e.cIndex = concordanceIndex(data, value);
    // Without a difference the "acceleration" is the value itself: its C-index would be the
    // clock's again (with another bootstrap's interval), reported as what it is not.
    e.quartilesOfAcceleration = difference;
    if (difference)
        e.cIndexAdvance = concordanceIndex(data, advance);
    auto resampled = [&](const std::vector<size_t>& rows, const std::vector<double>& risk) {
        SurvivalData d;
        std::vector<double> rk;
        d.time.reserve(rows.size());
        for (size_t i : rows) {
            d.time.push_back(data.time[i]);
            d.event.push_back(data.event[i]);
            rk.push_back(risk[i]);
        }
        return concordanceIndex(d, rk);
    };
    if (replicates > 0) {
        bool stopped = false;
        const auto done = [&] {
            stopped = replicateDone && !replicateDone();
            return !stopped;
        };
        e.cIndexInterval = bootstrapInterval(value.size(), [&](const std::vector<size_t>& rows) { return resampled(rows, value); }, replicates, seed, 0.95, done);
        if (difference && !stopped)
            e.cIndexAdvanceInterval =
                bootstrapInterval(value.size(), [&](const std::vector<size_t>& rows) { return resampled(rows, advance); }, replicates, seed + 1, 0.95, done);
        if (stopped) {
            e.complete = false;
            return e;
        }
    }
    // Adjusted for age and sex; a covariate the same for everyone (a men-only cohort, one age) has no
    // coefficient to estimate and is left out, as R's coxph gives it NA and estimates the rest (the
    // partial likelihood does not depend on it); the note says so.
    const auto constant = [](const std::vector<double>& v) { return std::all_of(v.begin(), v.end(), [&](double x) { return x == v.front(); }); };
    const bool oneAge = adjustForAge && constant(age), oneSex = constant(male);
    std::vector<std::vector<double>> covariates{advance};
    QStringList covariateNames{difference ? QStringLiteral("the acceleration") : name}, notAdjusted;
    if (adjustForAge && !oneAge) {
        covariates.push_back(age);
        covariateNames << QStringLiteral("age");
        e.coxAdjustedFor << QStringLiteral("age");
    } else if (oneAge) {
        notAdjusted << QStringLiteral("age (everyone is %1)").arg(age.front());
    }
    if (!oneSex) {
        covariates.push_back(male);
        covariateNames << QStringLiteral("sex");
        e.coxAdjustedFor << QStringLiteral("sex");
    } else {
        notAdjusted << (male.front() > 0 ? QStringLiteral("sex (everyone is male)") : QStringLiteral("sex (everyone is female)"));
    }
    QStringList notes;
    if (!notAdjusted.isEmpty())
        notes << QStringLiteral("the hazard ratio is not adjusted for %1: a covariate the same for everyone has nothing to estimate")
                     .arg(notAdjusted.join(QStringLiteral(" or ")));
    auto cox = fitCox(data, covariates);
    // An adjustment covariate with no finite coefficient (every death a man's, say: a monotone
    // likelihood, R's "coefficient may be infinite"): left out and the fit made again, said as a
    // constant covariate is; the clock's own coefficient is then an estimate or it is not.
    if (cox && !cox->infinite.empty() && cox->isFinite(0)) {
        QStringList separating;
        for (auto j = cox->infinite.rbegin(); j != cox->infinite.rend(); ++j) { // from the last, so that the indices hold
            separating.prepend(covariateNames[qsizetype(*j)]);
            e.coxAdjustedFor.removeAll(covariateNames[qsizetype(*j)]);
            covariates.erase(covariates.begin() + qsizetype(*j));
            covariateNames.removeAt(qsizetype(*j));
        }
        notes << QStringLiteral("the hazard ratio is not adjusted for %1: the deaths are separated by it (its coefficient has no finite estimate, "
                                "where R's coxph warns \"coefficient may be infinite\")")
                     .arg(separating.join(QStringLiteral(" or ")));
        cox = fitCox(data, covariates);
    }
    if (cox && cox->infinite.empty()) {
        e.hazardRatio = cox->hazardRatio(0);
        const auto [low, high] = cox->hazardRatioInterval(0);
        e.hazardRatioInterval = {low, high};
    } else if (cox) {
        notes << QStringLiteral("no hazard ratio: the %1 deaths are separated by %2 (the likelihood keeps rising as its coefficient grows, where R's "
                                "coxph warns \"coefficient may be infinite\"); more deaths are needed")
                     .arg(QString::number(cox->events), covariateNames.first());
    } else {
        notes << cox.error().message();
    }
    e.note = notes.join(QStringLiteral("; "));
    // Quartiles of acceleration (of the value, without a difference).
    std::vector<double> sorted(advance);
    std::sort(sorted.begin(), sorted.end());
    auto cut = [&](double q) { return sorted[size_t(q * double(sorted.size() - 1))]; };
    const std::array<double, 3> cuts{cut(0.25), cut(0.5), cut(0.75)};
    std::array<SurvivalData, 4> groups;
    for (size_t i = 0; i < advance.size(); ++i) {
        const size_t g = size_t(std::upper_bound(cuts.begin(), cuts.end(), advance[i]) - cuts.begin());
        groups[std::min<size_t>(g, 3)].time.push_back(data.time[i]);
        groups[std::min<size_t>(g, 3)].event.push_back(data.event[i]);
    }
    for (size_t g = 0; g < 4; ++g)
        e.quartiles[g] = kaplanMeier(groups[g]);
    return e;
}

} // namespace bioforge::age
