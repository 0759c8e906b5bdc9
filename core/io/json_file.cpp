#include "io/json_file.h"

#include <cmath>

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonParseError>

namespace bioforge::core {
namespace {

// 1-based line and column of a byte offset.
std::pair<qint64, qint64> lineAndColumn(const QByteArray& text, qsizetype offset)
{
    qint64 line = 1, column = 1;
    const qsizetype end = std::min(offset, text.size());
    for (qsizetype i = 0; i < end; ++i) {
        const char c = text[i];
        if (c == '\n' || (c == '\r' && (i + 1 >= text.size() || text[i + 1] != '\n'))) {
            ++line;
            column = 1;
        } else if (c != '\r') {
            ++column;
        }
    }
    return {line, column};
}

} // namespace

Expected<QJsonObject> parseJsonObject(QByteArray json, const QString& source)
{
    if (json.startsWith("\xef\xbb\xbf"))
        json.remove(0, 3);
    if (json.trimmed().isEmpty())
        return Error(QStringLiteral("%1: empty; expected a JSON object").arg(source));
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(json, &error);
    if (error.error != QJsonParseError::NoError) {
        const auto [line, column] = lineAndColumn(json, error.offset);
        return Error(QStringLiteral("%1:%2:%3: not valid JSON: %4").arg(source, QString::number(line), QString::number(column), error.errorString()));
    }
    if (!doc.isObject())
        return Error(QStringLiteral("%1: expected a JSON object at the top level, found %2").arg(source, doc.isArray() ? QStringLiteral("an array") : QStringLiteral("a value")));
    return doc.object();
}

Expected<QJsonObject> readJsonObjectFile(const QString& path, qint64 maxBytes)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return Error(QStringLiteral("%1: cannot open: %2").arg(path, file.errorString()));
    if (file.size() > maxBytes)
        return Error(QStringLiteral("%1: %2 bytes, more than the %3 a JSON file of this kind may have").arg(path, QString::number(file.size()), QString::number(maxBytes)));
    return parseJsonObject(file.readAll(), path);
}

std::optional<qint64> wholeNumberIn(const QJsonValue& v, qint64 lo, qint64 hi)
{
    if (!v.isDouble())
        return std::nullopt;
    const double d = v.toDouble();
    if (!(d >= double(lo) && d <= double(hi) && d == std::floor(d)))
        return std::nullopt;
    return qint64(d);
}

QString jsonText(const QJsonValue& v)
{
    if (v.isUndefined())
        return {};
    return QString::fromUtf8(QJsonDocument(QJsonArray{v}).toJson(QJsonDocument::Compact)).mid(1).chopped(1);
}

} // namespace bioforge::core
