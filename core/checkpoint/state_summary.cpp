#include "checkpoint/state_summary.h"

#include <QJsonArray>
#include <QJsonDocument>

#include <cmath>

namespace bioforge::core {

namespace {

QString quoted(const QString& text)
{
    // JSON's own escaping, through a one-element array ("[\"…\"]" less its brackets).
    const QByteArray json = QJsonDocument(QJsonArray{text}).toJson(QJsonDocument::Compact);
    return QString::fromUtf8(json.mid(1, json.size() - 2));
}

QString summary(const QJsonValue& v, int depth)
{
    switch (v.type()) {
    case QJsonValue::Null: return QStringLiteral("null");
    case QJsonValue::Bool: return v.toBool() ? QStringLiteral("true") : QStringLiteral("false");
    case QJsonValue::Double: {
        const double d = v.toDouble();
        return d == double(qint64(d)) && std::abs(d) < 9e15 ? QString::number(qint64(d)) : QString::number(d, 'g', 10);
    }
    case QJsonValue::String: {
        const QString s = v.toString();
        if (s.size() <= StateSummary::kLongString)
            return quoted(s);
        return quoted(s.left(StateSummary::kLongString - 8)) + QStringLiteral("…(%1 chars)").arg(s.size());
    }
    case QJsonValue::Array: {
        const QJsonArray a = v.toArray();
        if (a.size() > StateSummary::kShownItems || (depth >= StateSummary::kDepth && !a.isEmpty()))
            return QStringLiteral("[%1 item%2]").arg(QString::number(a.size()), a.size() == 1 ? QString() : QStringLiteral("s"));
        QStringList items;
        for (const QJsonValue& item : a)
            items << summary(item, depth + 1);
        return QLatin1Char('[') + items.join(QStringLiteral(", ")) + QLatin1Char(']');
    }
    case QJsonValue::Object: {
        const QJsonObject o = v.toObject();
        if (depth >= StateSummary::kDepth && !o.isEmpty())
            return QStringLiteral("{%1 key%2}").arg(QString::number(o.size()), o.size() == 1 ? QString() : QStringLiteral("s"));
        QStringList members;
        for (auto it = o.begin(); it != o.end(); ++it)
            members << quoted(it.key()) + QStringLiteral(": ") + summary(it.value(), depth + 1);
        return QLatin1Char('{') + members.join(QStringLiteral(", ")) + QLatin1Char('}');
    }
    case QJsonValue::Undefined: break;
    }
    return QStringLiteral("undefined");
}

} // namespace

QString StateSummary::of(const QJsonObject& state, int width)
{
    QString line = summary(state, 0);
    if (width > 1 && line.size() > width)
        line = line.left(width - 1) + QStringLiteral("…");
    return line;
}

} // namespace bioforge::core
