#include "schema/biomarker_schema.h"

#include "io/json_file.h"

#include <QFile>
#include <QJsonArray>

#include <cmath>

// Resources of a static library must be registered by name, outside any namespace.
static void initAgeResources() { Q_INIT_RESOURCE(age); }

namespace bioforge::age {

using core::Error;

QStringList BiomarkerSpec::acceptedUnits() const
{
    QStringList others = units.keys();
    others.sort(); // a QHash's order changes from run to run: a message says them in one order
    return QStringList{unit} + others;
}

namespace {
// A unit as compared when it is not written as accepted: case folded, u, µ (U+00B5) and the Greek
// mu μ (U+03BC: a Greek keyboard's, Word's) one letter.
QString unitKey(const QString& unit)
{
    QString key = unit.trimmed().toCaseFolded(); // Μ (an upper-cased µ) folds to μ
    key.replace(QChar(0x03BC), QLatin1Char('u')).replace(QChar(0x00B5), QLatin1Char('u'));
    return key;
}
} // namespace

QString BiomarkerSpec::acceptedSpelling(const QString& given) const
{
    const QString u = QString(given.trimmed()).replace(QChar(0x03BC), QChar(0x00B5));
    if (u.isEmpty())
        return unit;
    const QStringList accepted = acceptedUnits();
    if (accepted.contains(u))
        return u;
    auto conversion = [&](const QString& a) { return a == unit ? UnitConversion{} : units.value(a); };
    QStringList alike;
    for (const QString& a : accepted)
        if (unitKey(a) == unitKey(u))
            alike << a;
    for (const QString& a : alike) // alike units that mean different things: none is taken
        if (conversion(a).factor != conversion(alike.front()).factor || conversion(a).offset != conversion(alike.front()).offset)
            return {};
    return alike.value(0);
}

core::Expected<UnitConversion> BiomarkerSpec::conversionFrom(const QString& given) const
{
    const QString spelling = acceptedSpelling(given);
    if (spelling.isEmpty())
        return Error(QStringLiteral("%1: unit '%2' is not known; accepted: %3").arg(name, given.trimmed(), acceptedUnits().join(QStringLiteral(", "))));
    return spelling == unit ? UnitConversion{} : units.value(spelling);
}

core::Expected<BiomarkerSchema> BiomarkerSchema::fromJson(const QJsonObject& json, const QString& source)
{
    if (json.value(QLatin1String("format")).toString() != QLatin1String("bioforge-age-biomarkers/1"))
        return Error(QStringLiteral("%1: not a biomarker schema (format bioforge-age-biomarkers/1)").arg(source));
    BiomarkerSchema schema;
    for (const QJsonValue& v : json.value(QLatin1String("biomarkers")).toArray()) {
        const QJsonObject o = v.toObject();
        BiomarkerSpec b;
        b.name = o.value(QLatin1String("name")).toString();
        b.label = o.value(QLatin1String("label")).toString(b.name);
        b.unit = o.value(QLatin1String("unit")).toString();
        const QJsonArray range = o.value(QLatin1String("range")).toArray();
        if (b.name.isEmpty() || b.unit.isEmpty() || range.size() != 2 || !(range[0].toDouble() < range[1].toDouble()))
            return Error(QStringLiteral("%1: biomarker '%2' needs a name, a unit and a range [min, max]").arg(source, b.name));
        b.minimum = range[0].toDouble();
        b.maximum = range[1].toDouble();
        const QJsonObject units = o.value(QLatin1String("units")).toObject();
        for (auto it = units.begin(); it != units.end(); ++it) {
            const QJsonObject c = it.value().toObject();
            const UnitConversion conversion{c.value(QLatin1String("factor")).toDouble(0), c.value(QLatin1String("offset")).toDouble(0)};
            if (!(conversion.factor > 0) || !std::isfinite(conversion.offset))
                return Error(QStringLiteral("%1: biomarker '%2', unit '%3': the factor must be positive").arg(source, b.name, it.key()));
            b.units.insert(it.key(), conversion);
        }
        if (schema.find(b.name))
            return Error(QStringLiteral("%1: biomarker '%2' is listed twice").arg(source, b.name));
        schema.m_biomarkers.append(b);
    }
    const QJsonObject models = json.value(QLatin1String("models")).toObject();
    for (auto it = models.begin(); it != models.end(); ++it) {
        ClockRequirement r;
        for (const QJsonValue& m : it.value().toObject().value(QLatin1String("required")).toArray()) {
            if (!schema.find(m.toString()))
                return Error(QStringLiteral("%1: clock '%2' needs '%3', which is not a biomarker of the schema").arg(source, it.key(), m.toString()));
            r.required << m.toString();
        }
        r.missingAllowed = it.value().toObject().value(QLatin1String("missing_allowed")).toInt(0);
        schema.m_requirements.insert(it.key(), r);
    }
    return schema;
}

const BiomarkerSchema& BiomarkerSchema::builtIn()
{
    static const BiomarkerSchema schema = [] {
        initAgeResources();
        QFile file(QStringLiteral(":/age/biomarkers.json"));
        auto json = file.open(QIODevice::ReadOnly) ? core::parseJsonObject(file.readAll(), file.fileName())
                                                   : core::Expected<QJsonObject>(Error(QStringLiteral("the built-in biomarker schema is missing")));
        auto parsed = json ? fromJson(*json, file.fileName()) : core::Expected<BiomarkerSchema>(json.error());
        if (!parsed)
            qFatal("%s", qPrintable(parsed.error().message())); // a resource of the program itself: a build defect, not user input
        return *parsed;
    }();
    return schema;
}

const BiomarkerSpec* BiomarkerSchema::find(const QString& name) const
{
    for (const BiomarkerSpec& b : m_biomarkers)
        if (b.name == name)
            return &b;
    return nullptr;
}

QStringList BiomarkerSchema::names() const
{
    QStringList out;
    for (const BiomarkerSpec& b : m_biomarkers)
        out << b.name;
    return out;
}

} // namespace bioforge::age
