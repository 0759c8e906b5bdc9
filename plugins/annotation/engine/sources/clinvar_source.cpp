#include "sources/clinvar_source.h"

#include "io/delimited_file.h"
#include "sources/clinvar_tally.h"
#include "sources/clinvar_terms.h"

#include <QHash>

#include <algorithm>
#include <array>
#include <vector>

namespace bioforge::annotation {
namespace {

struct Columns {
    int geneId, symbol, hgnc, significance, review, assembly, variation, type, phenotypes, name;
};

core::Expected<Columns> columns(DelimitedFile& f)
{
    QStringList required{QStringLiteral("GeneID"),    QStringLiteral("GeneSymbol"),  QStringLiteral("HGNC_ID"), QStringLiteral("ReviewStatus"),
                         QStringLiteral("Assembly"),  QStringLiteral("VariationID"), QStringLiteral("Type"),    QStringLiteral("PhenotypeList"),
                         QStringLiteral("Name")};
    if (auto st = f.readHeader(required); !st)
        return st.error();
    int significance = f.column(QStringLiteral("ClinicalSignificance"));
    if (significance < 0)
        significance = f.column(QStringLiteral("GermlineClassification"));
    if (significance < 0)
        return core::Error(QStringLiteral("%1: the header has neither ClinicalSignificance nor GermlineClassification").arg(f.path()));
    return Columns{f.column(QStringLiteral("GeneID")), f.column(QStringLiteral("GeneSymbol")), f.column(QStringLiteral("HGNC_ID")), significance,
                   f.column(QStringLiteral("ReviewStatus")), f.column(QStringLiteral("Assembly")), f.column(QStringLiteral("VariationID")),
                   f.column(QStringLiteral("Type")), f.column(QStringLiteral("PhenotypeList")), f.column(QStringLiteral("Name"))};
}

core::Expected<quint32> variationId(const DelimitedFile& f, QByteArrayView v)
{
    bool ok = false;
    const quint32 id = v.trimmed().toUInt(&ok);
    if (!ok)
        return f.errorAt(QStringLiteral("VariationID '%1' is not a number").arg(QString::fromUtf8(v.first(std::min<qsizetype>(20, v.size())).toByteArray())));
    return id;
}

} // namespace

QString ClinvarSource::id() const { return QStringLiteral("clinvar"); }
QString ClinvarSource::title() const { return QStringLiteral("ClinVar"); }

QList<BulkPart> ClinvarSource::parts() const
{
    return {{QStringLiteral("variant_summary"), QStringLiteral("variant_summary.txt.gz (ftp.ncbi.nlm.nih.gov/pub/clinvar/tab_delimited, weekly)"), true, QStringLiteral("https://ftp.ncbi.nlm.nih.gov/pub/clinvar/tab_delimited/variant_summary.txt.gz")}};
}

core::Expected<QString> ClinvarSource::detectPart(const QString& path) const
{
    auto head = textHead(path);
    if (!head)
        return head.error();
    if (head->startsWith("#AlleleID\t"))
        return QStringLiteral("variant_summary");
    return unknownPart(*this, path);
}

core::Expected<QString> ClinvarSource::importPart(const QString&, const QString& path, BulkWriter& writer, const StreamControl& control) const
{
    // Pass 1: which variations have a GRCh38 row (4 bytes each, sorted): the
    // other rows of those variations are skipped, so each counts once.
    std::vector<quint32> onGrch38;
    qint64 size = 0;
    {
        auto file = DelimitedFile::open(path, {});
        if (!file)
            return file.error();
        DelimitedFile& f = **file;
        auto c = columns(f);
        if (!c)
            return c.error();
        size = f.fileSize();
        for (qint64 rows = 0;; ++rows) {
            auto row = f.next();
            if (!row)
                return row.error();
            if (!*row)
                break;
            if ((**row)[c->assembly] == "GRCh38") {
                auto id = variationId(f, (**row)[c->variation]);
                if (!id)
                    return id.error();
                onGrch38.push_back(*id);
            }
            if (auto st = f.poll(rows, control, 8192, 0, 2 * size); !st)
                return st.error();
        }
    }
    std::sort(onGrch38.begin(), onGrch38.end());
    onGrch38.erase(std::unique(onGrch38.begin(), onGrch38.end()), onGrch38.end());

    // Pass 2: tally per gene. Single-gene rows by HGNC id (else NCBI gene id);
    // multi-gene rows "A;B" to each symbol, merged into that symbol's gene at the end.
    QHash<QString, GeneTally> byGene;
    QHash<QString, QString> keyOfSymbol;
    QSet<quint32> countedElsewhere; // variations without a GRCh38 row, counted once
    Interned texts;
    auto file = DelimitedFile::open(path, {});
    if (!file)
        return file.error();
    DelimitedFile& f = **file;
    auto c = columns(f);
    if (!c)
        return c.error();
    for (qint64 rows = 0;; ++rows) {
        auto row = f.next();
        if (!row)
            return row.error();
        if (!*row)
            break;
        const QList<QByteArrayView>& r = **row;
        if (auto st = f.poll(rows, control, 8192, size, 2 * size); !st)
            return st.error();
        auto vid = variationId(f, r[c->variation]);
        if (!vid)
            return vid.error();
        if (r[c->assembly] != "GRCh38") {
            if (std::binary_search(onGrch38.begin(), onGrch38.end(), *vid) || countedElsewhere.contains(*vid))
                continue;
            countedElsewhere.insert(*vid);
        }
        auto symbols = f.text(r[c->symbol]);
        if (!symbols)
            return symbols.error();
        const QStringList genes = splitList(*symbols, QLatin1Char(';'));
        if (genes.isEmpty() || (genes.size() == 1 && genes.first() == QLatin1String("-")))
            continue;
        const ClinvarClass cls = classifyClinicalSignificance(r[c->significance]);
        const int stars = clinvarReviewStars(r[c->review]);
        auto type = f.text(r[c->type]);
        auto phenotypes = f.text(r[c->phenotypes]);
        auto name = f.text(r[c->name]);
        if (!type || !phenotypes || !name)
            return (!type ? type : !phenotypes ? phenotypes : name).error();
        const int consequence = int(consequenceNames().indexOf(consequenceFromHgvs(r[c->name])));
        const int typeId = texts.id(*type);
        QList<int> traitIds;
        for (const QString& trait : splitList(*phenotypes, QLatin1Char('|')))
            if (trait != QLatin1String("not provided") && trait != QLatin1String("not specified"))
                traitIds << texts.id(trait);
        auto tally = [&](GeneTally& t) { t.add(*vid, cls, stars, consequence, typeId, traitIds, *name); };
        if (genes.size() == 1) {
            const QByteArrayView hgnc = r[c->hgnc].trimmed(), ncbi = r[c->geneId].trimmed();
            QString key;
            if (hgnc.startsWith("HGNC:"))
                key = QString::fromLatin1(hgnc.toByteArray());
            else if (!ncbi.isEmpty() && ncbi != "-1" && ncbi != "-")
                key = QString::fromLatin1(ncbi.toByteArray());
            else
                key = QStringLiteral("symbol:") + genes.first();
            GeneTally& t = byGene[key];
            t.symbol = genes.first();
            if (!ncbi.isEmpty() && ncbi != "-1")
                t.ncbiId = QString::fromLatin1(ncbi.toByteArray());
            keyOfSymbol.insert(genes.first(), key);
            tally(t);
        } else {
            for (const QString& g : genes) {
                GeneTally& t = byGene[QStringLiteral("multi:") + g];
                t.symbol = g;
                ++t.viaMultiGeneRows;
                tally(t);
            }
        }
    }
    // Multi-gene contributions join their gene's own tally when the file names it elsewhere.
    for (auto it = byGene.begin(); it != byGene.end();) {
        if (!it.key().startsWith(QLatin1String("multi:"))) {
            ++it;
            continue;
        }
        const QString own = keyOfSymbol.value(it->symbol);
        if (!own.isEmpty()) {
            byGene[own].merge(*it);
            it = byGene.erase(it);
        } else {
            ++it;
        }
    }
    for (auto it = byGene.begin(); it != byGene.end(); ++it) {
        QString id = it.key();
        if (id.startsWith(QLatin1String("multi:")))
            id = QStringLiteral("symbol:") + it->symbol;
        QJsonObject v = it->toJson(texts);
        if (!it->ncbiId.isEmpty())
            v.insert(QStringLiteral("ncbi_gene_id"), it->ncbiId);
        if (auto st = writer.put(id, it->symbol, v); !st)
            return st.error();
        // The NCBI gene id is a second way in (when the HGNC id is not the identity's).
        if (id.startsWith(QLatin1String("HGNC:")) && !it->ncbiId.isEmpty())
            if (auto st = writer.put(it->ncbiId, QString(), QJsonObject{{QStringLiteral("see"), id}}); !st)
                return st.error();
    }
    return QStringLiteral("ClinVar variant_summary (%1)").arg(fileRelease(path));
}

bool ClinvarSource::listsNothing(const QJsonObject& value) const { return value.value(QStringLiteral("total_variants")).toInteger() == 0; }

core::Expected<SourceValue> ClinvarSource::annotate(const GeneRecord& gene, const BulkView& view, const ListContext&) const
{
    SourceValue v;
    v.releases = view.releasesJson();
    auto row = joinValue(view, QStringLiteral("variant_summary"), {{QStringLiteral("HGNC id"), gene.hgncId}, {QStringLiteral("NCBI gene"), gene.ncbiGeneId}},
                         gene.symbol, v);
    if (!row)
        return row.error();
    if (*row && (*row)->contains(QStringLiteral("see"))) {
        const QString target = (*row)->value(QStringLiteral("see")).toString();
        row = view.byId(QStringLiteral("variant_summary"), target);
        if (!row)
            return row.error();
    }
    if (!*row && isExtract(view, QStringLiteral("variant_summary"))) { // not known: an online run asks the API
        v.error = QStringLiteral("no variant names %1 in %2, an extract of ClinVar (%3 rows)")
                      .arg(gene.symbol, view.parts().value(QStringLiteral("variant_summary")).fileName,
                           QString::number(view.parts().value(QStringLiteral("variant_summary")).rows));
        return v; // Absent
    }
    if (!*row) {
        // A gene without ClinVar variants is a real zero, not a gap: the file was read whole.
        v.status = SourceValue::Status::Found;
        v.joinedOn = QStringLiteral("no variant names %1 (%2) in the file").arg(gene.symbol, gene.hgncId.isEmpty() ? gene.ncbiGeneId : gene.hgncId);
        GeneTally none;
        none.symbol = gene.symbol;
        v.value = none.toJson(Interned());
        return v;
    }
    v.status = SourceValue::Status::Found;
    v.value = **row;
    return v;
}

QStringList ClinvarSource::tableColumns() const
{
    return {QStringLiteral("total_variants"), QStringLiteral("pathogenic_or_likely"), QStringLiteral("pathogenic_percentage"), QStringLiteral("high_confidence")};
}

} // namespace bioforge::annotation
