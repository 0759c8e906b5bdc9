#include "sources/ensembl_model.h"

#include <QJsonArray>

#include <algorithm>

namespace bioforge::annotation {
namespace {

// MANE Select, then Ensembl canonical, then the longest protein-coding span, then the first listed.
std::pair<const Transcript*, QString> canonical(const Gene& g)
{
    for (const char* tag : {"MANE_Select", "Ensembl_canonical"})
        for (const Transcript& t : g.transcripts)
            if (t.tags.contains(QLatin1String(tag)))
                return {&t, QStringLiteral("%1 tag").arg(QLatin1String(tag))};
    const Transcript* best = nullptr;
    for (const Transcript& t : g.transcripts)
        if (t.biotype == QLatin1String("protein_coding") && (!best || t.end - t.start > best->end - best->start))
            best = &t;
    if (best)
        return {best, QStringLiteral("longest protein_coding transcript")};
    return {g.transcripts.isEmpty() ? nullptr : &g.transcripts.first(), QStringLiteral("first transcript listed")};
}

} // namespace

QJsonObject geneValue(Gene& g)
{
    QJsonObject v{{QStringLiteral("gene_id"), g.id},       {QStringLiteral("symbol"), g.symbol},   {QStringLiteral("biotype"), g.biotype},
                  {QStringLiteral("chromosome"), g.chromosome}, {QStringLiteral("start"), g.start}, {QStringLiteral("end"), g.end},
                  {QStringLiteral("strand"), g.strand},    {QStringLiteral("gene_length"), g.end - g.start + 1},
                  {QStringLiteral("transcript_count"), g.transcripts.size()}};
    const auto [t, reason] = canonical(g);
    if (!t)
        return v;
    QList<Exon> exons = t->exons;
    // Exon numbers as the GTF gives them: in transcript order, so on the minus strand exon 1 is the one with the highest coordinates.
    std::sort(exons.begin(), exons.end(), [](const Exon& a, const Exon& b) { return a.number < b.number; });
    QJsonArray list;
    for (const Exon& e : exons)
        list.append(QJsonObject{{QStringLiteral("exon_id"), e.id}, {QStringLiteral("exon_number"), e.number}, {QStringLiteral("start"), e.start},
                                {QStringLiteral("end"), e.end}, {QStringLiteral("length"), e.end - e.start + 1}});
    QStringList tags(t->tags.begin(), t->tags.end());
    tags.sort();
    v.insert(QStringLiteral("canonical_transcript"),
             QJsonObject{{QStringLiteral("transcript_id"), t->id}, {QStringLiteral("name"), t->name}, {QStringLiteral("biotype"), t->biotype},
                         {QStringLiteral("start"), t->start}, {QStringLiteral("end"), t->end}, {QStringLiteral("tags"), QJsonArray::fromStringList(tags)},
                         {QStringLiteral("chosen_by"), reason}, {QStringLiteral("exon_count"), exons.size()}, {QStringLiteral("exons"), list}});
    return v;
}


} // namespace bioforge::annotation
