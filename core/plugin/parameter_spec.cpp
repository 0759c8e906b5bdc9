#include "plugin/parameter_spec.h"

#include <QDir>
#include <QFileInfo>
#include <QJsonArray>

#include <cmath>

namespace bioforge::core {
namespace {

// A bound or value as typed: whole numbers in full (16777216, not 1.67772e+07), others to 10 digits.
QString numberText(double d)
{
    if (d == std::floor(d) && std::fabs(d) < 9e18) // within qlonglong
        return QString::number(qlonglong(d));
    return QString::number(d, 'g', 10);
}

QString typeName(ParameterSpec::Type type)
{
    switch (type) {
    case ParameterSpec::Type::String: return QStringLiteral("text");
    case ParameterSpec::Type::Integer: return QStringLiteral("integer");
    case ParameterSpec::Type::Number: return QStringLiteral("number");
    case ParameterSpec::Type::Boolean: return QStringLiteral("true/false");
    case ParameterSpec::Type::Path: return QStringLiteral("path");
    case ParameterSpec::Type::PathList: return QStringLiteral("paths");
    case ParameterSpec::Type::Choice: return QStringLiteral("one of");
    }
    return {};
}

Expected<QJsonValue> checkValue(const ParameterSpec& p, const QJsonValue& v)
{
    const QString where = QStringLiteral("parameter '%1'").arg(p.name);
    switch (p.type) {
    case ParameterSpec::Type::String:
    case ParameterSpec::Type::Path:
        if (!v.isString())
            return Error(QStringLiteral("%1: expected %2").arg(where, typeName(p.type)));
        // An optional path whose default is empty takes "" as "not given".
        if (p.type == ParameterSpec::Type::Path && v.toString().isEmpty() && !(p.defaultValue.isString() && p.defaultValue.toString().isEmpty()))
            return Error(QStringLiteral("%1: empty path").arg(where));
        return v;
    case ParameterSpec::Type::Choice:
        if (!v.isString() || !p.choices.contains(v.toString()))
            return Error(QStringLiteral("%1: '%2' is not one of %3").arg(where, v.toVariant().toString(), p.choices.join(QStringLiteral(", "))));
        return v;
    case ParameterSpec::Type::Boolean:
        if (!v.isBool())
            return Error(QStringLiteral("%1: expected true or false").arg(where));
        return v;
    case ParameterSpec::Type::Integer:
    case ParameterSpec::Type::Number: {
        if (!v.isDouble())
            return Error(QStringLiteral("%1: expected a %2").arg(where, typeName(p.type)));
        const double d = v.toDouble();
        // NaN passes every comparison below (and "nan" parses as a number); infinities are no setting either.
        if (!std::isfinite(d))
            return Error(QStringLiteral("%1: expected a finite %2, got %3").arg(where, typeName(p.type), QString::number(d)));
        if (p.type == ParameterSpec::Type::Integer && d != std::floor(d))
            return Error(QStringLiteral("%1: expected a whole number, got %2").arg(where, QString::number(d)));
        if (d < p.minimum || d > p.maximum)
            return Error(QStringLiteral("%1: %2 is outside [%3, %4]").arg(where, numberText(d), numberText(p.minimum), numberText(p.maximum)));
        return v;
    }
    case ParameterSpec::Type::PathList: {
        if (!v.isArray())
            return Error(QStringLiteral("%1: expected a list of paths").arg(where));
        for (const QJsonValue& e : v.toArray())
            if (!e.isString() || e.toString().isEmpty())
                return Error(QStringLiteral("%1: every entry must be a non-empty path").arg(where));
        return v;
    }
    }
    return v;
}

Expected<QJsonValue> parseText(const ParameterSpec& p, const QString& text)
{
    const QString where = QStringLiteral("--%1").arg(p.name);
    switch (p.type) {
    case ParameterSpec::Type::Integer: {
        bool ok = false;
        const qlonglong v = text.toLongLong(&ok);
        if (!ok)
            return Error(QStringLiteral("%1: '%2' is not a whole number").arg(where, text));
        return QJsonValue(double(v));
    }
    case ParameterSpec::Type::Number: {
        bool ok = false;
        const double v = text.toDouble(&ok);
        if (!ok || !std::isfinite(v))
            return Error(QStringLiteral("%1: '%2' is not a finite number").arg(where, text));
        return QJsonValue(v);
    }
    case ParameterSpec::Type::Boolean: { // in any case, as `--flag YES` and `--flag=YES` alike
        const QString word = text.toLower();
        if (word == QLatin1String("true") || word == QLatin1String("1") || word == QLatin1String("yes"))
            return QJsonValue(true);
        if (word == QLatin1String("false") || word == QLatin1String("0") || word == QLatin1String("no"))
            return QJsonValue(false);
        return Error(QStringLiteral("%1: '%2' is not true/false/yes/no/1/0 (a boolean option takes one of those, or nothing)").arg(where, text));
    }
    default:
        return QJsonValue(text);
    }
}

} // namespace

Expected<QJsonObject> VerbSpec::validate(const QJsonObject& given) const
{
    QJsonObject out;
    for (auto it = given.begin(); it != given.end(); ++it) {
        bool known = false;
        for (const ParameterSpec& p : parameters)
            known = known || p.name == it.key();
        if (!known)
            return Error(QStringLiteral("%1: unknown parameter '%2'").arg(name, it.key()));
    }
    for (const ParameterSpec& p : parameters) {
        if (!given.contains(p.name)) {
            if (p.required())
                return Error(QStringLiteral("%1: parameter '%2' is required (%3)").arg(name, p.name, p.description));
            out.insert(p.name, p.defaultValue);
            continue;
        }
        if (given.value(p.name).isNull() && p.defaultValue.isNull()) { // "not given" as recorded (a resume)
            out.insert(p.name, QJsonValue::Null);
            continue;
        }
        auto v = checkValue(p, given.value(p.name));
        if (!v)
            return v.error().withContext(name);
        out.insert(p.name, *v);
    }
    return out;
}

Expected<QJsonObject> VerbSpec::parseArguments(const QStringList& args) const
{
    auto given = parseGivenArguments(args);
    if (!given)
        return given.error();
    return validate(*given);
}

Expected<QJsonObject> VerbSpec::parseGivenArguments(const QStringList& args) const
{
    QJsonObject given;
    // The parameter a bare argument gives: a required one first (`run llm generate MODEL
    // --prompt_file F`: the model, not the optional prompt file), then any, in this order of kinds.
    const auto positionalAmong = [this](bool requiredOnly) -> const ParameterSpec* {
        const auto first = [&](const auto& kind) -> const ParameterSpec* {
            for (const ParameterSpec& p : parameters)
                if (kind(p) && (!requiredOnly || p.defaultValue.isUndefined()))
                    return &p;
            return nullptr;
        };
        using T = ParameterSpec::Type;
        if (const ParameterSpec* p = first([](const ParameterSpec& s) { return s.type == T::PathList; }))
            return p;
        // A single path of an input file (`run age clocks table.csv`, `age predict table.csv --model M`).
        if (const ParameterSpec* p = first([](const ParameterSpec& s) { return s.type == T::Path && s.inputFiles; }))
            return p;
        if (const ParameterSpec* p = first([](const ParameterSpec& s) { return s.type == T::Path; }))
            return p;
        return first([](const ParameterSpec& s) { return s.type == T::String && s.fileOrName; }); // `llm info NAME`
    };
    const ParameterSpec* positional = positionalAmong(true);
    if (!positional)
        positional = positionalAmong(false);
    // --top-k and --top_k name the same option: the recorded verbs use underscores (JSON keys),
    // the plain commands hyphens, and a user types either.
    auto find = [&](const QString& n) -> const ParameterSpec* {
        const QString wanted = QString(n).replace(QLatin1Char('-'), QLatin1Char('_'));
        for (const ParameterSpec& p : parameters)
            if (QString(p.name).replace(QLatin1Char('-'), QLatin1Char('_')) == wanted)
                return &p;
        return nullptr;
    };
    for (int i = 0; i < args.size(); ++i) {
        const QString& arg = args[i];
        if (!arg.startsWith(QLatin1String("--"))) {
            if (!positional)
                return Error(QStringLiteral("%1: unexpected argument '%2'").arg(name, arg));
            if (positional->type != ParameterSpec::Type::PathList) {
                // Right after a boolean flag, a word that is no value is a mistyped value (`--special maybe`).
                if (const ParameterSpec* before = i > 0 && args[i - 1].startsWith(QLatin1String("--")) && !args[i - 1].contains(QLatin1Char('='))
                                                      ? find(args[i - 1].mid(2))
                                                      : nullptr;
                    given.contains(positional->name) && before && before->type == ParameterSpec::Type::Boolean && !arg.contains(QLatin1Char('/'))
                    && !arg.contains(QLatin1Char('.')))
                    return Error(QStringLiteral("%1: --%2: '%3' is not true/false/yes/no/1/0 (a boolean option takes one of those, or nothing)")
                                     .arg(name, before->name, arg),
                                 Error::Kind::Invalid);
                if (given.contains(positional->name))
                    return Error(QStringLiteral("%1: unexpected argument '%2' (--%3 is already '%4')").arg(name, arg, positional->name, given.value(positional->name).toString()));
                given.insert(positional->name, arg);
                continue;
            }
            QJsonArray list = given.value(positional->name).toArray();
            list.append(arg);
            given.insert(positional->name, list);
            continue;
        }
        QString key = arg.mid(2);
        QString inlineValue;
        bool hasInline = false;
        if (const qsizetype eq = key.indexOf(QLatin1Char('=')); eq >= 0) {
            inlineValue = key.mid(eq + 1);
            key = key.left(eq);
            hasInline = true;
        }
        const ParameterSpec* p = find(key);
        if (!p && key.startsWith(QLatin1String("no-")) && (p = find(key.mid(3))) && p->type == ParameterSpec::Type::Boolean) {
            if (given.contains(p->name))
                return Error(QStringLiteral("%1: --%2 is given twice").arg(name, p->name));
            given.insert(p->name, false);
            continue;
        }
        if (!p)
            return Error(QStringLiteral("%1: unknown option --%2 (see --help)").arg(name, key));
        // One value: given twice (an option after the positional argument it names, a script's default
        // and an override) the last would win silently.
        if (p->type != ParameterSpec::Type::PathList && given.contains(p->name)) {
            // The argument without a name taken for one option and the option given too (`--table T` after a
            // table): said which option the argument stands for, and how the others are given.
            QStringList byName;
            for (const ParameterSpec& other : parameters)
                if (&other != positional && (other.type == ParameterSpec::Type::Path || other.type == ParameterSpec::Type::PathList))
                    byName << QStringLiteral("--") + other.name;
            return Error(QStringLiteral("%1: --%2 is given twice ('%3' already%4)")
                             .arg(name, p->name, given.value(p->name).toVariant().toString(),
                                  p != positional ? QString()
                                  : byName.isEmpty()
                                      ? QStringLiteral(", as the argument without an option name")
                                      : QStringLiteral(", as the argument without an option name, which %1 takes as --%2; its other files are given "
                                                       "by name: %3")
                                            .arg(name, p->name, byName.join(QStringLiteral(", ")))),
                         Error::Kind::Invalid);
        }
        if (p->type == ParameterSpec::Type::Boolean && !hasInline) {
            // "--flag", or "--flag true|false": a following word that reads as a boolean is its value.
            if (i + 1 < args.size())
                if (auto v = parseText(*p, args[i + 1])) {
                    given.insert(p->name, *v);
                    ++i;
                    continue;
                }
            // A word that would be taken as an input file but is no path and no file here ("--reuse_results
            // maybe") is a mistyped value, not an input file to be called missing. (A model name or an
            // output after a flag is left alone.)
            const bool takesInputFile = positional && positional->inputFiles
                                        && (positional->type == ParameterSpec::Type::PathList || !given.contains(positional->name));
            if (const QString next = args.value(i + 1); takesInputFile && !next.isEmpty() && !next.startsWith(QLatin1Char('-'))
                                                        && !next.contains(QLatin1Char('/')) && !next.contains(QLatin1Char('.')) && !QFileInfo::exists(next))
                return Error(QStringLiteral("%1: --%2: '%3' is not true/false/yes/no/1/0 (a boolean option takes one of those, or nothing)")
                                 .arg(name, p->name, next),
                             Error::Kind::Invalid);
            given.insert(p->name, true);
            continue;
        }
        if (!hasInline) {
            if (i + 1 >= args.size())
                return Error(QStringLiteral("%1: --%2 needs a value").arg(name, key));
            inlineValue = args[++i];
        }
        if (p->type == ParameterSpec::Type::PathList) {
            QJsonArray list = given.value(p->name).toArray();
            list.append(inlineValue);
            given.insert(p->name, list);
            continue;
        }
        auto v = parseText(*p, inlineValue);
        if (!v) // named as every other refusal of the command line is ("annotate: --offline: …")
            return Error(QStringLiteral("%1: %2").arg(name, v.error().message()), Error::Kind::Invalid);
        given.insert(p->name, *v);
    }
    return given;
}

QStringList VerbSpec::inputFilePaths(const QJsonObject& validated) const
{
    QStringList files;
    for (const ParameterSpec& p : parameters) {
        if (!p.inputFiles)
            continue;
        const QJsonValue v = validated.value(p.name);
        for (const QJsonValue& path : v.isArray() ? v.toArray() : QJsonArray{v})
            if (path.isString() && !path.toString().isEmpty())
                files << path.toString();
    }
    return files;
}

QStringList VerbSpec::filesRead(const QJsonObject& validated) const
{
    QStringList files = inputFilePaths(validated);
    for (const ParameterSpec& p : parameters)
        if (p.fileOrName && !p.readWrite)
            if (const QString value = validated.value(p.name).toString(); !value.isEmpty() && QFileInfo(value).isFile() && !files.contains(value))
                files << value;
    return files;
}

QStringList VerbSpec::pathsGone(const QJsonObject& validated) const
{
    QStringList gone;
    for (const QString& path : inputFilePaths(validated))
        if (!QFileInfo::exists(path) && !gone.contains(QDir::cleanPath(path)))
            gone << QDir::cleanPath(path);
    for (const ParameterSpec& p : parameters)
        if (p.fileOrName && !p.readWrite)
            if (const QString value = validated.value(p.name).toString(); QFileInfo(value).isAbsolute() && !QFileInfo::exists(value)
                                                                          && !gone.contains(QDir::cleanPath(value)))
                gone << QDir::cleanPath(value);
    return gone;
}

QString VerbSpec::missingInputFile(const QJsonObject& validated) const
{
    for (const QString& path : inputFilePaths(validated)) {
        // /dev/stdin (or /dev/fd/N, /proc/self/fd/N) redirected from a file is a file to QFileInfo,
        // but names whatever standard input is at a resume, not the file (trial 24 T24-15). A file
        // in /dev/shm is a file (review 68 R68-12).
        const QString absolute = QFileInfo(path).absoluteFilePath();
        const bool aStream = absolute == QLatin1String("/dev/stdin") || absolute.startsWith(QLatin1String("/dev/fd/"))
                             || absolute.startsWith(QLatin1String("/proc/"));
        if (!QFileInfo(path).isFile() || aStream)
            return path;
    }
    return {};
}

QString VerbSpec::inputSummary(const QJsonObject& validated) const
{
    QStringList names;
    for (const ParameterSpec& p : parameters) {
        if (!p.inputFiles)
            continue;
        const QJsonValue v = validated.value(p.name);
        for (const QJsonValue& path : v.isArray() ? v.toArray() : QJsonArray{v})
            if (path.isString() && !path.toString().isEmpty())
                names << QFileInfo(path.toString()).fileName();
    }
    if (names.isEmpty()) // a verb without input files names what else it reads (llm generate's model: a file or a registry name)
        for (const ParameterSpec& p : parameters)
            if (p.fileOrName && p.required())
                if (const QString value = validated.value(p.name).toString(); !value.isEmpty())
                    names << (QFileInfo::exists(value) ? QFileInfo(value).fileName() : value);
    constexpr qsizetype kNamed = 2;
    if (names.size() <= kNamed)
        return names.join(QStringLiteral(", "));
    return QStringLiteral("%1 and %2 more").arg(names.mid(0, kNamed).join(QStringLiteral(", ")), QString::number(names.size() - kNamed));
}

QJsonObject VerbSpec::withAbsolutePaths(const QJsonObject& validated) const
{
    QJsonObject out = validated;
    auto absolute = [](const QString& path) { return QDir::isRelativePath(path) ? QFileInfo(path).absoluteFilePath() : path; };
    for (const ParameterSpec& p : parameters) {
        const QJsonValue v = validated.value(p.name);
        if (p.type == ParameterSpec::Type::Path && v.isString() && !v.toString().isEmpty())
            out.insert(p.name, absolute(v.toString()));
        else if (p.type == ParameterSpec::Type::PathList && v.isArray()) {
            QJsonArray paths;
            for (const QJsonValue& path : v.toArray())
                paths.append(path.isString() && !path.toString().isEmpty() ? QJsonValue(absolute(path.toString())) : path);
            out.insert(p.name, paths);
        } else if (p.type == ParameterSpec::Type::String && p.fileOrName && v.isString() && !v.toString().isEmpty()
                   && QDir::isRelativePath(v.toString()) && (QFileInfo::exists(v.toString()) || p.readWrite)) // a cache made by the run
            out.insert(p.name, absolute(v.toString()));
    }
    return out;
}

QString VerbSpec::helpText() const
{
    QString text = QStringLiteral("%1: %2\n").arg(name, description);
    for (const ParameterSpec& p : parameters) {
        QString line = p.type == ParameterSpec::Type::Boolean ? QStringLiteral("  --%1 [true|false]").arg(p.name)
                                                              : QStringLiteral("  --%1 <%2>").arg(p.name, p.fileOrName ? QStringLiteral("path") : typeName(p.type));
        if (p.type == ParameterSpec::Type::Choice)
            line += QStringLiteral(" {%1}").arg(p.choices.join(QLatin1Char('|')));
        line += QStringLiteral("  %1").arg(p.description);
        if (p.required())
            line += QStringLiteral(" (required)");
        else if (const QString value = p.defaultValue.toVariant().toString(); !value.isEmpty())
            line += QStringLiteral(" (default: %1)").arg(value); // an empty one means none, or the description says what
        text += line + QLatin1Char('\n');
    }
    return text;
}

} // namespace bioforge::core
