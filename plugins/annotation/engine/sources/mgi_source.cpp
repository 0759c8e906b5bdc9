#include "sources/mgi_source.h"

#include "io/delimited_file.h"

#include <QHash>
#include <QRegularExpression>
#include <QSet>

namespace bioforge::annotation {
namespace {

// MP:0005367 "renal/urinary system phenotype", one of MGI's high-level terms.
const QString kKidneyTerm = QStringLiteral("MP:0005367");

} // namespace

QString MgiSource::id() const { return QStringLiteral("mgi"); }
QString MgiSource::title() const { return QStringLiteral("MGI mouse phenotypes"); }

QList<BulkPart> MgiSource::parts() const
{
    return {{QStringLiteral("hmd_human_phenotype"),
             QStringLiteral("HMD_HumanPhenotype.rpt (MGI reports: human symbol, NCBI gene id, mouse symbol, MGI id, high-level MP ids)"), true}};
}

core::Expected<QString> MgiSource::detectPart(const QString& path) const
{
    auto head = textHead(path);
    if (!head)
        return head.error();
    const QByteArray first = head->left(head->indexOf('\n'));
    if (first.count('\t') >= 3 && first.contains("MGI:"))
        return QStringLiteral("hmd_human_phenotype");
    return unknownPart(*this, path);
}

core::Expected<QString> MgiSource::importPart(const QString&, const QString& path, BulkWriter& writer, const StreamControl& control) const
{
    auto file = DelimitedFile::open(path, {});
    if (!file)
        return file.error();
    DelimitedFile& f = **file;
    struct Tally {
        QString symbol;
        QJsonArray orthologs;
        QSet<QString> terms;
    };
    QHash<QString, Tally> byGene;
    static const QRegularExpression mp(QStringLiteral("MP:\\d{7}"));
    for (qint64 rows = 0;; ++rows) {
        auto row = f.next();
        if (!row)
            return row.error();
        if (!*row)
            break;
        const QList<QByteArrayView>& r = **row;
        if (r.size() < 4)
            return f.errorAt(QStringLiteral("%1 fields; expected human symbol, NCBI gene id, mouse symbol, MGI id, MP ids").arg(r.size()));
        auto human = f.text(r[0].trimmed());
        auto ncbi = f.text(r[1].trimmed());
        auto mouse = f.text(r[2].trimmed());
        auto mgi = f.text(r[3].trimmed());
        if (!human || !ncbi || !mouse || !mgi)
            return (!human ? human : !ncbi ? ncbi : !mouse ? mouse : mgi).error();
        if (!mgi->startsWith(QLatin1String("MGI:")))
            return f.errorAt(QStringLiteral("column 4 '%1' is not an MGI id").arg(*mgi));
        const QString key = ncbi->isEmpty() ? QStringLiteral("symbol:") + *human : *ncbi;
        Tally& t = byGene[key];
        t.symbol = *human;
        t.orthologs.append(QJsonObject{{QStringLiteral("mouse_symbol"), *mouse}, {QStringLiteral("mgi_id"), *mgi}});
        for (int c = 4; c < r.size(); ++c) {
            auto ids = f.text(r[c]);
            if (!ids)
                return ids.error();
            for (auto it = mp.globalMatch(*ids); it.hasNext();)
                t.terms.insert(it.next().captured(0));
        }
        if (auto st = f.poll(rows, control, 4096); !st)
            return st.error();
    }
    for (auto it = byGene.begin(); it != byGene.end(); ++it) {
        QStringList terms(it->terms.begin(), it->terms.end());
        terms.sort();
        if (auto st = writer.put(it.key(), it->symbol,
                                 QJsonObject{{QStringLiteral("mouse_orthologs"), it->orthologs}, {QStringLiteral("phenotype_terms"), QJsonArray::fromStringList(terms)},
                                             {QStringLiteral("has_kidney_phenotype"), it->terms.contains(kKidneyTerm)}});
            !st)
            return st.error();
    }
    return QStringLiteral("MGI HMD_HumanPhenotype (%1)").arg(fileRelease(path));
}

core::Expected<SourceValue> MgiSource::annotate(const GeneRecord& gene, const BulkView& view, const ListContext&) const
{
    auto found = lookupValue(view, QStringLiteral("hmd_human_phenotype"), {{QStringLiteral("NCBI gene"), gene.ncbiGeneId}}, gene.symbol,
                             QStringLiteral("no mouse ortholog with phenotypes for %1").arg(gene.symbol));
    if (!found || found->status != SourceValue::Status::Found)
        return found;
    SourceValue v = *found;
    QStringList mouse;
    for (const QJsonValue& o : v.value.value(QStringLiteral("mouse_orthologs")).toArray())
        mouse << o.toObject().value(QStringLiteral("mouse_symbol")).toString();
    v.value.insert(QStringLiteral("mouse_symbols"), mouse.join(QLatin1Char(',')));
    v.value.insert(QStringLiteral("phenotype_term_count"), v.value.value(QStringLiteral("phenotype_terms")).toArray().size());
    return v;
}

QStringList MgiSource::tableColumns() const
{
    return {QStringLiteral("mouse_symbols"), QStringLiteral("has_kidney_phenotype"), QStringLiteral("phenotype_term_count")};
}

} // namespace bioforge::annotation
