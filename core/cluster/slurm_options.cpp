#include "cluster/slurm_options.h"

#include "io/json_file.h"

#include <QJsonArray>
#include <QRegularExpression>


namespace bioforge::core {

namespace {

QString canonicalKey(QString key)
{
    key.replace(QLatin1Char('-'), QLatin1Char('_'));
    return key == QLatin1String("mem") ? QStringLiteral("memory") : key;
}

bool matches(const QString& text, const char* pattern)
{
    return QRegularExpression(QRegularExpression::anchoredPattern(QLatin1String(pattern))).match(text).hasMatch();
}

// `unlimited`, `Infinite`: as sbatch's documentation spells them.
QString canonicalTime(const QString& time)
{
    return time.compare(QLatin1String("unlimited"), Qt::CaseInsensitive) == 0 || time.compare(QLatin1String("infinite"), Qt::CaseInsensitive) == 0
               ? time.toUpper()
               : time;
}

} // namespace

QJsonObject SlurmOptions::canonicalKeys(const QJsonObject& json)
{
    QJsonObject out;
    for (auto it = json.begin(); it != json.end(); ++it) {
        const QString key = canonicalKey(it.key());
        out.insert(key, key == QLatin1String("time") && it.value().isString() ? QJsonValue(canonicalTime(it.value().toString())) : it.value());
    }
    return out;
}

Expected<SlurmOptions> SlurmOptions::fromJson(const QJsonObject& given)
{
    SlurmOptions o;
    static const QStringList known = {QStringLiteral("shards"), QStringLiteral("partition"), QStringLiteral("account"), QStringLiteral("time"),
                                      QStringLiteral("cpus_per_task"), QStringLiteral("memory"), QStringLiteral("gpus_per_task"),
                                      QStringLiteral("sbatch_lines"), QStringLiteral("backend")};
    // Keys as the command line spells its options: hyphens and underscores alike, `mem` for memory.
    QJsonObject json;
    for (auto it = given.begin(); it != given.end(); ++it) {
        const QString key = canonicalKey(it.key());
        if (!known.contains(key))
            return Error(QStringLiteral("cluster option '%1' is unknown (known: %2; hyphens and underscores alike)").arg(it.key(), known.join(QStringLiteral(", "))));
        if (json.contains(key))
            return Error(QStringLiteral("cluster option '%1' is given twice (as '%1' and another spelling)").arg(it.key()));
        json.insert(key, it.value());
    }
    if (const QString backend = json.value(QLatin1String("backend")).toString(QStringLiteral("slurm")); backend != QLatin1String("slurm"))
        return Error(QStringLiteral("cluster back-end '%1' is not supported (only slurm)").arg(backend));
    // Whole numbers checked before they are narrowed (2^32 + 3 must not pass as 3); a value
    // that is present but no whole number (2.5, "8", 1e19) is an error, not the default.
    const auto count = [&](const char* key, int fallback, int lo, int hi) -> Expected<int> {
        const QJsonValue v = json.value(QLatin1String(key));
        if (v.isUndefined())
            return fallback;
        const auto n = wholeNumberIn(v, lo, hi);
        if (!n)
            return Error(QStringLiteral("cluster option %1: %2 is out of range (a whole number from %3 to %4)")
                             .arg(QLatin1String(key), jsonText(v), QString::number(lo), QString::number(hi)));
        return int(*n);
    };
    auto shards = count("shards", 4, 1, kMaxShards);
    auto cpus = count("cpus_per_task", 0, 0, 100000);
    auto gpus = count("gpus_per_task", 0, 0, 1024);
    for (const auto* n : {&shards, &cpus, &gpus})
        if (!*n)
            return n->error();
    o.shards = *shards;
    o.cpusPerTask = *cpus;
    o.gpusPerTask = *gpus;
    // Text options given as another JSON type ({"partition": 5}) were read as not given.
    for (const char* key : {"backend", "partition", "account", "time", "memory"})
        if (const QJsonValue v = json.value(QLatin1String(key)); !v.isUndefined() && !v.isString())
            return Error(QStringLiteral("cluster option %1: %2 is not text; expected it in quotes, e.g. \"%3\"")
                             .arg(QLatin1String(key), jsonText(v), v.isDouble() ? jsonText(v) : QStringLiteral("…")));
    o.partition = json.value(QLatin1String("partition")).toString();
    o.account = json.value(QLatin1String("account")).toString();
    o.timeLimit = canonicalTime(json.value(QLatin1String("time")).toString());
    o.memory = json.value(QLatin1String("memory")).toString();
    // A list of sbatch options; anything else (one string, a number) was read as no line at all.
    if (const QJsonValue lines = json.value(QLatin1String("sbatch_lines")); !lines.isUndefined()) {
        if (!lines.isArray())
            return Error(QStringLiteral("cluster option sbatch_lines: %1 is not a list; expected a list of sbatch options, e.g. [\"--qos=long\"]").arg(jsonText(lines)));
        for (const QJsonValue& v : lines.toArray()) {
            if (!v.isString())
                return Error(QStringLiteral("cluster option sbatch_lines: %1 is not text; expected sbatch options such as \"--qos=long\"").arg(jsonText(v)));
            o.extraLines << v.toString();
        }
    }
    if (!o.partition.isEmpty() && !matches(o.partition, "[A-Za-z0-9_.,-]+"))
        return Error(QStringLiteral("cluster option partition '%1': expected partition names (letters, digits, _ . - ,)").arg(o.partition));
    if (!o.account.isEmpty() && !matches(o.account, "[A-Za-z0-9_.-]+"))
        return Error(QStringLiteral("cluster option account '%1': expected an account name (letters, digits, _ . -)").arg(o.account));
    if (!o.timeLimit.isEmpty() && !matches(o.timeLimit, "(\\d+-)?\\d+(:\\d+){0,2}|UNLIMITED|INFINITE"))
        return Error(QStringLiteral("cluster option time '%1': expected minutes, MM:SS, HH:MM:SS, D-HH, D-HH:MM or D-HH:MM:SS").arg(o.timeLimit));
    if (!o.memory.isEmpty() && !matches(o.memory, "\\d+[KMGTkmgt]?"))
        return Error(QStringLiteral("cluster option memory '%1': expected a size such as 4000 (MB), 16G or 512M").arg(o.memory));
    for (const QString& line : o.extraLines)
        if (!line.startsWith(QLatin1Char('-')) || line.contains(QLatin1Char('\n')) || line.contains(QLatin1Char('\r')) || line.contains(QChar(0)))
            return Error(QStringLiteral("cluster option sbatch line '%1': expected one sbatch option on one line, such as --qos=long").arg(line));
    return o;
}

QJsonObject SlurmOptions::toJson() const
{
    QJsonObject o{{QStringLiteral("backend"), QStringLiteral("slurm")}, {QStringLiteral("shards"), shards}};
    if (!partition.isEmpty())
        o.insert(QStringLiteral("partition"), partition);
    if (!account.isEmpty())
        o.insert(QStringLiteral("account"), account);
    if (!timeLimit.isEmpty())
        o.insert(QStringLiteral("time"), timeLimit);
    if (!memory.isEmpty())
        o.insert(QStringLiteral("memory"), memory);
    if (cpusPerTask > 0)
        o.insert(QStringLiteral("cpus_per_task"), cpusPerTask);
    if (gpusPerTask > 0)
        o.insert(QStringLiteral("gpus_per_task"), gpusPerTask);
    if (!extraLines.isEmpty())
        o.insert(QStringLiteral("sbatch_lines"), QJsonArray::fromStringList(extraLines));
    return o;
}

QStringList SlurmOptions::directives() const
{
    QStringList d;
    if (!partition.isEmpty())
        d << QStringLiteral("--partition=") + partition;
    if (!account.isEmpty())
        d << QStringLiteral("--account=") + account;
    if (!timeLimit.isEmpty())
        d << QStringLiteral("--time=") + timeLimit;
    if (cpusPerTask > 0)
        d << QStringLiteral("--cpus-per-task=%1").arg(cpusPerTask);
    if (!memory.isEmpty())
        d << QStringLiteral("--mem=") + memory;
    if (gpusPerTask > 0)
        d << QStringLiteral("--gres=gpu:%1").arg(gpusPerTask);
    d << extraLines;
    return d;
}

QString shellQuote(const QString& text)
{
    QString quoted = text;
    quoted.replace(QLatin1Char('\''), QLatin1String("'\\''"));
    return QLatin1Char('\'') + quoted + QLatin1Char('\'');
}

QString shellWord(const QString& text)
{
    static const QRegularExpression plain(QStringLiteral("^[A-Za-z0-9/._+,@%:=-]+$"));
    return plain.match(text).hasMatch() ? text : shellQuote(text);
}

} // namespace bioforge::core
