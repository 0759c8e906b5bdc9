#include "pipeline/tokenizer_warnings.h"

#include <QRegularExpression>

#include <algorithm>

namespace bioforge::viral {

namespace {
const QString kPiecePrefix = QStringLiteral("protein piece '");
const QString kPieceSuffix = QStringLiteral("' is not in the ESM alphabet: it was read as <unk>");
} // namespace

QString unknownPieceWarning(const QString& piece)
{
    return kPiecePrefix + piece + kPieceSuffix;
}

bool isUnknownPieceWarning(const QString& warning)
{
    return warning.startsWith(kPiecePrefix) && warning.endsWith(kPieceSuffix);
}

QStringList tokenizerWarningLines(const QStringList& distinct, qint64 hidden, bool hiddenMayRepeat)
{
    QStringList lines = distinct.mid(0, kTokenizerWarningsShown);
    const qint64 more = std::max<qint64>(0, distinct.size() - kTokenizerWarningsShown) + hidden;
    if (more > 0)
        lines << QStringLiteral("… and %1%2 more warnings of the tokenizer").arg(hidden > 0 && hiddenMayRepeat ? QStringLiteral("at most ") : QString()).arg(more);
    return lines;
}

qint64 hiddenTokenizerWarnings(const QString& warning)
{
    static const QRegularExpression line(QStringLiteral("^… and (?:at most )?(\\d+) more warnings of the tokenizer$"));
    const QRegularExpressionMatch m = line.match(warning);
    return m.hasMatch() ? m.captured(1).toLongLong() : -1;
}

} // namespace bioforge::viral
