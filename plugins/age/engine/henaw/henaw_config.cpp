#include "henaw/henaw_config.h"

#include "io/json_file.h"

#include <QJsonArray>
#include <QSet>

#include <algorithm>
#include <cmath>
#include <tuple>

namespace bioforge::age {

using core::Error;

namespace {

QJsonArray pairs(const QList<QPair<QString, QString>>& list)
{
    QJsonArray out;
    for (const auto& p : list)
        out.append(QJsonArray{p.first, p.second});
    return out;
}

core::Expected<QList<QPair<QString, QString>>> readPairs(const QJsonValue& v, const QString& source, const char* field)
{
    QList<QPair<QString, QString>> out;
    for (const QJsonValue& p : v.toArray()) {
        const QJsonArray a = p.toArray();
        if (a.size() != 2 || !a[0].isString() || !a[1].isString())
            return Error(QStringLiteral("%1: \"%2\" must be a list of [marker, marker] pairs").arg(source, QLatin1String(field)));
        out.append({a[0].toString(), a[1].toString()});
    }
    return out;
}

} // namespace

HenawConfig HenawConfig::defaults(const QStringList& available)
{
    HenawConfig c;
    c.markers = available;
    const QList<HenawSystem> reference{
        {QStringLiteral("inflammation"), {QStringLiteral("crp"), QStringLiteral("wbc"), QStringLiteral("lymphocyte_pct")}},
        {QStringLiteral("metabolism"), {QStringLiteral("glucose"), QStringLiteral("hba1c"), QStringLiteral("total_cholesterol"), QStringLiteral("ggt"),
                                        QStringLiteral("alt"), QStringLiteral("ast"), QStringLiteral("bmi")}},
        {QStringLiteral("organ_function"), {QStringLiteral("creatinine"), QStringLiteral("albumin"), QStringLiteral("bun"), QStringLiteral("alp"),
                                            QStringLiteral("fev1"), QStringLiteral("sbp")}},
        {QStringLiteral("hematology"), {QStringLiteral("rdw"), QStringLiteral("mcv"), QStringLiteral("lymphocyte_pct"), QStringLiteral("wbc")}},
    };
    QSet<QString> placed;
    for (const HenawSystem& s : reference) {
        HenawSystem kept{s.name, {}};
        for (const QString& m : s.markers)
            if (available.contains(m)) {
                kept.markers << m;
                placed.insert(m);
            }
        if (!kept.markers.isEmpty())
            c.systems.append(kept);
    }
    HenawSystem other{QStringLiteral("other"), {}};
    for (const QString& m : available)
        if (!placed.contains(m))
            other.markers << m;
    if (!other.markers.isEmpty())
        c.systems.append(other);
    for (const auto& [a, b] : {std::pair{"crp", "glucose"}, {"creatinine", "albumin"}, {"crp", "hba1c"}})
        if (available.contains(QLatin1String(a)) && available.contains(QLatin1String(b)))
            c.interactions.append({QLatin1String(a), QLatin1String(b)});
    for (const auto& [a, b] : {std::pair{"ast", "alt"}, {"albumin", "creatinine"}, {"bun", "creatinine"}})
        if (available.contains(QLatin1String(a)) && available.contains(QLatin1String(b)))
            c.ratios.append({QLatin1String(a), QLatin1String(b)});
    return c;
}

core::Status HenawConfig::validate() const
{
    if (markers.size() < 2)
        return Error(QStringLiteral("HENAW needs at least two biomarkers, the configuration has %1").arg(markers.size()));
    if (QSet<QString>(markers.begin(), markers.end()).size() != markers.size())
        return Error(QStringLiteral("HENAW: a biomarker is listed twice in \"markers\""));
    if (systems.isEmpty())
        return Error(QStringLiteral("HENAW: no biological system"));
    for (const HenawSystem& s : systems) {
        if (s.markers.isEmpty())
            return Error(QStringLiteral("HENAW: system '%1' has no marker").arg(s.name));
        for (const QString& m : s.markers)
            if (!markers.contains(m))
                return Error(QStringLiteral("HENAW: system '%1' names '%2', which is not one of the model's markers").arg(s.name, m));
    }
    for (const auto& list : {interactions, ratios})
        for (const auto& [a, b] : list)
            if (!markers.contains(a) || !markers.contains(b))
                return Error(QStringLiteral("HENAW: engineered feature %1 / %2 names a marker the model does not read").arg(a, b));
    if (embedding < 1 || embedding > 1024 || attentionHeads < 1 || attentionHeads > 64 || embedding % attentionHeads != 0)
        return Error(QStringLiteral("HENAW: the embedding width %1 (at most 1024) must be a multiple of the %2 attention heads (at most 64)")
                         .arg(QString::number(embedding), QString::number(attentionHeads)));
    if (hidden.size() != 3 || std::any_of(hidden.begin(), hidden.end(), [](int h) { return h < 1 || h > (1 << 14); }))
        return Error(QStringLiteral("HENAW: \"hidden\" must be three widths from 1 to 16384"));
    // Each setting named with its value and its range (one message listed them all, not which).
    const auto outOfRange = [](const char* key, double value, const char* range) {
        return Error(QStringLiteral("HENAW: \"%1\" %2 is out of range (%3)").arg(QLatin1String(key), QString::number(value), QLatin1String(range)));
    };
    if (!(dropout >= 0 && dropout < 1))
        return outOfRange("dropout", dropout, "from 0 to below 1");
    if (!(learningRate > 0))
        return outOfRange("learning_rate", learningRate, "above 0");
    for (const auto& [key, value, least] : {std::tuple{"batch_size", batchSize, 2}, {"epochs", epochs, 1}, {"ensemble", ensemble, 1}, {"age_band", ageBand, 1},
                                            {"warmup_epochs", warmupEpochs, 0}, {"patience", patience, 0}})
        if (value < least)
            return Error(QStringLiteral("HENAW: \"%1\" %2 is out of range (at least %3)").arg(QLatin1String(key), QString::number(value), QString::number(least)));
    if (!(trainFraction > 0) || !(validationFraction > 0) || trainFraction + validationFraction >= 1)
        return Error(QStringLiteral("HENAW: \"train_fraction\" %1 and \"validation_fraction\" %2 must be positive and leave a test split (their sum "
                                    "below 1)")
                         .arg(QString::number(trainFraction), QString::number(validationFraction)));
    return core::okStatus();
}

core::Expected<HenawConfig> HenawConfig::fromJson(const QJsonObject& j, const QString& source)
{
    if (j.value(QLatin1String("format")).toString() != QLatin1String("bioforge-henaw/1"))
        return Error(QStringLiteral("%1: not a HENAW configuration (\"format\": \"bioforge-henaw/1\")").arg(source));
    HenawConfig c;
    for (const QJsonValue& m : j.value(QLatin1String("markers")).toArray())
        c.markers << m.toString();
    const QJsonObject systems = j.value(QLatin1String("systems")).toObject();
    for (const QJsonValue& name : j.value(QLatin1String("system_order")).toArray()) {
        HenawSystem s{name.toString(), {}};
        for (const QJsonValue& m : systems.value(s.name).toArray())
            s.markers << m.toString();
        c.systems.append(s);
    }
    if (c.systems.size() != systems.size())
        return Error(QStringLiteral("%1: \"system_order\" must list every system once").arg(source));
    auto interactions = readPairs(j.value(QLatin1String("interactions")), source, "interactions");
    auto ratios = readPairs(j.value(QLatin1String("ratios")), source, "ratios");
    if (!interactions)
        return interactions.error();
    if (!ratios)
        return ratios.error();
    c.interactions = *interactions;
    c.ratios = *ratios;
    for (const QJsonValue& m : j.value(QLatin1String("morbidities")).toArray())
        c.morbidities << m.toString();
    if (j.contains(QLatin1String("log_markers"))) {
        c.logMarkers.clear();
        for (const QJsonValue& m : j.value(QLatin1String("log_markers")).toArray())
            c.logMarkers << m.toString();
    }
    // Every number is checked before it is narrowed: a whole number in range for the integer
    // settings (a JSON number such as 3e9 or -1e300 cast to int is undefined behaviour), a
    // finite number for the others. Widths have upper bounds so that a configuration cannot size
    // the network to gigabytes (HENAW's published widths are tens to hundreds).
    QString bad;
    auto integer = [&](const QJsonValue& v, const QString& key, qint64 fallback, qint64 lo, qint64 hi) -> qint64 {
        if (v.isUndefined())
            return fallback;
        const auto n = core::wholeNumberIn(v, lo, hi);
        if (!n) {
            if (bad.isEmpty())
                bad = QStringLiteral("\"%1\" must be a whole number from %2 to %3, not %4").arg(key, QString::number(lo), QString::number(hi),
                                                                                                core::jsonText(v));
            return fallback;
        }
        return *n;
    };
    auto count = [&](const char* key, int fallback, int lo, int hi) {
        return int(integer(j.value(QLatin1String(key)), QLatin1String(key), fallback, lo, hi));
    };
    auto number = [&](const char* key, double fallback) {
        const QJsonValue v = j.value(QLatin1String(key));
        if (v.isUndefined())
            return fallback;
        if (!v.isDouble() || !std::isfinite(v.toDouble())) {
            if (bad.isEmpty())
                bad = QStringLiteral("\"%1\" must be a finite number").arg(QLatin1String(key));
            return fallback;
        }
        return v.toDouble();
    };
    constexpr int kMaxWidth = 1 << 14, kMaxEpochs = 100000;
    c.hidden.clear();
    for (const QJsonValue& h : j.value(QLatin1String("hidden")).toArray())
        c.hidden << int(integer(h, QStringLiteral("hidden"), 0, 1, kMaxWidth));
    c.embedding = count("embedding", c.embedding, 1, 1024);
    c.attentionHeads = count("attention_heads", c.attentionHeads, 1, 64);
    c.dropout = number("dropout", c.dropout);
    c.weightingLambda = number("weighting_lambda", c.weightingLambda);
    c.weightingTemperature = number("weighting_temperature", c.weightingTemperature);
    c.ageLossWeight = number("age_loss_weight", c.ageLossWeight);
    c.mortalityLossWeight = number("mortality_loss_weight", c.mortalityLossWeight);
    c.morbidityLossWeight = number("morbidity_loss_weight", c.morbidityLossWeight);
    c.probeLossWeight = number("probe_loss_weight", c.probeLossWeight);
    c.elasticAlpha = number("elastic_alpha", c.elasticAlpha);
    c.elasticLambda = number("elastic_lambda", c.elasticLambda);
    c.batchSize = count("batch_size", c.batchSize, 2, 1 << 20);
    c.epochs = count("epochs", c.epochs, 1, kMaxEpochs);
    c.learningRate = number("learning_rate", c.learningRate);
    c.minLearningRate = number("min_learning_rate", c.minLearningRate);
    c.warmupEpochs = count("warmup_epochs", c.warmupEpochs, 0, kMaxEpochs);
    c.gradientClip = number("gradient_clip", c.gradientClip);
    c.patience = count("patience", c.patience, 0, kMaxEpochs);
    c.ageBand = count("age_band", c.ageBand, 1, 130);
    c.ensemble = count("ensemble", c.ensemble, 1, 1000);
    c.trainFraction = number("train_fraction", c.trainFraction);
    c.validationFraction = number("validation_fraction", c.validationFraction);
    // The seed is written as a JSON number, so it is exact up to 2^53.
    c.seed = quint64(integer(j.value(QLatin1String("seed")), QStringLiteral("seed"), qint64(c.seed), 0, qint64(1) << 53));
    if (!bad.isEmpty())
        return Error(QStringLiteral("%1: %2").arg(source, bad));
    if (core::Status st = c.validate(); !st)
        return st.error().withContext(source);
    return c;
}

QJsonObject HenawConfig::toJson() const
{
    QJsonObject systemsJson;
    QJsonArray order;
    for (const HenawSystem& s : systems) {
        systemsJson.insert(s.name, QJsonArray::fromStringList(s.markers));
        order.append(s.name);
    }
    QJsonArray hiddenJson;
    for (int h : hidden)
        hiddenJson.append(h);
    return {{QStringLiteral("format"), QStringLiteral("bioforge-henaw/1")},
            {QStringLiteral("markers"), QJsonArray::fromStringList(markers)},
            {QStringLiteral("systems"), systemsJson},
            {QStringLiteral("system_order"), order},
            {QStringLiteral("interactions"), pairs(interactions)},
            {QStringLiteral("ratios"), pairs(ratios)},
            {QStringLiteral("morbidities"), QJsonArray::fromStringList(morbidities)},
            {QStringLiteral("log_markers"), QJsonArray::fromStringList(logMarkers)},
            {QStringLiteral("embedding"), embedding},
            {QStringLiteral("attention_heads"), attentionHeads},
            {QStringLiteral("hidden"), hiddenJson},
            {QStringLiteral("dropout"), dropout},
            {QStringLiteral("weighting_lambda"), weightingLambda},
            {QStringLiteral("weighting_temperature"), weightingTemperature},
            {QStringLiteral("age_loss_weight"), ageLossWeight},
            {QStringLiteral("mortality_loss_weight"), mortalityLossWeight},
            {QStringLiteral("morbidity_loss_weight"), morbidityLossWeight},
            {QStringLiteral("probe_loss_weight"), probeLossWeight},
            {QStringLiteral("elastic_alpha"), elasticAlpha},
            {QStringLiteral("elastic_lambda"), elasticLambda},
            {QStringLiteral("batch_size"), batchSize},
            {QStringLiteral("epochs"), epochs},
            {QStringLiteral("learning_rate"), learningRate},
            {QStringLiteral("min_learning_rate"), minLearningRate},
            {QStringLiteral("warmup_epochs"), warmupEpochs},
            {QStringLiteral("gradient_clip"), gradientClip},
            {QStringLiteral("patience"), patience},
            {QStringLiteral("age_band"), ageBand},
            {QStringLiteral("ensemble"), ensemble},
            {QStringLiteral("train_fraction"), trainFraction},
            {QStringLiteral("validation_fraction"), validationFraction},
            {QStringLiteral("seed"), double(seed)}};
}

QStringList HenawConfig::differences(const HenawConfig& other) const
{
    QStringList out;
    const QJsonObject a = toJson(), b = other.toJson();
    for (auto it = a.begin(); it != a.end(); ++it)
        if (b.value(it.key()) != it.value())
            out << QStringLiteral("%1: %2 here, %3 there")
                       .arg(it.key(), core::jsonText(it.value()), core::jsonText(b.value(it.key())));
    return out;
}

} // namespace bioforge::age
