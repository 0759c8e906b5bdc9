#include "sources/ensembl_source.h"

#include "io/delimited_file.h"
#include "sources/ensembl_model.h"

#include <QFileInfo>
#include <QHash>
#include <QRegularExpression>
#include <QSet>

#include <algorithm>

namespace bioforge::annotation {
namespace {

QString unversioned(const QString& id)
{
    const qsizetype dot = id.indexOf(QLatin1Char('.'));
    return dot < 0 ? id : id.left(dot);
}

// GTF column 9: key "value"; pairs (a key may repeat: tag).
QMultiHash<QString, QString> attributes(QByteArrayView text)
{
    QMultiHash<QString, QString> out;
    qsizetype i = 0;
    const qsizetype n = text.size();
    while (i < n) {
        while (i < n && (text[i] == ' ' || text[i] == ';'))
            ++i;
        const qsizetype keyStart = i;
        while (i < n && text[i] != ' ')
            ++i;
        const QString key = QString::fromUtf8(text.sliced(keyStart, i - keyStart));
        while (i < n && text[i] == ' ')
            ++i;
        QString value;
        if (i < n && text[i] == '"') {
            const qsizetype close = text.indexOf('"', i + 1);
            const qsizetype end = close < 0 ? n : close;
            value = QString::fromUtf8(text.sliced(i + 1, end - i - 1));
            i = end + 1;
        } else {
            const qsizetype semi = text.indexOf(';', i);
            const qsizetype end = semi < 0 ? n : semi;
            value = QString::fromUtf8(text.sliced(i, end - i)).trimmed();
            i = end;
        }
        if (!key.isEmpty())
            out.insert(key, value);
    }
    return out;
}

} // namespace

QString EnsemblSource::id() const { return QStringLiteral("ensembl"); }
QString EnsemblSource::title() const { return QStringLiteral("Ensembl gene model"); }

QList<BulkPart> EnsemblSource::parts() const
{
    return {{QStringLiteral("gtf"), QStringLiteral("Homo_sapiens.GRCh38.<release>.chr.gtf.gz (ftp.ensembl.org/pub/current_gtf/homo_sapiens) or a GENCODE GTF"), true, QStringLiteral("https://ftp.ensembl.org/pub/release-115/gtf/homo_sapiens/Homo_sapiens.GRCh38.115.chr.gtf.gz")},
            {QStringLiteral("mane"), QStringLiteral("MANE.GRCh38.v<version>.summary.txt.gz (ftp.ncbi.nlm.nih.gov/refseq/MANE/MANE_human/current)"), false, QStringLiteral("https://ftp.ncbi.nlm.nih.gov/refseq/MANE/MANE_human/release_1.5/MANE.GRCh38.v1.5.summary.txt.gz")}};
}

core::Expected<QString> EnsemblSource::detectPart(const QString& path) const
{
    auto head = textHead(path);
    if (!head)
        return head.error();
    if (head->startsWith("#NCBI_GeneID\tEnsembl_Gene"))
        return QStringLiteral("mane");
    // A GTF line: 9 tab-separated fields, positions in 4 and 5, a strand in 7, attributes in 9.
    for (const QByteArray& line : head->split('\n')) {
        if (line.startsWith('#') || line.isEmpty())
            continue;
        const QList<QByteArray> f = line.split('\t');
        bool start = false, end = false;
        if (f.size() == 9)
            (void)f[3].toLongLong(&start), (void)f[4].toLongLong(&end);
        if (start && end && (f[6] == "+" || f[6] == "-" || f[6] == ".") && f[8].contains("gene_id \""))
            return QStringLiteral("gtf");
        break;
    }
    return unknownPart(*this, path);
}

core::Expected<QString> EnsemblSource::importPart(const QString& part, const QString& path, BulkWriter& writer, const StreamControl& control) const
{
    const QString file = QFileInfo(path).fileName();
    if (part == QLatin1String("mane")) {
        auto f = DelimitedFile::open(path, {});
        if (!f)
            return f.error();
        if (auto st = (*f)->readHeader({QStringLiteral("Ensembl_Gene"), QStringLiteral("RefSeq_nuc"), QStringLiteral("Ensembl_nuc"), QStringLiteral("MANE_status")}); !st)
            return st.error();
        const QStringList& h = (*f)->header();
        for (;;) {
            auto row = (*f)->next();
            if (!row)
                return row.error();
            if (!*row)
                break;
            QJsonObject v;
            for (int c = 0; c < h.size(); ++c) {
                auto t = (*f)->text((**row)[c]);
                if (!t)
                    return t.error();
                v.insert(h[c], *t);
            }
            const QString tx = unversioned(v.value(QStringLiteral("Ensembl_nuc")).toString());
            if (tx.isEmpty())
                return (*f)->errorAt(QStringLiteral("no Ensembl_nuc"));
            if (auto st = writer.put(tx, v.value(QStringLiteral("symbol")).toString(), v); !st)
                return st.error();
        }
        static const QRegularExpression version(QStringLiteral("MANE\\.GRCh38\\.v(\\d+(?:\\.\\d+)*)"));
        const auto m = version.match(file);
        return m.hasMatch() ? QStringLiteral("MANE v%1").arg(m.captured(1)) : QStringLiteral("MANE (%1)").arg(fileRelease(path));
    }
    auto head = textHead(path);
    if (!head)
        return head.error();
    QString build;
    for (const QByteArray& line : head->split('\n'))
        if (line.startsWith("#!genome-build "))
            build = QString::fromUtf8(line.mid(15).trimmed());
    auto opened = DelimitedFile::open(path, {'\t', false, true});
    if (!opened)
        return opened.error();
    DelimitedFile& f = **opened;
    Gene gene;
    QSet<QString> finished;
    auto flush = [&]() -> core::Status {
        if (gene.id.isEmpty())
            return core::okStatus();
        finished.insert(gene.id);
        const core::Status st = writer.put(gene.id, gene.symbol, geneValue(gene));
        gene = Gene{};
        return st;
    };
    for (qint64 rows = 0;; ++rows) {
        auto row = f.next();
        if (!row)
            return row.error();
        if (!*row)
            break;
        const QList<QByteArrayView>& r = **row;
        if (r.size() != 9)
            return f.errorAt(QStringLiteral("%1 fields; a GTF line has 9").arg(r.size()));
        const QByteArrayView feature = r[2];
        if (feature != "gene" && feature != "transcript" && feature != "exon")
            continue;
        bool okStart = false, okEnd = false;
        const qint64 start = r[3].toLongLong(&okStart), end = r[4].toLongLong(&okEnd);
        if (!okStart || !okEnd || start > end)
            return f.errorAt(QStringLiteral("start/end '%1'/'%2' are not positions").arg(QString::fromUtf8(r[3].toByteArray()), QString::fromUtf8(r[4].toByteArray())));
        const QMultiHash<QString, QString> a = attributes(r[8]);
        const QString geneId = unversioned(a.value(QStringLiteral("gene_id")));
        if (geneId.isEmpty())
            return f.errorAt(QStringLiteral("no gene_id attribute"));
        if (geneId != gene.id) {
            if (finished.contains(geneId))
                return f.errorAt(QStringLiteral("%1 appears again after other genes: the GTF is not grouped by gene").arg(geneId));
            if (auto st = flush(); !st)
                return st.error();
            gene.id = geneId;
        }
        if (feature == "gene") {
            gene.symbol = a.value(QStringLiteral("gene_name"));
            gene.biotype = a.contains(QStringLiteral("gene_biotype")) ? a.value(QStringLiteral("gene_biotype")) : a.value(QStringLiteral("gene_type"));
            gene.chromosome = QString::fromUtf8(r[0].toByteArray());
            gene.strand = QString::fromUtf8(r[6].toByteArray());
            gene.start = start;
            gene.end = end;
            continue;
        }
        const QString txId = unversioned(a.value(QStringLiteral("transcript_id")));
        if (txId.isEmpty())
            return f.errorAt(QStringLiteral("a %1 line without transcript_id").arg(QString::fromUtf8(feature.toByteArray())));
        if (!gene.index.contains(txId)) {
            gene.index.insert(txId, int(gene.transcripts.size()));
            Transcript t;
            t.id = txId;
            t.order = int(gene.transcripts.size());
            gene.transcripts.append(t);
        }
        Transcript& t = gene.transcripts[gene.index.value(txId)];
        if (feature == "transcript") {
            t.name = a.value(QStringLiteral("transcript_name"));
            t.biotype = a.contains(QStringLiteral("transcript_biotype")) ? a.value(QStringLiteral("transcript_biotype")) : a.value(QStringLiteral("transcript_type"));
            t.start = start;
            t.end = end;
            for (const QString& tag : a.values(QStringLiteral("tag")))
                t.tags.insert(tag);
        } else {
            bool ok = false;
            const int number = a.value(QStringLiteral("exon_number")).toInt(&ok);
            if (!ok)
                return f.errorAt(QStringLiteral("an exon without a numeric exon_number"));
            t.exons.append({unversioned(a.value(QStringLiteral("exon_id"))), number, start, end});
        }
        if (auto st = f.poll(rows, control, 16384); !st)
            return st.error();
    }
    if (auto st = flush(); !st)
        return st.error();
    if (finished.isEmpty())
        return core::Error(QStringLiteral("%1: no gene, transcript or exon lines").arg(path));
    static const QRegularExpression ensembl(QStringLiteral("^Homo_sapiens\\.GRCh38\\.(\\d+)\\."));
    static const QRegularExpression gencode(QStringLiteral("^gencode\\.v(\\d+)"));
    QString release;
    if (const auto m = ensembl.match(file); m.hasMatch())
        release = QStringLiteral("Ensembl %1").arg(m.captured(1));
    else if (const auto g = gencode.match(file); g.hasMatch())
        release = QStringLiteral("GENCODE %1").arg(g.captured(1));
    else
        release = fileRelease(path);
    return build.isEmpty() ? release : QStringLiteral("%1 (%2)").arg(release, build);
}

core::Expected<SourceValue> EnsemblSource::annotate(const GeneRecord& gene, const BulkView& view, const ListContext&) const
{
    auto found = lookupValue(view, QStringLiteral("gtf"), {{QStringLiteral("Ensembl gene"), gene.ensemblGeneId}}, gene.symbol,
                             QStringLiteral("no GTF gene %1 / %2").arg(gene.ensemblGeneId, gene.symbol));
    if (!found || found->status != SourceValue::Status::Found)
        return found;
    SourceValue v = *found;
    QJsonObject canonical = v.value.value(QStringLiteral("canonical_transcript")).toObject();
    if (!canonical.isEmpty() && view.has(QStringLiteral("mane"))) {
        auto mane = view.byId(QStringLiteral("mane"), canonical.value(QStringLiteral("transcript_id")).toString());
        if (!mane)
            return mane.error();
        if (*mane) {
            canonical.insert(QStringLiteral("refseq_transcript_id"), (*mane)->value(QStringLiteral("RefSeq_nuc")));
            canonical.insert(QStringLiteral("mane_status"), (*mane)->value(QStringLiteral("MANE_status")));
            v.value.insert(QStringLiteral("canonical_transcript"), canonical);
        }
    }
    v.value.insert(QStringLiteral("canonical_transcript_id"), canonical.value(QStringLiteral("transcript_id")));
    v.value.insert(QStringLiteral("exon_count"), canonical.value(QStringLiteral("exon_count")));
    v.value.insert(QStringLiteral("location"), QStringLiteral("%1:%2-%3:%4").arg(v.value.value(QStringLiteral("chromosome")).toString(),
                                                                                 QString::number(v.value.value(QStringLiteral("start")).toInteger()),
                                                                                 QString::number(v.value.value(QStringLiteral("end")).toInteger()),
                                                                                 v.value.value(QStringLiteral("strand")).toString()));
    return v;
}

QStringList EnsemblSource::tableColumns() const
{
    return {QStringLiteral("location"), QStringLiteral("biotype"), QStringLiteral("canonical_transcript_id"), QStringLiteral("exon_count")};
}

} // namespace bioforge::annotation
