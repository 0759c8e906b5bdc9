#include "sources/uniprot_source.h"

#include "io/delimited_file.h"

#include <QRegularExpression>

namespace bioforge::annotation {

// UniProt's feature text ("DOMAIN 24..67; /note="LRRNT"; /evidence="…"; DOMAIN …") as
// [{type, start, end, note}]; positions "?" or "<1" are kept as text.
QJsonArray parseUniprotFeatures(const QString& text)
{
    QJsonArray out;
    static const QRegularExpression feature(QStringLiteral("([A-Z_]+) ([<>?]?\\d*|\\?)(?:\\.\\.([<>?]?\\d*|\\?))?;?((?:\\s*/[a-z_]+=\"[^\"]*\";?)*)"));
    static const QRegularExpression note(QStringLiteral("/note=\"([^\"]*)\""));
    for (auto it = feature.globalMatch(text); it.hasNext();) {
        const auto m = it.next();
        if (m.captured(2).isEmpty())
            continue;
        QJsonObject f{{QStringLiteral("type"), m.captured(1)}};
        bool ok = false;
        const int start = m.captured(2).toInt(&ok);
        f.insert(QStringLiteral("start"), ok ? QJsonValue(start) : QJsonValue(m.captured(2)));
        const QString endText = m.captured(3).isEmpty() ? m.captured(2) : m.captured(3);
        const int end = endText.toInt(&ok);
        f.insert(QStringLiteral("end"), ok ? QJsonValue(end) : QJsonValue(endText));
        const auto n = note.match(m.captured(4));
        if (n.hasMatch())
            f.insert(QStringLiteral("note"), n.captured(1));
        out.append(f);
    }
    return out;
}

QString UniprotSource::id() const { return QStringLiteral("uniprot"); }
QString UniprotSource::title() const { return QStringLiteral("UniProt"); }

QList<BulkPart> UniprotSource::parts() const
{
    return {{QStringLiteral("entries"),
             QStringLiteral("UniProtKB TSV (rest.uniprot.org/uniprotkb/stream?format=tsv&query=organism_id:9606 AND reviewed:true&fields=accession,id,protein_name,"
                            "gene_names,length,cc_function,ft_domain,ft_transmem,ft_signal,xref_pfam,xref_interpro)"),
             true, QStringLiteral("https://rest.uniprot.org/uniprotkb/stream?format=tsv&query=organism_id%3A9606%20AND%20reviewed%3Atrue&fields=accession,id,protein_name,gene_names,length,cc_function,ft_domain,ft_transmem,ft_signal,xref_pfam,xref_interpro")}};
}

core::Expected<QString> UniprotSource::detectPart(const QString& path) const
{
    auto head = textHead(path);
    if (!head)
        return head.error();
    if (head->startsWith("Entry\t"))
        return QStringLiteral("entries");
    return unknownPart(*this, path);
}

core::Expected<QString> UniprotSource::importPart(const QString&, const QString& path, BulkWriter& writer, const StreamControl& control) const
{
    auto opened = DelimitedFile::open(path, {});
    if (!opened)
        return opened.error();
    DelimitedFile& f = **opened;
    if (auto st = f.readHeader({QStringLiteral("Entry"), QStringLiteral("Gene Names")}); !st)
        return st.error();
    const QList<std::pair<QString, QString>> plain{{QStringLiteral("entry_name"), QStringLiteral("Entry Name")},
                                                   {QStringLiteral("protein_name"), QStringLiteral("Protein names")},
                                                   {QStringLiteral("reviewed"), QStringLiteral("Reviewed")},
                                                   {QStringLiteral("function"), QStringLiteral("Function [CC]")}};
    const QList<std::pair<QString, QString>> features{{QStringLiteral("domains"), QStringLiteral("Domain [FT]")},
                                                      {QStringLiteral("transmembrane"), QStringLiteral("Transmembrane")},
                                                      {QStringLiteral("signal_peptide"), QStringLiteral("Signal peptide")}};
    const QList<std::pair<QString, QString>> xrefs{{QStringLiteral("pfam"), QStringLiteral("Pfam")}, {QStringLiteral("interpro"), QStringLiteral("InterPro")}};
    const int entry = f.column(QStringLiteral("Entry")), genes = f.column(QStringLiteral("Gene Names")), length = f.column(QStringLiteral("Length"));
    for (qint64 rows = 0;; ++rows) {
        auto row = f.next();
        if (!row)
            return row.error();
        if (!*row)
            break;
        const QList<QByteArrayView>& r = **row;
        auto accession = f.text(r[entry]);
        auto names = f.text(r[genes]);
        if (!accession || !names)
            return (!accession ? accession : names).error();
        const QStringList geneNames = names->split(QLatin1Char(' '), Qt::SkipEmptyParts);
        QJsonObject v{{QStringLiteral("accession"), *accession}, {QStringLiteral("gene_names"), QJsonArray::fromStringList(geneNames)}};
        if (length >= 0) {
            auto n = f.number(r[length], QStringLiteral("Length"));
            if (!n)
                return n.error();
            if (*n)
                v.insert(QStringLiteral("length"), **n);
        }
        for (const auto& [ours, column] : plain)
            if (const int c = f.column(column); c >= 0) {
                auto t = f.text(r[c]);
                if (!t)
                    return t.error();
                QString value = *t;
                if (ours == QLatin1String("function") && value.startsWith(QLatin1String("FUNCTION: ")))
                    value = value.mid(10);
                v.insert(ours, value);
            }
        for (const auto& [ours, column] : features)
            if (const int c = f.column(column); c >= 0) {
                auto t = f.text(r[c]);
                if (!t)
                    return t.error();
                v.insert(ours, parseUniprotFeatures(*t));
            }
        for (const auto& [ours, column] : xrefs)
            if (const int c = f.column(column); c >= 0) {
                auto t = f.text(r[c]);
                if (!t)
                    return t.error();
                v.insert(ours, QJsonArray::fromStringList(splitList(*t, QLatin1Char(';'))));
            }
        // The first gene name is UniProt's primary name for the gene: the symbol fallback key.
        if (auto st = writer.put(*accession, geneNames.value(0), v); !st)
            return st.error();
        if (auto st = f.poll(rows, control, 4096); !st)
            return st.error();
    }
    return QStringLiteral("UniProtKB (%1)").arg(fileRelease(path));
}

core::Expected<SourceValue> UniprotSource::annotate(const GeneRecord& gene, const BulkView& view, const ListContext&) const
{
    QList<JoinKey> keys;
    for (const QString& accession : gene.uniprotIds)
        keys.append({QStringLiteral("UniProt"), accession});
    auto found = lookupValue(view, QStringLiteral("entries"), keys, gene.symbol,
                             QStringLiteral("no UniProtKB entry for %1 / %2").arg(gene.uniprotIds.join(QLatin1Char(',')), gene.symbol));
    if (!found || found->status != SourceValue::Status::Found)
        return found;
    SourceValue v = *found;
    v.value.insert(QStringLiteral("domain_count"), v.value.value(QStringLiteral("domains")).toArray().size());
    v.value.insert(QStringLiteral("has_transmembrane"), !v.value.value(QStringLiteral("transmembrane")).toArray().isEmpty());
    v.value.insert(QStringLiteral("has_signal_peptide"), !v.value.value(QStringLiteral("signal_peptide")).toArray().isEmpty());
    return v;
}

QStringList UniprotSource::tableColumns() const
{
    return {QStringLiteral("accession"), QStringLiteral("protein_name"), QStringLiteral("length"), QStringLiteral("domain_count")};
}

} // namespace bioforge::annotation
