#include "sources/pubtator_source.h"

#include "io/delimited_file.h"

#include <QHash>
#include <QRegularExpression>

#include <algorithm>

namespace bioforge::annotation {
namespace {

constexpr int kNewest = 20;       // PMIDs kept per gene
constexpr int kMentionKinds = 64; // distinct mention texts counted per gene
constexpr int kTopMentions = 5;

struct Tally {
    qint64 publications = 0;
    std::vector<qint64> newest; // ascending, at most kNewest
    QHash<QString, qint64> mentions;

    void add(qint64 pmid, const QStringList& texts)
    {
        ++publications;
        if (newest.size() < size_t(kNewest) || pmid > newest.front()) {
            newest.insert(std::lower_bound(newest.begin(), newest.end(), pmid), pmid);
            if (newest.size() > size_t(kNewest))
                newest.erase(newest.begin());
        }
        for (const QString& t : texts)
            if (mentions.contains(t) || mentions.size() < kMentionKinds)
                ++mentions[t];
    }
};

} // namespace

QList<PubtatorMention> parsePubtatorGeneHighlights(const QString& textHl)
{
    // "@GENE_HLA-B @GENE_3106 @@@HLA-B@@@": the symbol may hold '-', '.', '/' (HLA-B, NKX2-5).
    static const QRegularExpression gene(QStringLiteral("@GENE_([^\\s@]+)\\s+@GENE_(\\d+)\\s+@@@(.*?)@@@"));
    QList<PubtatorMention> out;
    for (auto it = gene.globalMatch(textHl); it.hasNext();) {
        const auto m = it.next();
        QString display = m.captured(3);
        display.remove(QRegularExpression(QStringLiteral("</?m>")));
        out.append({m.captured(1), m.captured(2), display});
    }
    return out;
}

QString PubtatorSource::id() const { return QStringLiteral("pubtator"); }
QString PubtatorSource::title() const { return QStringLiteral("PubTator3 literature"); }

QList<BulkPart> PubtatorSource::parts() const
{
    return {{QStringLiteral("gene2pubtator"), QStringLiteral("gene2pubtator3.gz (ftp.ncbi.nlm.nih.gov/pub/lu/PubTator3: PMID, type, NCBI gene id(s), mentions, resource)"), true, QStringLiteral("https://ftp.ncbi.nlm.nih.gov/pub/lu/PubTator3/gene2pubtator3.gz")}};
}

core::Expected<QString> PubtatorSource::detectPart(const QString& path) const
{
    auto head = textHead(path);
    if (!head)
        return head.error();
    const QByteArray first = head->left(head->indexOf('\n'));
    const QList<QByteArray> f = first.split('\t');
    bool pmid = false;
    f.value(0).toLongLong(&pmid);
    if (f.size() == 5 && pmid && f[1] == "Gene")
        return QStringLiteral("gene2pubtator");
    return unknownPart(*this, path);
}

core::Expected<QString> PubtatorSource::importPart(const QString&, const QString& path, BulkWriter& writer, const StreamControl& control) const
{
    auto opened = DelimitedFile::open(path, {});
    if (!opened)
        return opened.error();
    DelimitedFile& f = **opened;
    QHash<QString, Tally> byGene;
    for (qint64 rows = 0;; ++rows) {
        auto row = f.next();
        if (!row)
            return row.error();
        if (!*row)
            break;
        const QList<QByteArrayView>& r = **row;
        if (r.size() < 4)
            return f.errorAt(QStringLiteral("%1 fields; expected PMID, type, concept id, mentions, resource").arg(r.size()));
        if (r[1] != "Gene")
            continue;
        bool ok = false;
        const qint64 pmid = r[0].toLongLong(&ok);
        if (!ok)
            return f.errorAt(QStringLiteral("PMID '%1' is not a number").arg(QString::fromUtf8(r[0].toByteArray())));
        auto ids = f.text(r[2]);
        auto mentions = f.text(r[3]);
        if (!ids || !mentions)
            return (!ids ? ids : mentions).error();
        const QStringList texts = splitList(*mentions, QLatin1Char('|'));
        for (const QString& id : splitList(*ids, QLatin1Char(';')))
            if (!id.isEmpty() && id != QLatin1String("-"))
                byGene[id].add(pmid, texts);
        if (auto st = f.poll(rows, control, 16384); !st)
            return st.error();
    }
    for (auto it = byGene.begin(); it != byGene.end(); ++it) {
        QJsonArray newest;
        for (auto p = it->newest.rbegin(); p != it->newest.rend(); ++p)
            newest.append(*p);
        QList<std::pair<qint64, QString>> m;
        for (auto x = it->mentions.begin(); x != it->mentions.end(); ++x)
            m.append({x.value(), x.key()});
        std::sort(m.begin(), m.end(), [](const auto& a, const auto& b) { return a.first != b.first ? a.first > b.first : a.second < b.second; });
        QJsonArray top;
        for (const auto& [n, text] : m.mid(0, kTopMentions))
            top.append(QJsonObject{{QStringLiteral("text"), text}, {QStringLiteral("count"), n}});
        if (auto st = writer.put(it.key(), QString(),
                                 QJsonObject{{QStringLiteral("publication_count"), it->publications}, {QStringLiteral("newest_pmids"), newest},
                                             {QStringLiteral("top_mentions"), top}});
            !st)
            return st.error();
    }
    return QStringLiteral("PubTator3 gene2pubtator3 (%1)").arg(fileRelease(path));
}

core::Expected<SourceValue> PubtatorSource::annotate(const GeneRecord& gene, const BulkView& view, const ListContext&) const
{
    SourceValue v;
    v.releases = view.releasesJson();
    auto row = view.byId(QStringLiteral("gene2pubtator"), gene.ncbiGeneId);
    if (!row)
        return row.error();
    v.status = SourceValue::Status::Found;
    if (!*row) {
        v.joinedOn = QStringLiteral("NCBI gene %1: no publication in the file").arg(gene.ncbiGeneId);
        v.value = QJsonObject{{QStringLiteral("publication_count"), 0}};
        if (gene.ncbiGeneId.isEmpty()) {
            v.status = SourceValue::Status::Absent;
            v.error = QStringLiteral("%1 has no NCBI gene id: PubTator is keyed by it").arg(gene.symbol);
        }
        return v;
    }
    v.joinedOn = QStringLiteral("NCBI gene %1").arg(gene.ncbiGeneId);
    v.value = **row;
    return v;
}

QStringList PubtatorSource::tableColumns() const { return {QStringLiteral("publication_count")}; }

} // namespace bioforge::annotation
