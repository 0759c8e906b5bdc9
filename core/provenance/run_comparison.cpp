#include "provenance/run_comparison.h"

#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLocale>

#include <utility>

namespace bioforge::core {

namespace {

// A value as shown and as compared (the key of its equality).
struct Shown {
    QString text;
    QString identity;
};
using Values = QMap<QString, Shown>;

QString jsonText(const QJsonValue& v)
{
    if (v.isString())
        return v.toString();
    if (v.isDouble()) // shortest exact: 0.3, not 0.29999999999999999 (review 68 R68-11)
        return QString::number(v.toDouble(), 'g', QLocale::FloatingPointShortest);
    if (v.isBool())
        return v.toBool() ? QStringLiteral("true") : QStringLiteral("false");
    if (v.isNull() || v.isUndefined())
        return QStringLiteral("null");
    return QString::fromUtf8(v.isArray() ? QJsonDocument(v.toArray()).toJson(QJsonDocument::Compact)
                                         : QJsonDocument(v.toObject()).toJson(QJsonDocument::Compact));
}

// Nested objects flattened to "a.b" keys; arrays and scalars as text.
void flatten(const QJsonObject& object, const QString& prefix, Values& out)
{
    for (auto it = object.begin(); it != object.end(); ++it) {
        const QString key = prefix.isEmpty() ? it.key() : prefix + QLatin1Char('.') + it.key();
        if (it.value().isObject())
            flatten(it.value().toObject(), key, out);
        else
            out.insert(key, {jsonText(it.value()), jsonText(it.value())});
    }
}

// A name several entries share (every FASTA of a viral run is "FASTA") is keyed by its place
// among them: "FASTA", "FASTA #2", … (only the last was compared: review 68 R68-10).
QString keyOf(const QString& name, QHash<QString, int>& seen)
{
    const int n = ++seen[name];
    return n == 1 ? name : QStringLiteral("%1 #%2").arg(name).arg(n);
}

Values files(const QList<FileRef>& list)
{
    Values out;
    QHash<QString, int> seen;
    for (const FileRef& f : list)
        out.insert(keyOf(f.name, seen), {(f.sha256.left(12) + QLatin1Char(' ') + f.path).trimmed(), f.sha256 + QLatin1Char('/') + QString::number(f.size)});
    return out;
}

Values models(const QList<ModelRef>& list)
{
    Values out;
    QHash<QString, int> seen;
    for (const ModelRef& m : list)
        out.insert(keyOf(m.name, seen), {(m.revision + QLatin1Char(' ') + m.sha256.left(12)).trimmed(), m.revision + QLatin1Char('/') + m.sha256});
    return out;
}

Values runValues(const RunRecord& r)
{
    Values out;
    const auto put = [&out](const char* key, const QString& text) { out.insert(QLatin1String(key), {text, text}); };
    put("title", r.title);
    put("plugin", r.pluginId);
    put("verb", r.verb);
    put("state", runStateName(r.state));
    put("error", r.error);
    put("warnings", QString::number(r.warningCount));
    put("cluster", r.cluster.isEmpty() ? QString() : r.cluster.value(QLatin1String("backend")).toString(QStringLiteral("yes")));
    return out;
}

Values versions(const RunRecord& r)
{
    Values out;
    out.insert(QStringLiteral("application"), {r.environment.value(QLatin1String("version")).toString(), r.environment.value(QLatin1String("version")).toString()});
    out.insert(QStringLiteral("plugin"), {r.pluginVersion, r.pluginVersion});
    flatten(r.environment.value(QLatin1String("libraries")).toObject(), {}, out);
    flatten(r.libraries, {}, out);
    return out;
}

Values machine(const RunRecord& r)
{
    Values out;
    for (const char* key : {"host", "os", "kernel", "cpuArchitecture"}) {
        const QString v = r.environment.value(QLatin1String(key)).toString();
        out.insert(QLatin1String(key), {v, v});
    }
    return out;
}

void compare(const QString& section, const Values& a, const Values& b, RunComparison& into)
{
    QStringList keys = a.keys();
    for (const QString& k : b.keys())
        if (!a.contains(k))
            keys << k;
    keys.sort();
    int same = 0;
    for (const QString& k : std::as_const(keys)) {
        const auto inA = a.constFind(k), inB = b.constFind(k);
        const bool bothEmpty = (inA == a.cend() || inA->text.isEmpty()) && (inB == b.cend() || inB->text.isEmpty());
        if (bothEmpty)
            continue; // an empty value and an absent one are the same: nothing recorded
        if (inA != a.cend() && inB != b.cend() && inA->identity == inB->identity) {
            ++same;
            continue;
        }
        into.differences.append({section, k, inA == a.cend() ? QString() : inA->text, inB == b.cend() ? QString() : inB->text});
    }
    if (same > 0)
        into.same.append({section, same});
}

} // namespace

RunComparison compareRuns(const RunRecord& a, const RunRecord& b)
{
    RunComparison c;
    compare(QStringLiteral("run"), runValues(a), runValues(b), c);
    Values pa, pb;
    flatten(a.parameters, {}, pa);
    flatten(b.parameters, {}, pb);
    compare(QStringLiteral("parameters"), pa, pb, c);
    compare(QStringLiteral("inputs"), files(a.inputs), files(b.inputs), c);
    compare(QStringLiteral("models"), models(a.models), models(b.models), c);
    compare(QStringLiteral("outputs"), files(a.outputs), files(b.outputs), c);
    Values da, db;
    flatten(a.device, {}, da);
    flatten(b.device, {}, db);
    compare(QStringLiteral("device"), da, db, c);
    compare(QStringLiteral("versions"), versions(a), versions(b), c);
    compare(QStringLiteral("machine"), machine(a), machine(b), c);
    if (a.startedAt.isValid() && a.endedAt.isValid())
        c.secondsA = a.startedAt.secsTo(a.endedAt);
    if (b.startedAt.isValid() && b.endedAt.isValid())
        c.secondsB = b.startedAt.secsTo(b.endedAt);
    return c;
}

} // namespace bioforge::core
