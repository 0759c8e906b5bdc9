#include "identity/gene_resolver.h"

#include <QJsonArray>
#include <QRegularExpression>

namespace bioforge::annotation {

QString statusName(ResolutionStatus s)
{
    switch (s) {
    case ResolutionStatus::Resolved: return QStringLiteral("resolved");
    case ResolutionStatus::Ambiguous: return QStringLiteral("ambiguous");
    case ResolutionStatus::Unknown: return QStringLiteral("unknown");
    case ResolutionStatus::Withdrawn: return QStringLiteral("withdrawn");
    case ResolutionStatus::Duplicate: return QStringLiteral("duplicate");
    }
    return {};
}

QString GeneResolver::describeIdentity(const QJsonObject& identity)
{
    const QString release = identity.value(QLatin1String("release")).toString();
    const qint64 rows = identity.value(QLatin1String("rows")).toInteger();
    if (identity.value(QLatin1String("source")).toString() != QLatin1String("hgnc") || rows <= 0 || rows >= kExtractRows)
        return release;
    return QStringLiteral("%1 (an extract of %2: genes outside it are 'unknown')").arg(release, rows == 1 ? QStringLiteral("1 gene") : QStringLiteral("%1 genes").arg(rows));
}

core::Expected<GeneResolver> GeneResolver::open(const BulkLibrary& library, const QString& authority)
{
    GeneResolver r;
    r.m_library = &library;
    for (const QString& source : {QStringLiteral("hgnc"), QStringLiteral("orgdb")}) {
        if (!authority.isEmpty() && authority != source)
            continue;
        auto rel = library.activeRelease(source, QStringLiteral("genes"));
        if (!rel)
            return rel.error();
        if (*rel) {
            r.m_release = **rel;
            break;
        }
    }
    if (r.m_release.id == 0)
        return core::Error(authority.isEmpty()
                               ? QStringLiteral("no gene identities imported: import HGNC's complete set (bioforge annotation import-bulk hgnc FILE) "
                                                "or org.Hs.eg.db (bioforge annotation import-bulk orgdb [FILE]; Debian: r-bioc-org.hs.eg.db)")
                               : QStringLiteral("no gene identities from '%1' imported (bioforge annotation import-bulk %1 FILE)").arg(authority));
    if (r.m_release.source == QLatin1String("hgnc")) {
        auto w = library.activeRelease(QStringLiteral("hgnc"), QStringLiteral("withdrawn"));
        if (!w)
            return w.error();
        r.m_withdrawn = *w;
    }
    return r;
}

core::Expected<QString> GeneResolver::label(const QString& key) const
{
    auto g = record(key);
    if (!g)
        return g.error();
    return *g ? QStringLiteral("%1 (%2)").arg((*g)->symbol, key) : key;
}

core::Expected<Resolution> GeneResolver::resolve(const QString& raw) const
{
    Resolution r;
    r.input = raw.trimmed();
    static const QRegularExpression hgnc(QStringLiteral("^HGNC:(\\d+)$"), QRegularExpression::CaseInsensitiveOption);
    static const QRegularExpression ensembl(QStringLiteral("^(ENSG\\d{11})(\\.\\d+)?$"), QRegularExpression::CaseInsensitiveOption);
    static const QRegularExpression ncbi(QStringLiteral("^(?:NCBIGene:|GeneID:)?(\\d+)$"), QRegularExpression::CaseInsensitiveOption);
    QString column, id;
    if (const auto m = hgnc.match(r.input); m.hasMatch()) {
        column = QStringLiteral("hgnc_id");
        id = QStringLiteral("HGNC:") + m.captured(1);
        r.via = QStringLiteral("HGNC id");
    } else if (const auto e = ensembl.match(r.input); e.hasMatch()) {
        column = QStringLiteral("ensembl_id");
        id = e.captured(1).toUpper();
        r.via = QStringLiteral("Ensembl gene id");
    } else if (const auto n = ncbi.match(r.input); n.hasMatch()) {
        column = QStringLiteral("ncbi_id");
        id = n.captured(1);
        r.via = QStringLiteral("NCBI gene id");
    }
    if (column.isEmpty())
        return byName(r);
    auto keys = m_library->keysById(m_release.id, column, id);
    if (!keys)
        return keys.error();
    if (keys->isEmpty()) {
        r.status = ResolutionStatus::Unknown;
        // org.Hs.eg.db maps NCBI and Ensembl ids, not HGNC's: the id may be right, the identity cannot tell.
        r.reason = column == QLatin1String("hgnc_id") && m_release.source == QLatin1String("orgdb")
                       ? QStringLiteral("%1 cannot be resolved with %2: org.Hs.eg.db carries no HGNC ids; import HGNC's complete set "
                                        "(bioforge annotation import-bulk hgnc hgnc_complete_set.txt) or give the symbol")
                             .arg(id, m_release.release)
                       : QStringLiteral("no gene with %1 %2 in %3").arg(r.via, id, m_release.release);
        return r;
    }
    if (keys->size() > 1) {
        r.status = ResolutionStatus::Ambiguous;
        for (const QString& k : *keys) {
            auto l = label(k);
            if (!l)
                return l.error();
            r.candidates << *l;
        }
        r.reason = QStringLiteral("%1 %2 belongs to %3 genes: %4").arg(r.via, id, QString::number(keys->size()), r.candidates.join(QStringLiteral(", ")));
        return r;
    }
    auto g = record(keys->first());
    if (!g)
        return g.error();
    r.status = ResolutionStatus::Resolved;
    r.key = keys->first();
    r.symbol = *g ? (*g)->symbol : QString();
    return r;
}

core::Expected<Resolution> GeneResolver::byName(Resolution r) const
{
    static const std::pair<NameKind, const char*> kinds[] = {
        {NameKind::Approved, "approved symbol"}, {NameKind::Previous, "previous symbol"}, {NameKind::Alias, "alias"}};
    for (const auto& [kind, via] : kinds) {
        auto keys = m_library->keysByName(m_release.id, r.input, kind);
        if (!keys)
            return keys.error();
        if (keys->isEmpty())
            continue;
        if (m_extract && m_complete && kind != NameKind::Approved) {
            auto own = m_library->keysByName(m_complete->id, r.input, NameKind::Approved);
            if (!own)
                return own.error();
            for (const QString& k : *own) {
                auto other = m_library->gene(m_complete->id, k);
                if (!other)
                    return other.error();
                auto here = record(keys->first());
                if (!here)
                    return here.error();
                // The same gene under an older symbol (org.Hs.eg.db lags HGNC's renames) is no conflict: told by its NCBI id.
                const bool sameGene = *other && *here && !(*other)->ncbiGeneId.isEmpty() && (*other)->ncbiGeneId == (*here)->ncbiGeneId;
                if (*other && *here && !sameGene && (*other)->symbol.compare((*here)->symbol, Qt::CaseInsensitive) != 0) {
                    r.status = ResolutionStatus::Ambiguous;
                    r.candidates = {QStringLiteral("%1 (%2)").arg((*here)->symbol, keys->first()), QStringLiteral("%1 (%2)").arg((*other)->symbol, k)};
                    r.reason = QStringLiteral("'%1' is %2 of %3 in %4, an extract of %5 genes, but the approved symbol of %6 (%7) in %8: "
                                              "give the gene's id, or import HGNC's complete set")
                                   .arg(r.input, kind == NameKind::Alias ? QStringLiteral("an alias") : QStringLiteral("a previous symbol"),
                                        (*here)->symbol, m_release.release, QString::number(m_release.rows), (*other)->symbol, k, m_complete->release);
                    return r;
                }
            }
        }
        r.via = QLatin1String(via);
        QStringList chosen = *keys;
        if (chosen.size() > 1) { // names equal but for case: the exact spelling decides, when it does
            QStringList exact;
            for (const QString& k : chosen) {
                auto g = record(k);
                if (!g)
                    return g.error();
                if (*g && kind == NameKind::Approved && (*g)->symbol == r.input)
                    exact << k;
            }
            if (exact.size() == 1)
                chosen = exact;
        }
        if (chosen.size() > 1) {
            r.status = ResolutionStatus::Ambiguous;
            for (const QString& k : chosen) {
                auto l = label(k);
                if (!l)
                    return l.error();
                r.candidates << *l;
            }
            // An approved symbol two genes share (a source's duplicate record) is told apart only by its id.
            r.reason = QStringLiteral("'%1' is %2 of %3 genes: %4; give the gene's %5")
                           .arg(r.input, kind == NameKind::Alias ? QStringLiteral("an alias") : kind == NameKind::Approved ? QStringLiteral("the approved symbol") : QStringLiteral("a %1").arg(r.via),
                                QString::number(chosen.size()), r.candidates.join(QStringLiteral(", ")),
                                kind == NameKind::Approved ? QStringLiteral("id") : QStringLiteral("approved symbol or id"));
            return r;
        }
        auto g = record(chosen.first());
        if (!g)
            return g.error();
        r.status = ResolutionStatus::Resolved;
        r.key = chosen.first();
        r.symbol = *g ? (*g)->symbol : QString();
        if (kind != NameKind::Approved)
            r.reason = QStringLiteral("'%1' is %2 of %3").arg(r.input, kind == NameKind::Alias ? QStringLiteral("an alias") : QStringLiteral("a previous symbol"), r.symbol);
        return r;
    }
    if (m_withdrawn) {
        auto w = m_library->valuesBySymbol(m_withdrawn->id, r.input.toUpper());
        if (!w)
            return w.error();
        if (!w->isEmpty()) {
            const QJsonObject entry = w->first().second;
            QStringList merged;
            for (const QJsonValue& v : entry.value(QStringLiteral("merged_into")).toArray())
                merged << v.toString();
            r.status = ResolutionStatus::Withdrawn;
            r.reason = merged.isEmpty() ? QStringLiteral("'%1' was withdrawn by HGNC (%2, %3)").arg(r.input, w->first().first, entry.value(QStringLiteral("status")).toString())
                                        : QStringLiteral("'%1' was withdrawn by HGNC (%2): merged into %3; give that symbol if it is the gene you mean")
                                              .arg(r.input, w->first().first, merged.join(QStringLiteral(", ")));
            r.candidates = merged;
            return r;
        }
    }
    r.status = ResolutionStatus::Unknown;
    // In an extract, the name may well be a gene outside it ("'APOL1' is no symbol … in HGNC complete set" of a 33-gene panel).
    r.reason = QStringLiteral("'%1' is no symbol, previous symbol or alias in %2").arg(r.input, describeIdentity(m_release.toJson()));
    if (const QString hint = accessionHint(r.input); !hint.isEmpty())
        r.reason += QStringLiteral("; ") + hint;
    if (const QString symbol = spreadsheetDateSymbol(r.input); !symbol.isEmpty()) {
        // Not resolved on a guess: the user fixes the list, but is told what the cell once was.
        Resolution original;
        original.input = symbol;
        auto asSymbol = byName(original);
        if (!asSymbol)
            return asSymbol.error();
        const QString now = asSymbol->status == ResolutionStatus::Resolved && asSymbol->symbol != symbol
                                ? QStringLiteral(" (now %1)").arg(asSymbol->symbol)
                                : QString();
        r.reason += QStringLiteral("; it looks like the date a spreadsheet made of the symbol %1%2: format the column as text, or give the approved symbol")
                        .arg(symbol, now);
    }
    return r;
}

QString GeneResolver::accessionHint(const QString& input)
{
    // GENCODE marks the Y copies of pseudoautosomal genes with "_PAR_Y" (its GTF/GFF3 gene_id);
    // NCBI RefSeq accession prefixes: NM_ mRNA, NR_ non-coding RNA, NP_ protein, X… predicted.
    static const QRegularExpression parY(QStringLiteral("^(ENSG\\d{11})(?:\\.\\d+)?_PAR_Y$"), QRegularExpression::CaseInsensitiveOption);
    static const QRegularExpression ensembl(QStringLiteral("^ENS(T|P)\\d{11}(?:\\.\\d+)?$"), QRegularExpression::CaseInsensitiveOption);
    static const QRegularExpression refseq(QStringLiteral("^([NX])([MRP])_\\d+(?:\\.\\d+)?$"), QRegularExpression::CaseInsensitiveOption);
    // An NCBI id column read as numbers (pandas and R write one with a gap as 5310.0); UniProt's
    // accession format (uniprot.org/help/accession_numbers).
    static const QRegularExpression decimalId(QStringLiteral("^(\\d+)\\.0+$"));
    static const QRegularExpression uniprot(QStringLiteral("^(?:[OPQ][0-9][A-Z0-9]{3}[0-9]|[A-NR-Z][0-9](?:[A-Z][A-Z0-9]{2}[0-9]){1,2})(?:-\\d+)?$"));
    const QString text = input.trimmed();
    if (const auto m = decimalId.match(text); m.hasMatch())
        return QStringLiteral("it looks like the NCBI Gene id %1 written as a decimal (a number column of a spreadsheet, R or pandas): give %1").arg(m.captured(1));
    if (uniprot.match(text).hasMatch())
        return QStringLiteral("it has the form of a UniProt accession: if it is one, that names a protein, not a gene: give the gene's symbol, NCBI "
                              "Gene id or ENSG id"); // some symbols have that form too (B3GAT1): said as a possibility
    if (const auto m = parY.match(text); m.hasMatch())
        return QStringLiteral("it looks like GENCODE's id of the Y copy of the pseudoautosomal gene %1: give %1").arg(m.captured(1).toUpper());
    if (const auto m = ensembl.match(text); m.hasMatch())
        return QStringLiteral("it looks like an Ensembl %1 id, not a gene's: give the gene's symbol or ENSG id")
            .arg(m.captured(1).compare(QLatin1String("T"), Qt::CaseInsensitive) == 0 ? QStringLiteral("transcript") : QStringLiteral("protein"));
    if (const auto m = refseq.match(text); m.hasMatch()) {
        const QChar kind = m.captured(2).toUpper().at(0);
        return QStringLiteral("it looks like a RefSeq %1%2 accession, not a gene: give the gene's symbol, NCBI Gene id or ENSG id")
            .arg(m.captured(1).toUpper() == QLatin1String("X") ? QStringLiteral("predicted ") : QString(),
                 kind == QLatin1Char('M') ? QStringLiteral("mRNA") : kind == QLatin1Char('R') ? QStringLiteral("non-coding RNA") : QStringLiteral("protein"));
    }
    return {};
}

QString GeneResolver::spreadsheetDateSymbol(const QString& input)
{
    // Spreadsheets read SEPT2, MARCH1 and DEC1 as dates and show them as 2-Sep, 1-Mar, 1-Dec (or
    // Sep-2, 01-Mar, 2-Sep-2024 …): Zeeberg et al. 2004, BMC Bioinformatics 5:80; Ziemann et al. 2016,
    // Genome Biology 17:177.
    static const QRegularExpression date(QStringLiteral("^(?:(\\d{1,2})-(sep|mar|dec)(?:-\\d{2,4})?|(sep|mar|dec)-(\\d{1,2}))$"),
                                         QRegularExpression::CaseInsensitiveOption);
    const QRegularExpressionMatch m = date.match(input.trimmed());
    if (!m.hasMatch())
        return {};
    const QString month = (m.captured(2).isEmpty() ? m.captured(3) : m.captured(2)).toLower();
    const int day = (m.captured(1).isEmpty() ? m.captured(4) : m.captured(1)).toInt();
    if (day < 1)
        return {};
    // The symbols that existed: SEPT1–SEPT14 (now SEPTIN1–14), MARCH1–MARCH11 (now MARCHF1–11), DEC1 (now DELEC1).
    if (month == QLatin1String("sep"))
        return day <= 14 ? QStringLiteral("SEPT%1").arg(day) : QString();
    if (month == QLatin1String("mar"))
        return day <= 11 ? QStringLiteral("MARCH%1").arg(day) : QString();
    return day == 1 ? QStringLiteral("DEC1") : QString();
}

} // namespace bioforge::annotation
