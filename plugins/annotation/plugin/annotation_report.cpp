#include "annotation_report.h"

#include "identity/gene_resolver.h"
#include "pipeline/constraint_series.h"
#include "io/csv_reader.h"
#include "io/json_file.h"

#include <QDir>
#include <QJsonArray>

namespace bioforge::annotation {
namespace {

constexpr int kRowsShown = 300;

struct Table {
    QStringList header;
    QList<QStringList> rows;
    qint64 total = 0;
};

Table readTable(const QString& path, int keep)
{
    Table t;
    auto reader = core::CsvReader::open(path, QLatin1Char('\t'));
    if (!reader || !(*reader)->readHeader())
        return t;
    t.header = (*reader)->header();
    for (;;) {
        auto row = (*reader)->next();
        if (!row || !row->has_value())
            break;
        ++t.total;
        if (t.rows.size() < keep)
            t.rows << **row;
    }
    return t;
}

QStringList pick(const QStringList& row, const QStringList& header, const QStringList& columns)
{
    QStringList out;
    for (const QString& c : columns)
        out << row.value(int(header.indexOf(c)));
    return out;
}

} // namespace

core::Expected<core::ReportContent> annotationReport(const QString& runDir, const QString& title)
{
    const QDir dir(runDir);
    auto summary = core::readJsonObjectFile(dir.filePath(QStringLiteral("summary.json")));
    if (!summary)
        return summary.error();
    core::ReportContent report;
    report.title = title.isEmpty() ? QStringLiteral("Gene annotation") : title;
    const QJsonObject resolution = summary->value(QStringLiteral("resolution")).toObject();
    const QJsonObject identity = summary->value(QStringLiteral("identity")).toObject();
    report.summary = QStringLiteral("%1 inputs: %2 genes resolved, %3 ambiguous, %4 unknown, %5 withdrawn, %6 duplicates. Identities from %7.")
                         .arg(summary->value(QStringLiteral("inputs")).toInt())
                         .arg(resolution.value(QStringLiteral("resolved")).toInt())
                         .arg(resolution.value(QStringLiteral("ambiguous")).toInt())
                         .arg(resolution.value(QStringLiteral("unknown")).toInt())
                         .arg(resolution.value(QStringLiteral("withdrawn")).toInt())
                         .arg(resolution.value(QStringLiteral("duplicate")).toInt())
                         .arg(GeneResolver::describeIdentity(identity));

    core::ReportSection inputs{QStringLiteral("Inputs that did not resolve"), {}, {}, {}};
    const Table res = readTable(dir.filePath(QStringLiteral("resolution.tsv")), 1 << 30);
    core::ReportTable unresolved{QStringLiteral("Every input that is not a gene of its own, and why (resolution.tsv has all)"),
                                 {QStringLiteral("line"), QStringLiteral("input"), QStringLiteral("status"), QStringLiteral("reason")}, {}};
    for (const QStringList& r : res.rows)
        if (r.value(2) != QLatin1String("resolved") && unresolved.rows.size() < kRowsShown)
            unresolved.rows << QStringList{r.value(0), r.value(1), r.value(2), r.value(7)};
    if (unresolved.rows.isEmpty())
        inputs.paragraphs << QStringLiteral("Every input resolved to a gene of its own.");
    else
        inputs.tables << unresolved;
    report.sections << inputs;

    core::ReportSection sources{QStringLiteral("Sources"), {}, {}, {}};
    core::ReportTable bySource{QStringLiteral("Per source: genes with a value (of which a count of 0: the provider lists nothing for the gene, as HPO "
                                              "and ClinVar do for genes without phenotypes or variants), without one, failed; joins on the symbol only; "
                                              "releases"),
                               {QStringLiteral("source"), QStringLiteral("found"), QStringLiteral("absent"), QStringLiteral("failed"),
                                QStringLiteral("by symbol"), QStringLiteral("release")},
                               {}};
    const QJsonObject perSource = summary->value(QStringLiteral("sources")).toObject();
    for (auto it = perSource.begin(); it != perSource.end(); ++it) {
        const QJsonObject s = it.value().toObject();
        QStringList releases;
        for (const QJsonValue& v : s.value(QStringLiteral("releases")).toArray()) {
            const QJsonObject r = v.toObject();
            const QString release = r.value(QStringLiteral("release")).toString();
            const QString file = r.value(QStringLiteral("file")).toString();
            const QString sha = r.value(QStringLiteral("sha256")).toString().left(12);
            // A release known only by its file ("…(file, modified …)") names the file once.
            releases << (!file.isEmpty() && release.contains(file) ? QStringLiteral("%1 (sha256 %2…)").arg(release, sha)
                                                                   : QStringLiteral("%1 (%2, sha256 %3…)").arg(release, file, sha));
        }
        const int none = s.value(QStringLiteral("found_listing_nothing")).toInt();
        const QString found = QString::number(s.value(QStringLiteral("found")).toInt()) + (none > 0 ? QStringLiteral(" (%1 a count of 0)").arg(none) : QString());
        bySource.rows << QStringList{s.value(QStringLiteral("title")).toString(), found,
                                     QString::number(s.value(QStringLiteral("absent")).toInt()), QString::number(s.value(QStringLiteral("failed")).toInt()),
                                     QString::number(s.value(QStringLiteral("symbol_fallback")).toInt()), releases.join(QStringLiteral("; "))};
    }
    sources.tables << bySource;
    const QJsonArray notImported = summary->value(QStringLiteral("sources_not_imported")).toArray();
    if (!notImported.isEmpty()) {
        QStringList ids;
        for (const QJsonValue& v : notImported)
            ids << v.toString();
        sources.paragraphs << QStringLiteral("Not used (no files imported): %1.").arg(ids.join(QStringLiteral(", ")));
    }
    report.sections << sources;

    const Table genes = readTable(dir.filePath(QStringLiteral("annotations.tsv")), 1 << 30);
    core::ReportSection plots{QStringLiteral("Constraint and kidney expression"), {}, {}, {}};
    const auto [constraint, scatter] = constraintSeries(genes.header, genes.rows);
    if (!constraint.x.empty())
        plots.plots << core::ReportPlot{core::ReportPlot::Kind::Histogram, QStringLiteral("LOEUF (gnomAD lof.oe_ci.upper) of the annotated genes"),
                                        QStringLiteral("LOEUF"), QStringLiteral("genes"), {constraint}, 20};
    if (!scatter.x.empty())
        plots.plots << core::ReportPlot{core::ReportPlot::Kind::Scatter, QStringLiteral("Kidney cortex expression (GTEx median TPM) against LOEUF"),
                                        QStringLiteral("LOEUF"), QStringLiteral("GTEx Kidney_Cortex TPM"), {scatter}, 0};
    if (plots.plots.isEmpty())
        plots.paragraphs << QStringLiteral("No gnomAD constraint in this run (not imported or not asked for).");
    report.sections << plots;

    core::ReportSection table{QStringLiteral("Genes"), {}, {}, {}};
    QStringList columns{QStringLiteral("symbol")};
    for (const char* c : {"hgnc.hgnc_id", "hgnc.location", "gnomad.pli", "gnomad.loeuf", "gtex.kidney_cortex", "clinvar.pathogenic_or_likely",
                          "hpo.phenotype_count", "hpo.kidney_phenotype_count", "mgi.has_kidney_phenotype", "pubtator.publication_count"})
        if (genes.header.contains(QLatin1String(c)))
            columns << QLatin1String(c);
    core::ReportTable main{QStringLiteral("Main columns (annotations.tsv and annotations.json hold every value with its source, release and fetch time)"), columns, {}};
    for (const QStringList& r : genes.rows.mid(0, kRowsShown))
        main.rows << pick(r, genes.header, columns);
    if (genes.total > kRowsShown)
        table.paragraphs << QStringLiteral("The first %1 of %2 genes.").arg(QString::number(kRowsShown), QString::number(genes.total));
    table.tables << main;
    report.sections << table;

    const Table coverage = readTable(dir.filePath(QStringLiteral("coverage.tsv")), kRowsShown);
    core::ReportSection gaps{QStringLiteral("What genes lack"), {}, {}, {}};
    if (coverage.total == 0) {
        gaps.paragraphs << QStringLiteral("Every gene has a value from every source used.");
    } else {
        gaps.paragraphs << QStringLiteral("%1 (gene, source) pairs without a value; the reason for each:").arg(coverage.total);
        gaps.tables << core::ReportTable{QString(), coverage.header, coverage.rows};
    }
    report.sections << gaps;
    return report;
}

} // namespace bioforge::annotation
