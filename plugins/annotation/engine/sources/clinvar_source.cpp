#include "sources/clinvar_source.h"

#include "io/delimited_file.h"
#include "sources/clinvar_terms.h"

#include <QHash>

#include <algorithm>
#include <array>
#include <vector>

namespace bioforge::annotation {
namespace {

constexpr int kKeptVariants = 50; // P/LP variants listed per gene
constexpr int kTopTraits = 5;

struct GeneTally {
    QString symbol, ncbiId;
    qint64 total = 0, highConfidence = 0, viaMultiGeneRows = 0;
    std::array<qint64, kClinvarClassCount> byClass{};
    std::array<qint64, 5> byStars{};
    qint64 unknownReview = 0;
    QHash<QString, qint64> types, consequences, traits;
    QJsonArray pathogenicVariants;

    void merge(const GeneTally& o)
    {
        total += o.total;
        highConfidence += o.highConfidence;
        viaMultiGeneRows += o.viaMultiGeneRows;
        unknownReview += o.unknownReview;
        for (int i = 0; i < kClinvarClassCount; ++i)
            byClass[size_t(i)] += o.byClass[size_t(i)];
        for (int i = 0; i < 5; ++i)
            byStars[size_t(i)] += o.byStars[size_t(i)];
        for (auto it = o.types.begin(); it != o.types.end(); ++it)
            types[it.key()] += it.value();
        for (auto it = o.consequences.begin(); it != o.consequences.end(); ++it)
            consequences[it.key()] += it.value();
        for (auto it = o.traits.begin(); it != o.traits.end(); ++it)
            traits[it.key()] += it.value();
        for (const QJsonValue& v : o.pathogenicVariants)
            if (pathogenicVariants.size() < kKeptVariants)
                pathogenicVariants.append(v);
    }

    QJsonObject toJson() const
    {
        QJsonObject counts;
        for (int i = 0; i < kClinvarClassCount; ++i)
            counts.insert(clinvarClassKey(ClinvarClass(i)), byClass[size_t(i)]);
        const qint64 plp = byClass[size_t(ClinvarClass::Pathogenic)] + byClass[size_t(ClinvarClass::PathogenicLikelyPathogenic)]
                           + byClass[size_t(ClinvarClass::LikelyPathogenic)];
        QJsonArray stars;
        for (qint64 s : byStars)
            stars.append(s);
        auto asObject = [](const QHash<QString, qint64>& h) {
            QJsonObject o;
            for (auto it = h.begin(); it != h.end(); ++it)
                o.insert(it.key(), it.value());
            return o;
        };
        QList<std::pair<qint64, QString>> t;
        for (auto it = traits.begin(); it != traits.end(); ++it)
            t.append({it.value(), it.key()});
        std::sort(t.begin(), t.end(), [](const auto& a, const auto& b) { return a.first != b.first ? a.first > b.first : a.second < b.second; });
        QJsonArray top;
        for (const auto& [n, name] : t.mid(0, kTopTraits))
            top.append(QJsonObject{{QStringLiteral("trait"), name}, {QStringLiteral("count"), n}});
        return QJsonObject{{QStringLiteral("symbol"), symbol},
                           {QStringLiteral("total_variants"), total},
                           {QStringLiteral("counts"), counts},
                           {QStringLiteral("pathogenic_or_likely"), plp},
                           {QStringLiteral("pathogenic_percentage"), total > 0 ? std::round(1000.0 * double(plp) / double(total)) / 10.0 : 0.0},
                           {QStringLiteral("review_stars"), stars},
                           {QStringLiteral("high_confidence"), highConfidence},
                           {QStringLiteral("variant_types"), asObject(types)},
                           {QStringLiteral("consequences"), asObject(consequences)},
                           {QStringLiteral("top_traits"), top},
                           {QStringLiteral("via_multi_gene_rows"), viaMultiGeneRows},
                           {QStringLiteral("pathogenic_variants"), pathogenicVariants}};
    }
};

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
    return {{QStringLiteral("variant_summary"), QStringLiteral("variant_summary.txt.gz (ftp.ncbi.nlm.nih.gov/pub/clinvar/tab_delimited, weekly)"), true}};
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
        const QString consequence = consequenceFromHgvs(r[c->name]);
        auto tally = [&](GeneTally& t) {
            ++t.total;
            ++t.byClass[size_t(cls)];
            if (stars >= 0)
                ++t.byStars[size_t(stars)];
            else
                ++t.unknownReview;
            if (stars >= 2)
                ++t.highConfidence;
            ++t.types[*type];
            ++t.consequences[consequence];
            for (const QString& trait : splitList(*phenotypes, QLatin1Char('|')))
                if (trait != QLatin1String("not provided") && trait != QLatin1String("not specified"))
                    ++t.traits[trait];
            if (isPathogenicOrLikely(cls) && t.pathogenicVariants.size() < kKeptVariants)
                t.pathogenicVariants.append(QJsonObject{{QStringLiteral("variation_id"), qint64(*vid)},
                                                        {QStringLiteral("name"), *name},
                                                        {QStringLiteral("classification"), clinvarClassKey(cls)},
                                                        {QStringLiteral("stars"), stars},
                                                        {QStringLiteral("consequence"), consequence}});
        };
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
        QJsonObject v = it->toJson();
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
    if (!*row) {
        // A gene without ClinVar variants is a real zero, not a gap: the file was read whole.
        v.status = SourceValue::Status::Found;
        v.joinedOn = QStringLiteral("no variant names %1 (%2) in the file").arg(gene.symbol, gene.hgncId.isEmpty() ? gene.ncbiGeneId : gene.hgncId);
        v.value = GeneTally{gene.symbol}.toJson();
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
