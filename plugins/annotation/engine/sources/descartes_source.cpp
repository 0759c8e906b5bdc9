#include "sources/descartes_source.h"

#include "io/delimited_file.h"

#include <QFileInfo>

namespace bioforge::annotation {

QString DescartesSource::id() const { return QStringLiteral("descartes"); }
QString DescartesSource::title() const { return QStringLiteral("Descartes fetal kidney"); }

QList<BulkPart> DescartesSource::parts() const
{
    return {{QStringLiteral("tpm"), QStringLiteral("kidney TPM table, 'SYMBOL,value' per line (Descartes human_gtex tables/tissue_tpm/kidney.csv, saved by hand: the site refuses scripts)"), false},
            {QStringLiteral("percentage"), QStringLiteral("kidney percent-of-cells table (tables/tissue_percentage/kidney.csv)"), false}};
}

core::Expected<QString> DescartesSource::detectPart(const QString& path) const
{
    auto head = textHead(path);
    if (!head)
        return head.error();
    const QString where = QFileInfo(path).absoluteFilePath().toLower();
    if (where.contains(QLatin1String("percent")))
        return QStringLiteral("percentage");
    if (where.contains(QLatin1String("tpm")))
        return QStringLiteral("tpm");
    return core::Error(QStringLiteral("%1: cannot tell a Descartes TPM table from a percentage table by its name; name it *tpm*.csv or *percentage*.csv, "
                                      "or give --part tpm|percentage")
                           .arg(path));
}

core::Expected<QString> DescartesSource::importPart(const QString& part, const QString& path, BulkWriter& writer, const StreamControl& control) const
{
    auto file = DelimitedFile::open(path, {','});
    if (!file)
        return file.error();
    DelimitedFile& f = **file;
    const QString field = part == QLatin1String("percentage") ? QStringLiteral("kidney_percentage") : QStringLiteral("kidney_tpm");
    qint64 rows = 0;
    for (;;) {
        auto row = f.next();
        if (!row)
            return row.error();
        if (!*row)
            break;
        const QList<QByteArrayView>& r = **row;
        if (r.size() < 2)
            return f.errorAt(QStringLiteral("expected 'SYMBOL,value'"));
        auto symbol = f.text(unquoted(r[0]).trimmed());
        if (!symbol)
            return symbol.error();
        auto n = f.number(unquoted(r[r.size() - 1]), field);
        if (!n) {
            if (rows == 0 && f.line() == 1)
                continue; // a title line
            return n.error();
        }
        if (!*n || symbol->isEmpty())
            continue;
        if (auto st = writer.put(*symbol, *symbol, QJsonObject{{field, **n}}); !st)
            return st.error();
        if (auto st = f.poll(++rows, control, 4096); !st)
            return st.error();
    }
    if (rows == 0)
        return core::Error(QStringLiteral("%1: no 'SYMBOL,value' rows").arg(path));
    return QStringLiteral("Descartes human_gtex kidney %1 (%2)").arg(part, fileRelease(path));
}

core::Expected<SourceValue> DescartesSource::annotate(const GeneRecord& gene, const BulkView& view, const ListContext&) const
{
    SourceValue v;
    v.releases = view.releasesJson();
    if (!view.has(QStringLiteral("tpm")) && !view.has(QStringLiteral("percentage"))) {
        v.status = SourceValue::Status::Failed;
        v.error = QStringLiteral("no Descartes table imported");
        return v;
    }
    // Descartes tables name genes by symbol only: the join is on the approved symbol, then previous symbols.
    QStringList names{gene.symbol};
    names << gene.previousSymbols;
    for (const QString& part : {QStringLiteral("tpm"), QStringLiteral("percentage")})
        for (const QString& name : names) {
            auto row = view.byId(part, name);
            if (!row)
                return row.error();
            if (*row) {
                for (auto it = (*row)->begin(); it != (*row)->end(); ++it)
                    v.value.insert(it.key(), it.value());
                v.joinedOn = name == gene.symbol ? QStringLiteral("symbol %1 (Descartes has no ids)").arg(name)
                                                 : QStringLiteral("previous symbol %1 (Descartes has no ids)").arg(name);
                v.symbolFallback = true;
                break;
            }
        }
    if (v.value.isEmpty()) {
        v.error = QStringLiteral("%1 not in the Descartes tables").arg(gene.symbol);
        return v;
    }
    v.status = SourceValue::Status::Found;
    return v;
}

QStringList DescartesSource::tableColumns() const { return {QStringLiteral("kidney_tpm"), QStringLiteral("kidney_percentage")}; }

} // namespace bioforge::annotation
