#include "sources/string_source.h"

#include "io/delimited_file.h"

#include <QFileInfo>
#include <QRegularExpression>

#include <algorithm>
#include <cmath>

namespace bioforge::annotation {
namespace {

constexpr int kMinimumScore = kStringMinimumScore;
constexpr int kTopPartners = 10;

QString stringRelease(const QString& path, const QString& what)
{
    static const QRegularExpression version(QStringLiteral("\\.v(\\d+(?:\\.\\d+)?)\\."));
    const auto m = version.match(QFileInfo(path).fileName());
    return m.hasMatch() ? QStringLiteral("STRING v%1 %2").arg(m.captured(1), what) : QStringLiteral("STRING %1 (%2)").arg(what, fileRelease(path));
}

} // namespace

QString StringSource::id() const { return QStringLiteral("string"); }
QString StringSource::title() const { return QStringLiteral("STRING"); }

QList<BulkPart> StringSource::parts() const
{
    return {{QStringLiteral("protein_info"), QStringLiteral("9606.protein.info.v12.0.txt.gz (string_protein_id, preferred_name, protein_size, annotation)"), true, QStringLiteral("https://stringdb-downloads.org/download/protein.info.v12.0/9606.protein.info.v12.0.txt.gz")},
            {QStringLiteral("physical_links"), QStringLiteral("9606.protein.physical.links.v12.0.txt.gz (protein1 protein2 combined_score)"), true, QStringLiteral("https://stringdb-downloads.org/download/protein.physical.links.v12.0/9606.protein.physical.links.v12.0.txt.gz")},
            {QStringLiteral("aliases"), QStringLiteral("9606.protein.aliases.v12.0.txt.gz (maps Ensembl gene ids to STRING proteins)"), false, QStringLiteral("https://stringdb-downloads.org/download/protein.aliases.v12.0/9606.protein.aliases.v12.0.txt.gz")}};
}

core::Expected<QString> StringSource::detectPart(const QString& path) const
{
    auto head = textHead(path);
    if (!head)
        return head.error();
    const QByteArray first = head->left(head->indexOf('\n'));
    if (first.startsWith("protein1 protein2"))
        return QStringLiteral("physical_links");
    if (first.startsWith("#string_protein_id\tpreferred_name"))
        return QStringLiteral("protein_info");
    if (first.startsWith("#string_protein_id\talias\tsource"))
        return QStringLiteral("aliases");
    return unknownPart(*this, path);
}

core::Expected<QString> StringSource::importPart(const QString& part, const QString& path, BulkWriter& writer, const StreamControl& control) const
{
    const bool links = part == QLatin1String("physical_links");
    auto file = DelimitedFile::open(path, links ? DelimitedFile::Options{' ', true, false} : DelimitedFile::Options{});
    if (!file)
        return file.error();
    DelimitedFile& f = **file;
    auto tick = [&](qint64 rows) { return f.poll(rows, control, 16384); };
    if (part == QLatin1String("protein_info")) {
        if (auto st = f.readHeader({QStringLiteral("string_protein_id"), QStringLiteral("preferred_name")}); !st)
            return st.error();
        const int size = f.column(QStringLiteral("protein_size")), annotation = f.column(QStringLiteral("annotation"));
        for (qint64 rows = 0;; ++rows) {
            auto row = f.next();
            if (!row)
                return row.error();
            if (!*row)
                break;
            auto id = f.text((**row)[0]);
            auto name = f.text((**row)[1]);
            auto text = annotation >= 0 ? f.text((**row)[annotation]) : core::Expected<QString>(QString());
            if (!id || !name || !text)
                return (!id ? id : !name ? name : text).error();
            QJsonObject v{{QStringLiteral("preferred_name"), *name}, {QStringLiteral("annotation"), text->left(300)}};
            if (size >= 0)
                v.insert(QStringLiteral("protein_size"), (**row)[size].toInt());
            if (auto st = writer.put(*id, *name, v); !st)
                return st.error();
            if (auto st = tick(rows); !st)
                return st.error();
        }
        return stringRelease(path, QStringLiteral("protein info"));
    }
    if (part == QLatin1String("aliases")) {
        if (auto st = f.readHeader({QStringLiteral("string_protein_id"), QStringLiteral("alias"), QStringLiteral("source")}); !st)
            return st.error();
        for (qint64 rows = 0;; ++rows) {
            auto row = f.next();
            if (!row)
                return row.error();
            if (!*row)
                break;
            if ((**row)[2] == "Ensembl_gene" || (**row)[2] == "Ensembl_HGNC_ensembl_gene_id") {
                auto protein = f.text((**row)[0]);
                auto gene = f.text((**row)[1]);
                if (!protein || !gene)
                    return (!protein ? protein : gene).error();
                if (auto st = writer.put(*gene, QString(), QJsonObject{{QStringLiteral("protein"), *protein}}); !st)
                    return st.error();
            }
            if (auto st = tick(rows); !st)
                return st.error();
        }
        return stringRelease(path, QStringLiteral("aliases"));
    }
    // Links: rows grouped by protein1 (the file is sorted so); each protein's partners at or above medium confidence.
    if (auto st = f.readHeader({QStringLiteral("protein1"), QStringLiteral("protein2"), QStringLiteral("combined_score")}); !st)
        return st.error();
    QString current;
    QJsonArray partners;
    auto flush = [&]() -> core::Status {
        if (current.isEmpty())
            return core::okStatus();
        auto before = writer.pending(current);
        if (!before)
            return before.error();
        if (*before) // the file was not grouped after all: append
            for (const QJsonValue& p : (*before)->value(QStringLiteral("partners")).toArray())
                partners.append(p);
        return writer.put(current, QString(), QJsonObject{{QStringLiteral("partners"), partners}});
    };
    for (qint64 rows = 0;; ++rows) {
        auto row = f.next();
        if (!row)
            return row.error();
        if (!*row)
            break;
        auto p1 = f.text((**row)[0]);
        if (!p1)
            return p1.error();
        if (*p1 != current) {
            if (auto st = flush(); !st)
                return st.error();
            current = *p1;
            partners = QJsonArray();
        }
        bool ok = false;
        const int score = (**row)[2].toInt(&ok);
        if (!ok || score < 0 || score > 1000)
            return f.errorAt(QStringLiteral("combined_score '%1' is not 0..1000").arg(QString::fromUtf8((**row)[2].toByteArray())));
        if (score >= kMinimumScore) {
            auto p2 = f.text((**row)[1]);
            if (!p2)
                return p2.error();
            partners.append(QJsonArray{*p2, score});
        }
        if (auto st = tick(rows); !st)
            return st.error();
    }
    if (auto st = flush(); !st)
        return st.error();
    return stringRelease(path, QStringLiteral("physical links"));
}

core::Expected<SourceValue> StringSource::annotate(const GeneRecord& gene, const BulkView& view, const ListContext& list) const
{
    SourceValue v;
    v.releases = view.releasesJson();
    if (!view.has(QStringLiteral("protein_info")) || !view.has(QStringLiteral("physical_links"))) {
        v.status = SourceValue::Status::Failed;
        v.error = QStringLiteral("STRING needs protein.info and protein.physical.links imported");
        return v;
    }
    // The protein: by Ensembl gene id through the aliases file, else by STRING's preferred name.
    QString protein;
    if (!gene.ensemblGeneId.isEmpty()) {
        auto alias = view.byId(QStringLiteral("aliases"), gene.ensemblGeneId);
        if (!alias)
            return alias.error();
        if (*alias) {
            protein = (*alias)->value(QStringLiteral("protein")).toString();
            v.joinedOn = QStringLiteral("Ensembl gene %1 -> %2").arg(gene.ensemblGeneId, protein);
        }
    }
    if (protein.isEmpty()) {
        auto byName = view.bySymbol(QStringLiteral("protein_info"), gene.symbol);
        if (!byName)
            return byName.error();
        if (byName->size() != 1) {
            v.error = byName->isEmpty() ? QStringLiteral("no STRING protein named %1").arg(gene.symbol)
                                        : QStringLiteral("%1 STRING proteins named %2: not guessed").arg(byName->size()).arg(gene.symbol);
            return v;
        }
        protein = byName->first().first;
        v.joinedOn = QStringLiteral("symbol %1 = STRING preferred name (fallback: no Ensembl alias)").arg(gene.symbol);
        v.symbolFallback = true;
    }
    auto links = view.byId(QStringLiteral("physical_links"), protein);
    if (!links)
        return links.error();
    QList<std::pair<int, QString>> partners;
    const QJsonArray links_ = *links ? (*links)->value(QStringLiteral("partners")).toArray() : QJsonArray();
    QStringList ids;
    for (const QJsonValue& p : links_)
        ids << p.toArray().at(0).toString();
    auto names = view.symbolsOf(QStringLiteral("protein_info"), ids); // preferred names, one query
    if (!names)
        return names.error();
    for (const QJsonValue& p : links_) {
        const QJsonArray pair = p.toArray();
        partners.append({pair.at(1).toInt(), names->value(pair.at(0).toString(), pair.at(0).toString())});
    }
    v.status = SourceValue::Status::Found;
    v.value = QJsonObject{{QStringLiteral("string_protein_id"), protein}};
    addStringFields(v.value, partners, gene.symbol, list);
    return v;
}

void addStringFields(QJsonObject& value, QList<std::pair<int, QString>> partners, const QString& symbol, const ListContext& list)
{
    double listScore = 0;
    QJsonArray inList;
    for (const auto& [score, name] : partners)
        if (list.symbols.contains(name) && name != symbol) {
            listScore += score / 1000.0;
            inList.append(QJsonObject{{QStringLiteral("partner"), name}, {QStringLiteral("score"), score}});
        }
    std::sort(partners.begin(), partners.end(), [](const auto& a, const auto& b) { return a.first != b.first ? a.first > b.first : a.second < b.second; });
    QJsonArray top;
    for (const auto& [score, name] : partners.mid(0, kTopPartners))
        top.append(QJsonObject{{QStringLiteral("partner"), name}, {QStringLiteral("score"), score}});
    value.insert(QStringLiteral("degree"), int(partners.size()));
    value.insert(QStringLiteral("top_partners"), top);
    value.insert(QStringLiteral("partners_in_list"), inList);
    value.insert(QStringLiteral("partners_in_list_count"), int(inList.size()));
    // KGDB's ppi_score with every list gene weighted 1: sum(score/1000) / sqrt(partners in the list).
    value.insert(QStringLiteral("list_ppi_score"), inList.isEmpty() ? 0.0 : listScore / std::sqrt(double(inList.size())));
    value.insert(QStringLiteral("minimum_score"), kStringMinimumScore);
}

QStringList StringSource::tableColumns() const
{
    return {QStringLiteral("degree"), QStringLiteral("partners_in_list_count"), QStringLiteral("list_ppi_score")};
}

} // namespace bioforge::annotation
