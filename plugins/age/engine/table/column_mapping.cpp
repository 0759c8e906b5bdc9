#include "table/column_mapping.h"

#include "io/json_file.h"

#include <QDir>
#include <QFileInfo>
#include <QJsonArray>

#include <algorithm>

namespace bioforge::age {

int CodedColumn::side(const QString& code) const
{
    if (yes.contains(code))
        return 1;
    if (no.contains(code))
        return 0;
    const bool yesAnyCase = yes.contains(code, Qt::CaseInsensitive), noAnyCase = no.contains(code, Qt::CaseInsensitive);
    if (yesAnyCase || noAnyCase)
        return yesAnyCase == noAnyCase ? -1 : yesAnyCase ? 1 : 0;
    // A number written otherwise ("1.0" where the codes say 1: pandas writes an integer column with
    // gaps so) is the code of its value (trial 23 T23-19).
    bool isNumber = false;
    const double value = code.toDouble(&isNumber);
    if (!isNumber)
        return -1;
    auto holds = [value](const QStringList& codes) {
        return std::any_of(codes.begin(), codes.end(), [value](const QString& c) {
            bool ok = false;
            const double v = c.toDouble(&ok);
            return ok && v == value;
        });
    };
    const bool yesValue = holds(yes), noValue = holds(no);
    return yesValue == noValue ? -1 : yesValue ? 1 : 0;
}

using core::Error;

namespace {

QStringList codes(const QJsonValue& v)
{
    QStringList out;
    if (v.isArray()) {
        for (const QJsonValue& c : v.toArray())
            out << (c.isDouble() ? QString::number(c.toDouble()) : c.toString());
    } else if (v.isString() || v.isDouble()) {
        out << (v.isDouble() ? QString::number(v.toDouble()) : v.toString());
    }
    return out;
}

core::Expected<double> timeFactor(const QString& unit, const QString& to, const QString& source, const char* field)
{
    // Months of 365.25 / 12 days, as the NCHS linked mortality files count them.
    if (unit.isEmpty() || unit == to)
        return 1.0;
    if (to == QLatin1String("months")) {
        if (unit == QLatin1String("years"))
            return 12.0;
        if (unit == QLatin1String("days"))
            return 12.0 / 365.25;
    } else if (unit == QLatin1String("months")) {
        return 1.0 / 12.0;
    }
    return Error(QStringLiteral("%1: %2: unit '%3' is not one of years, months, days").arg(source, QLatin1String(field), unit));
}

QJsonObject coded(const CodedColumn& c, const char* yes, const char* no)
{
    return {{QStringLiteral("column"), c.column}, {QLatin1String(yes), QJsonArray::fromStringList(c.yes)}, {QLatin1String(no), QJsonArray::fromStringList(c.no)}};
}

} // namespace

core::Expected<ColumnMapping> ColumnMapping::fromJson(const QJsonObject& json, const BiomarkerSchema& schema, const QString& source)
{
    if (json.value(QLatin1String("format")).toString() != QLatin1String("bioforge-age-mapping/1"))
        return Error(QStringLiteral("%1: not a column mapping (\"format\": \"bioforge-age-mapping/1\" expected)").arg(source));
    ColumnMapping m;
    m.name = json.value(QLatin1String("name")).toString(QFileInfo(source).completeBaseName());
    auto column = [&](const char* field) { return json.value(QLatin1String(field)).toObject().value(QLatin1String("column")).toString(); };
    m.idColumn = column("id");
    m.ageColumn = column("age");
    if (m.ageColumn.isEmpty())
        return Error(QStringLiteral("%1: \"age\" must name the column of chronological age").arg(source));
    auto ageFactor = timeFactor(json.value(QLatin1String("age")).toObject().value(QLatin1String("unit")).toString(), QStringLiteral("years"), source, "age");
    if (!ageFactor)
        return ageFactor.error();
    m.ageToYears = *ageFactor;
    const QJsonObject sex = json.value(QLatin1String("sex")).toObject();
    m.sex = {sex.value(QLatin1String("column")).toString(), codes(sex.value(QLatin1String("male"))), codes(sex.value(QLatin1String("female")))};
    if (!m.sex.column.isEmpty() && (m.sex.yes.isEmpty() || m.sex.no.isEmpty()))
        return Error(QStringLiteral("%1: \"sex\" must list the codes for \"male\" and \"female\"").arg(source));
    // A code listed on both sides would be read as the first (every such person a man, say).
    auto bothSides = [](const QStringList& a, const QStringList& b) {
        for (const QString& code : a)
            if (b.contains(code))
                return code;
        return QString();
    };
    if (const QString code = bothSides(m.sex.yes, m.sex.no); !code.isEmpty())
        return Error(QStringLiteral("%1: \"sex\": the code '%2' is listed for both \"male\" and \"female\"").arg(source, code));
    for (auto [field, target] : {std::pair{"pregnant", &m.pregnant}, {"event", &m.event}}) {
        const QJsonObject o = json.value(QLatin1String(field)).toObject();
        *target = {o.value(QLatin1String("column")).toString(), codes(o.value(QLatin1String("yes"))), codes(o.value(QLatin1String("no")))};
        if (!target->column.isEmpty() && target->yes.isEmpty())
            return Error(QStringLiteral("%1: \"%2\" must list the codes that mean yes").arg(source, QLatin1String(field)));
        if (const QString code = bothSides(target->yes, target->no); !code.isEmpty())
            return Error(QStringLiteral("%1: \"%2\": the code '%3' is listed for both \"yes\" and \"no\"").arg(source, QLatin1String(field), code));
    }
    m.followupColumn = column("followup");
    auto followFactor = timeFactor(json.value(QLatin1String("followup")).toObject().value(QLatin1String("unit")).toString(QStringLiteral("months")),
                                   QStringLiteral("months"), source, "followup");
    if (!followFactor)
        return followFactor.error();
    m.followupToMonths = *followFactor;
    const QJsonObject markers = json.value(QLatin1String("biomarkers")).toObject();
    for (auto it = markers.begin(); it != markers.end(); ++it) {
        const BiomarkerSpec* spec = schema.find(it.key());
        if (!spec)
            return Error(QStringLiteral("%1: '%2' is not a biomarker the plugin knows (%3)").arg(source, it.key(), schema.names().join(QStringLiteral(", "))));
        const QJsonObject o = it.value().toObject();
        MarkerColumn c{o.value(QLatin1String("column")).toString(), o.value(QLatin1String("unit")).toString(), {}};
        if (c.column.isEmpty())
            return Error(QStringLiteral("%1: biomarker '%2' names no column").arg(source, it.key()));
        // A unit left out was taken for the canonical one: a column in mg/L read as mg/dL, every
        // person's PhenoAge off by a year or more without a word (trial 20).
        if (c.unit.trimmed().isEmpty())
            return Error(QStringLiteral("%1: biomarker '%2' (column '%3') gives no \"unit\": give the unit its values are in (accepted: %4)")
                             .arg(source, it.key(), c.column, spec->acceptedUnits().join(QStringLiteral(", "))));
        auto conversion = spec->conversionFrom(c.unit);
        if (!conversion)
            return conversion.error().withContext(source);
        c.toCanonical = *conversion;
        m.biomarkers.insert(it.key(), c);
    }
    return m;
}

QStringList ColumnMapping::builtInNames()
{
    (void)BiomarkerSchema::builtIn(); // registers the resources
    QStringList names;
    for (const QFileInfo& f : QDir(QStringLiteral(":/age/mappings")).entryInfoList({QStringLiteral("*.json")}, QDir::Files, QDir::Name))
        names << f.completeBaseName();
    return names;
}

core::Expected<ColumnMapping> ColumnMapping::load(const QString& fileOrName, const BiomarkerSchema& schema)
{
    QString path = fileOrName;
    if (!QFileInfo::exists(path) && builtInNames().contains(fileOrName))
        path = QStringLiteral(":/age/mappings/%1.json").arg(fileOrName);
    else if (!QFileInfo::exists(path))
        return Error(QStringLiteral("%1: no such mapping file (built-in mappings: %2)").arg(fileOrName, builtInNames().join(QStringLiteral(", "))),
                     Error::Kind::NotFound);
    auto json = core::readJsonObjectFile(path);
    if (!json)
        return json.error();
    return fromJson(*json, schema, path);
}

QJsonObject ColumnMapping::toJson() const
{
    QJsonObject markers;
    for (auto it = biomarkers.begin(); it != biomarkers.end(); ++it)
        markers.insert(it.key(), QJsonObject{{QStringLiteral("column"), it->column}, {QStringLiteral("unit"), it->unit}});
    return {{QStringLiteral("format"), QStringLiteral("bioforge-age-mapping/1")},
            {QStringLiteral("name"), name},
            {QStringLiteral("id"), QJsonObject{{QStringLiteral("column"), idColumn}}},
            {QStringLiteral("age"), QJsonObject{{QStringLiteral("column"), ageColumn}, {QStringLiteral("unit"), ageToYears == 1.0 ? QStringLiteral("years") : QStringLiteral("months")}}},
            {QStringLiteral("sex"), coded(sex, "male", "female")},
            {QStringLiteral("pregnant"), coded(pregnant, "yes", "no")},
            {QStringLiteral("followup"), QJsonObject{{QStringLiteral("column"), followupColumn}, {QStringLiteral("unit"), followupToMonths == 12.0 ? QStringLiteral("years") : followupToMonths == 1.0 ? QStringLiteral("months") : QStringLiteral("days")}}},
            {QStringLiteral("event"), coded(event, "yes", "no")},
            {QStringLiteral("biomarkers"), markers}};
}

} // namespace bioforge::age
