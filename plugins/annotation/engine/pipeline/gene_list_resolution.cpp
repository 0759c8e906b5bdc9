#include "pipeline/gene_list_resolution.h"

#include "jobs/job.h"
#include "jobs/job_context.h"
#include "util/short_list.h"

#include <QHash>

#include <algorithm>
#include <utility>
#include <vector>

namespace bioforge::annotation {

using core::orThrow;

QList<Resolution> resolveGeneList(core::JobContext& ctx, const GeneResolver& resolver, const QList<GeneListEntry>& entries)
{
    ctx.beginStage(QStringLiteral("resolve"), entries.size());
    QList<Resolution> out;
    QHash<QString, qint64> firstLineOfInput, firstLineOfGene;
    QHash<QString, QString> inputOfGene;
    for (const GeneListEntry& e : entries) {
        if (!e.problem.isEmpty()) {
            Resolution bad;
            bad.input = e.text;
            bad.line = e.line;
            bad.reason = e.problem;
            out << bad; // Unknown
            ctx.advance();
            continue;
        }
        const QString folded = e.text.toUpper();
        if (firstLineOfInput.contains(folded)) {
            Resolution d;
            d.input = e.text;
            d.line = e.line;
            d.status = ResolutionStatus::Duplicate;
            d.reason = QStringLiteral("repeats line %1").arg(firstLineOfInput.value(folded));
            out << d;
            ctx.advance();
            continue;
        }
        firstLineOfInput.insert(folded, e.line);
        Resolution r = orThrow(resolver.resolve(e.text));
        r.line = e.line;
        if (r.status == ResolutionStatus::Resolved) {
            if (firstLineOfGene.contains(r.key)) {
                r.status = ResolutionStatus::Duplicate;
                r.reason = QStringLiteral("the same gene (%1) as '%2' on line %3").arg(r.symbol, inputOfGene.value(r.key),
                                                                                       QString::number(firstLineOfGene.value(r.key)));
            } else {
                firstLineOfGene.insert(r.key, e.line);
                inputOfGene.insert(r.key, e.text);
            }
        }
        out << r;
        ctx.advance();
    }
    return out;
}

void warnOfGeneListResolutions(core::JobContext& ctx, const QList<Resolution>& resolutions)
{
    // Entries that are not genes: one line each while few; past kShownEach of a status, one line for
    // it with the first few (a 20,000-entry list of outdated ids printed 11,091 lines and buried the
    // progress): resolution.tsv holds every entry's reason.
    // The lines shown one by one come in the list's order, whatever their status; the summaries after them.
    constexpr qsizetype kShownEach = 8;
    std::vector<std::pair<qint64, QString>> eachLine;
    QStringList summaries;
    for (const ResolutionStatus status : {ResolutionStatus::Unknown, ResolutionStatus::Ambiguous, ResolutionStatus::Withdrawn}) {
        QStringList lines;
        std::vector<std::pair<qint64, QString>> these;
        for (const Resolution& r : resolutions)
            if (r.status == status) {
                lines << QStringLiteral("line %1: %2").arg(r.line).arg(r.reason);
                these.emplace_back(qint64(r.line), QStringLiteral("gene list ") + lines.last());
            }
        if (lines.size() <= kShownEach)
            eachLine.insert(eachLine.end(), these.begin(), these.end());
        else
            summaries << QStringLiteral("gene list: %1 entries are %2 (resolution.tsv says why for each): %3")
                             .arg(QString::number(lines.size()), statusName(status), core::shortList(lines, QStringLiteral("; "), kShownEach));
    }
    std::stable_sort(eachLine.begin(), eachLine.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    for (const auto& [line, warning] : eachLine)
        ctx.warn(warning);
    for (const QString& summary : std::as_const(summaries))
        ctx.warn(summary);
    // Names changed on the way (a previous symbol, an alias) and entries read once: one line each,
    // so the terminal says what resolution.tsv has in full.
    QStringList renamed, repeated;
    for (const Resolution& r : resolutions) {
        if (r.status == ResolutionStatus::Resolved && r.input.compare(r.symbol, Qt::CaseInsensitive) != 0
            && (r.via == QLatin1String("previous symbol") || r.via == QLatin1String("alias")))
            renamed << QStringLiteral("%1 → %2").arg(r.input, r.symbol);
        if (r.status == ResolutionStatus::Duplicate)
            repeated << QStringLiteral("line %1 '%2': %3").arg(r.line).arg(r.input, r.reason);
    }
    const auto listed = [](const QStringList& items) { return core::shortList(items, QStringLiteral("; ")); };
    if (!renamed.isEmpty())
        ctx.warn(renamed.size() == 1 ? QStringLiteral("gene list: 1 name is annotated under its approved symbol (a previous symbol or an alias; "
                                                      "resolution.tsv): %1").arg(renamed.first())
                                     : QStringLiteral("gene list: %1 names are annotated under their approved symbols (previous symbols or aliases; "
                                                      "resolution.tsv): %2").arg(renamed.size()).arg(listed(renamed)));
    if (!repeated.isEmpty())
        ctx.warn(QStringLiteral("gene list: %1 a gene listed before, annotated once: %2")
                     .arg(repeated.size() == 1 ? QStringLiteral("1 entry repeats") : QStringLiteral("%1 entries repeat").arg(repeated.size()), listed(repeated)));
}

} // namespace bioforge::annotation
