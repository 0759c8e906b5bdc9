#include "sources/gnomad_source.h"

#include "io/delimited_file.h"

#include <QFileInfo>
#include <QRegularExpression>

namespace bioforge::annotation {
namespace {

// Kept fields: (our name, the v4.1 column).
const QList<std::pair<QString, QString>>& fields()
{
    static const QList<std::pair<QString, QString>> f{
        {QStringLiteral("pli"), QStringLiteral("lof.pLI")},
        {QStringLiteral("loeuf"), QStringLiteral("lof.oe_ci.upper")},
        {QStringLiteral("oe_lof"), QStringLiteral("lof.oe")},
        {QStringLiteral("oe_lof_lower"), QStringLiteral("lof.oe_ci.lower")},
        {QStringLiteral("lof_z"), QStringLiteral("lof.z_score")},
        {QStringLiteral("obs_lof"), QStringLiteral("lof.obs")},
        {QStringLiteral("exp_lof"), QStringLiteral("lof.exp")},
        {QStringLiteral("mis_z"), QStringLiteral("mis.z_score")},
        {QStringLiteral("oe_mis"), QStringLiteral("mis.oe")},
        {QStringLiteral("oe_mis_lower"), QStringLiteral("mis.oe_ci.lower")},
        {QStringLiteral("oe_mis_upper"), QStringLiteral("mis.oe_ci.upper")},
        {QStringLiteral("obs_mis"), QStringLiteral("mis.obs")},
        {QStringLiteral("exp_mis"), QStringLiteral("mis.exp")},
        {QStringLiteral("syn_z"), QStringLiteral("syn.z_score")},
        {QStringLiteral("oe_syn"), QStringLiteral("syn.oe")},
        {QStringLiteral("oe_syn_lower"), QStringLiteral("syn.oe_ci.lower")},
        {QStringLiteral("oe_syn_upper"), QStringLiteral("syn.oe_ci.upper")},
        {QStringLiteral("obs_syn"), QStringLiteral("syn.obs")},
        {QStringLiteral("exp_syn"), QStringLiteral("syn.exp")},
    };
    return f;
}

// Preference among a gene's canonical rows: MANE Select, then an Ensembl transcript, then any.
int rank(const QJsonObject& row)
{
    return (row.value(QStringLiteral("mane_select")).toBool() ? 2 : 0) + (row.value(QStringLiteral("transcript")).toString().startsWith(QLatin1String("ENST")) ? 1 : 0);
}

bool truthy(QByteArrayView v) { return v == "true" || v == "TRUE" || v == "True"; }

} // namespace

QString GnomadSource::id() const { return QStringLiteral("gnomad"); }
QString GnomadSource::title() const { return QStringLiteral("gnomAD constraint"); }

QList<BulkPart> GnomadSource::parts() const
{
    return {{QStringLiteral("constraint"), QStringLiteral("gnomad.v4.1.constraint_metrics.tsv (gnomAD downloads: release/4.1/constraint)"), true, QStringLiteral("https://storage.googleapis.com/gcp-public-data--gnomad/release/4.1/constraint/gnomad.v4.1.constraint_metrics.tsv")}};
}

core::Expected<QString> GnomadSource::detectPart(const QString& path) const
{
    auto head = textHead(path);
    if (!head)
        return head.error();
    const QByteArray first = head->left(head->indexOf('\n'));
    if (first.contains("gene_id") && first.contains("lof.pLI"))
        return QStringLiteral("constraint");
    return unknownPart(*this, path);
}

core::Expected<QString> GnomadSource::importPart(const QString&, const QString& path, BulkWriter& writer, const StreamControl& control) const
{
    auto file = DelimitedFile::open(path, {});
    if (!file)
        return file.error();
    DelimitedFile& f = **file;
    QStringList required{QStringLiteral("gene"), QStringLiteral("gene_id"), QStringLiteral("transcript"), QStringLiteral("canonical")};
    for (const auto& [ours, column] : fields())
        required << column;
    if (auto st = f.readHeader(required); !st)
        return st.error();
    const int gene = f.column(QStringLiteral("gene")), geneId = f.column(QStringLiteral("gene_id")), transcript = f.column(QStringLiteral("transcript")),
              canonical = f.column(QStringLiteral("canonical")), mane = f.column(QStringLiteral("mane_select")), flags = f.column(QStringLiteral("constraint_flags"));
    qint64 rows = 0;
    for (;;) {
        auto row = f.next();
        if (!row)
            return row.error();
        if (!*row)
            break;
        const QList<QByteArrayView>& r = **row;
        if (auto st = f.poll(++rows, control, 4096); !st)
            return st.error();
        if (!truthy(r[canonical]) && !(mane >= 0 && truthy(r[mane])))
            continue;
        QJsonObject v;
        auto sym = f.text(r[gene]);
        auto id = f.text(r[geneId]);
        auto tx = f.text(r[transcript]);
        if (!sym || !id || !tx)
            return (!sym ? sym : !id ? id : tx).error();
        if (id->isEmpty())
            return f.errorAt(QStringLiteral("no gene_id"));
        v.insert(QStringLiteral("gene_id"), *id);
        v.insert(QStringLiteral("transcript"), *tx);
        v.insert(QStringLiteral("mane_select"), mane >= 0 && truthy(r[mane]));
        bool any = false;
        for (const auto& [ours, column] : fields()) {
            auto n = f.number(r[f.column(column)], column);
            if (!n)
                return n.error();
            if (*n) {
                v.insert(ours, **n);
                any = true;
            }
        }
        if (!any)
            continue;
        if (flags >= 0) {
            auto t = f.text(r[flags]);
            if (!t)
                return t.error();
            // "[]" or "[no_variants, ...]" (a Python list as text) or "flag1|flag2"
            static const QRegularExpression separators(QStringLiteral("[\\[\\],|\"']+"));
            QStringList list;
            for (const QString& x : t->split(separators, Qt::SkipEmptyParts))
                if (!x.trimmed().isEmpty())
                    list << x.trimmed();
            v.insert(QStringLiteral("flags"), QJsonArray::fromStringList(list));
        }
        // Several canonical rows for one gene id: keep the preferred one, count them.
        auto before = writer.pending(*id);
        if (!before)
            return before.error();
        int seen = 1;
        if (*before) {
            seen = (*before)->value(QStringLiteral("canonical_rows")).toInt(1) + 1;
            if (rank(**before) >= rank(v)) {
                QJsonObject kept = **before;
                kept.insert(QStringLiteral("canonical_rows"), seen);
                if (auto st = writer.put(*id, kept.value(QStringLiteral("symbol")).toString(), kept); !st)
                    return st.error();
                continue;
            }
        }
        v.insert(QStringLiteral("canonical_rows"), seen);
        v.insert(QStringLiteral("symbol"), *sym);
        if (auto st = writer.put(*id, *sym, v); !st)
            return st.error();
    }
    static const QRegularExpression version(QStringLiteral("gnomad\\.v(\\d+(?:\\.\\d+)*)"), QRegularExpression::CaseInsensitiveOption);
    const auto m = version.match(QFileInfo(path).fileName());
    return m.hasMatch() ? QStringLiteral("gnomAD v%1 constraint (%2)").arg(m.captured(1), fileRelease(path)) : fileRelease(path);
}

core::Expected<SourceValue> GnomadSource::annotate(const GeneRecord& gene, const BulkView& view, const ListContext&) const
{
    // Ensembl-transcript rows carry the Ensembl gene id, RefSeq-transcript rows the NCBI gene id.
    return lookupValue(view, QStringLiteral("constraint"), {{QStringLiteral("Ensembl gene"), gene.ensemblGeneId}, {QStringLiteral("NCBI gene"), gene.ncbiGeneId}},
                       gene.symbol, QStringLiteral("no canonical constraint row for %1 / %2 / %3").arg(gene.ensemblGeneId, gene.ncbiGeneId, gene.symbol));
}

QStringList GnomadSource::tableColumns() const
{
    return {QStringLiteral("pli"), QStringLiteral("loeuf"), QStringLiteral("oe_lof"), QStringLiteral("lof_z"), QStringLiteral("mis_z"), QStringLiteral("syn_z")};
}

} // namespace bioforge::annotation
