#include "sources/gtex_source.h"

#include "io/delimited_file.h"

#include <QFileInfo>
#include <QRegularExpression>

namespace bioforge::annotation {

// GTEx portal ids from the GCT's tissue names: " - " -> "_", parentheses
// dropped (their content kept), spaces -> "_", "__" -> "_", no trailing "_":
// "Kidney - Cortex" -> Kidney_Cortex, "Brain - Spinal cord (cervical c-1)" -> Brain_Spinal_cord_cervical_c-1.
QString gtexTissueId(const QString& name)
{
    QString s = name.trimmed();
    s.replace(QStringLiteral(" - "), QStringLiteral("_"));
    s.remove(QLatin1Char('(')).remove(QLatin1Char(')'));
    s.replace(QLatin1Char(' '), QLatin1Char('_'));
    while (s.contains(QStringLiteral("__")))
        s.replace(QStringLiteral("__"), QStringLiteral("_"));
    while (s.endsWith(QLatin1Char('_')))
        s.chop(1);
    return s;
}

QString GtexSource::id() const { return QStringLiteral("gtex"); }
QString GtexSource::title() const { return QStringLiteral("GTEx"); }

QList<BulkPart> GtexSource::parts() const
{
    return {{QStringLiteral("median_tpm"), QStringLiteral("GTEx_Analysis_*_gene_median_tpm.gct.gz (GCT 1.2; adult-gtex bulk-gex, v8 or v10)"), true, QStringLiteral("https://storage.googleapis.com/adult-gtex/bulk-gex/v8/rna-seq/GTEx_Analysis_2017-06-05_v8_RNASeQCv1.1.9_gene_median_tpm.gct.gz")}};
}

core::Expected<QString> GtexSource::detectPart(const QString& path) const
{
    auto head = textHead(path);
    if (!head)
        return head.error();
    if (head->startsWith("#1.2"))
        return QStringLiteral("median_tpm");
    return unknownPart(*this, path);
}

core::Expected<QString> GtexSource::importPart(const QString&, const QString& path, BulkWriter& writer, const StreamControl& control) const
{
    auto file = DelimitedFile::open(path, {});
    if (!file)
        return file.error();
    DelimitedFile& f = **file;
    auto preamble = f.skipLines(2);
    if (!preamble)
        return preamble.error();
    if (!(*preamble)[0].trimmed().startsWith("#1.2"))
        return core::Error(QStringLiteral("%1:1: expected '#1.2' (GCT version 1.2)").arg(path));
    const QList<QByteArray> dims = (*preamble)[1].trimmed().split('\t');
    bool okRows = false, okCols = false;
    const qint64 declaredRows = dims.value(0).toLongLong(&okRows);
    const qint64 declaredTissues = dims.value(1).toLongLong(&okCols);
    if (dims.size() < 2 || !okRows || !okCols)
        return core::Error(QStringLiteral("%1:2: expected '<genes>\\t<samples>' (GCT dimensions)").arg(path));
    if (auto st = f.readHeader({QStringLiteral("Name"), QStringLiteral("Description")}); !st)
        return st.error();
    if (f.header().size() - 2 != declaredTissues)
        return core::Error(QStringLiteral("%1:3: %2 tissue columns where line 2 declares %3").arg(path, QString::number(f.header().size() - 2),
                                                                                                  QString::number(declaredTissues)));
    QStringList tissues;
    for (int c = 2; c < f.header().size(); ++c)
        tissues << gtexTissueId(f.header()[c]);
    static const QRegularExpression version(QStringLiteral("^(ENSG\\d+)(?:\\.\\d+)?(_PAR_Y)?$"));
    qint64 rows = 0;
    for (;;) {
        auto row = f.next();
        if (!row)
            return row.error();
        if (!*row)
            break;
        const QList<QByteArrayView>& r = **row;
        auto name = f.text(r[0]);
        auto symbol = f.text(r[1]);
        if (!name || !symbol)
            return (!name ? name : symbol).error();
        const auto m = version.match(*name);
        if (!m.hasMatch())
            return f.errorAt(QStringLiteral("Name '%1' is not a GENCODE gene id (ENSG…)").arg(*name));
        QJsonObject tpm;
        for (int c = 2; c < r.size(); ++c) {
            auto n = f.number(r[c], f.header()[c]);
            if (!n)
                return n.error();
            if (*n)
                tpm.insert(tissues[c - 2], **n);
        }
        QJsonObject v{{QStringLiteral("gencode_id"), *name}, {QStringLiteral("symbol"), *symbol}, {QStringLiteral("median_tpm"), tpm}};
        if (auto st = writer.put(m.captured(1) + m.captured(2), *symbol, v); !st)
            return st.error();
        if (auto st = f.poll(++rows, control, 2048); !st)
            return st.error();
    }
    if (rows != declaredRows)
        return core::Error(QStringLiteral("%1: %2 genes where line 2 declares %3 (a truncated file?)").arg(path, QString::number(rows),
                                                                                                           QString::number(declaredRows)));
    const QString name = QFileInfo(path).fileName();
    static const QRegularExpression release(QStringLiteral("_(v\\d+)_"));
    static const QRegularExpression date(QStringLiteral("(\\d{4}-\\d{2}-\\d{2})"));
    const auto r = release.match(name);
    if (!r.hasMatch())
        return fileRelease(path);
    const auto d = date.match(name);
    return d.hasMatch() ? QStringLiteral("GTEx %1 (%2)").arg(r.captured(1), d.captured(1)) : QStringLiteral("GTEx %1").arg(r.captured(1));
}

core::Expected<SourceValue> GtexSource::annotate(const GeneRecord& gene, const BulkView& view, const ListContext&) const
{
    auto found = lookupValue(view, QStringLiteral("median_tpm"), {{QStringLiteral("Ensembl gene"), gene.ensemblGeneId}}, gene.symbol,
                             QStringLiteral("no GTEx row for %1 / %2").arg(gene.ensemblGeneId, gene.symbol));
    if (!found || found->status != SourceValue::Status::Found)
        return found;
    SourceValue v = *found;
    addGtexSummary(v.value);
    return v;
}

void addGtexSummary(QJsonObject& value)
{
    const QJsonObject tpm = value.value(QStringLiteral("median_tpm")).toObject();
    QString top;
    double best = -1;
    for (auto it = tpm.begin(); it != tpm.end(); ++it)
        if (it.value().toDouble() > best) {
            best = it.value().toDouble();
            top = it.key();
        }
    for (const char* kidney : {"Kidney_Cortex", "Kidney_Medulla"})
        if (tpm.contains(QLatin1String(kidney)))
            value.insert(QString::fromLatin1(kidney).toLower(), tpm.value(QLatin1String(kidney)));
    if (!top.isEmpty()) {
        value.insert(QStringLiteral("top_tissue"), top);
        value.insert(QStringLiteral("top_tissue_tpm"), best);
    }
}

QStringList GtexSource::tableColumns() const
{
    return {QStringLiteral("kidney_cortex"), QStringLiteral("kidney_medulla"), QStringLiteral("top_tissue"), QStringLiteral("top_tissue_tpm")};
}

} // namespace bioforge::annotation
