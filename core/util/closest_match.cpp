#include "util/closest_match.h"

#include <algorithm>
#include <vector>

namespace bioforge::core {

namespace {

qsizetype editDistance(const QString& a, const QString& b)
{
    std::vector<qsizetype> row(size_t(b.size()) + 1);
    for (qsizetype j = 0; j <= b.size(); ++j)
        row[size_t(j)] = j;
    for (qsizetype i = 1; i <= a.size(); ++i) {
        qsizetype diagonal = row[0];
        row[0] = i;
        for (qsizetype j = 1; j <= b.size(); ++j) {
            const qsizetype above = row[size_t(j)];
            row[size_t(j)] = std::min({above + 1, row[size_t(j - 1)] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
            diagonal = above;
        }
    }
    return row[size_t(b.size())];
}

} // namespace

QString closestMatch(const QString& typed, const QStringList& candidates)
{
    const QString t = typed.toLower();
    if (t.isEmpty())
        return {};
    QString best;
    qsizetype bestDistance = 0;
    for (const QString& candidate : candidates) {
        const QString c = candidate.toLower();
        if (c == t)
            return candidate;
        const qsizetype distance = c.startsWith(t) ? 0 : editDistance(t, c);
        const qsizetype allowed = std::max<qsizetype>(1, std::max(t.size(), c.size()) / 3);
        if ((c.startsWith(t) || distance <= allowed) && (best.isEmpty() || distance < bestDistance)) {
            best = candidate;
            bestDistance = distance;
        }
    }
    return best;
}

QString didYouMean(const QString& typed, const QStringList& candidates)
{
    const QString match = closestMatch(typed, candidates);
    return match.isEmpty() ? QString() : QStringLiteral(" (did you mean '%1'?)").arg(match);
}

} // namespace bioforge::core
