#include "sources/clinvar_tally.h"

#include <QJsonArray>

#include <algorithm>
#include <cmath>

namespace bioforge::annotation {

const QStringList& consequenceNames()
{
    static const QStringList n{QStringLiteral("truncating"), QStringLiteral("missense"), QStringLiteral("inframe"), QStringLiteral("synonymous"),
                               QStringLiteral("splice_region"), QStringLiteral("intronic"), QStringLiteral("other")};
    return n;
}

int Interned::id(const QString& text)
{
    auto it = m_ids.constFind(text);
    if (it != m_ids.constEnd())
        return *it;
    m_texts << text;
    return *m_ids.insert(text, int(m_texts.size() - 1));
}

void GeneTally::add(quint32 variation, ClinvarClass cls, int stars, int consequence, int type, const QList<int>& traitIds, const QString& name)
{
    ++total;
    ++byClass[size_t(cls)];
    if (stars >= 0 && stars <= 4)
        ++byStars[size_t(stars)];
    else
        ++unknownReview;
    if (stars >= 2)
        ++highConfidence;
    ++types[type];
    ++byConsequence[size_t(std::clamp(consequence, 0, int(byConsequence.size()) - 1))];
    for (int trait : traitIds)
        ++traits[trait];
    if (isPathogenicOrLikely(cls) && pathogenicVariants.size() < kKeptVariants)
        pathogenicVariants.append({variation, qint8(stars), quint8(cls), quint8(consequence), name.toUtf8()});
}

void GeneTally::merge(const GeneTally& o)
{
    total += o.total;
    highConfidence += o.highConfidence;
    viaMultiGeneRows += o.viaMultiGeneRows;
    unknownReview += o.unknownReview;
    for (int i = 0; i < kClinvarClassCount; ++i)
        byClass[size_t(i)] += o.byClass[size_t(i)];
    for (size_t i = 0; i < byStars.size(); ++i)
        byStars[i] += o.byStars[i];
    for (size_t i = 0; i < byConsequence.size(); ++i)
        byConsequence[i] += o.byConsequence[i];
    for (auto it = o.types.begin(); it != o.types.end(); ++it)
        types[it.key()] += it.value();
    for (auto it = o.traits.begin(); it != o.traits.end(); ++it)
        traits[it.key()] += it.value();
    for (const KeptVariant& v : o.pathogenicVariants)
        if (pathogenicVariants.size() < kKeptVariants)
            pathogenicVariants.append(v);
}


QJsonObject GeneTally::toJson(const Interned& texts) const
{
    QJsonObject counts;
    for (int i = 0; i < kClinvarClassCount; ++i)
        counts.insert(clinvarClassKey(ClinvarClass(i)), byClass[size_t(i)]);
    const qint64 plp = byClass[size_t(ClinvarClass::Pathogenic)] + byClass[size_t(ClinvarClass::PathogenicLikelyPathogenic)]
                       + byClass[size_t(ClinvarClass::LikelyPathogenic)];
    QJsonArray stars;
    for (qint64 s : byStars)
        stars.append(s);
    QJsonObject typeCounts, consequences;
    for (auto it = types.begin(); it != types.end(); ++it)
        typeCounts.insert(texts.text(it.key()), it.value());
    for (size_t i = 0; i < byConsequence.size(); ++i)
        if (byConsequence[i] > 0)
            consequences.insert(consequenceNames().at(int(i)), byConsequence[i]);
    QList<std::pair<qint64, QString>> t;
    for (auto it = traits.begin(); it != traits.end(); ++it)
        t.append({it.value(), texts.text(it.key())});
    std::sort(t.begin(), t.end(), [](const auto& a, const auto& b) { return a.first != b.first ? a.first > b.first : a.second < b.second; });
    QJsonArray top;
    for (const auto& [n, name] : t.mid(0, kTopTraits))
        top.append(QJsonObject{{QStringLiteral("trait"), name}, {QStringLiteral("count"), n}});
    QJsonArray kept;
    for (const KeptVariant& v : pathogenicVariants)
        kept.append(QJsonObject{{QStringLiteral("variation_id"), qint64(v.variation)},
                                {QStringLiteral("name"), QString::fromUtf8(v.name)},
                                {QStringLiteral("classification"), clinvarClassKey(ClinvarClass(v.classification))},
                                {QStringLiteral("stars"), int(v.stars)},
                                {QStringLiteral("consequence"), consequenceNames().at(v.consequence)}});
    return QJsonObject{{QStringLiteral("symbol"), symbol},
                       {QStringLiteral("total_variants"), total},
                       {QStringLiteral("counts"), counts},
                       {QStringLiteral("pathogenic_or_likely"), plp},
                       {QStringLiteral("pathogenic_percentage"), total > 0 ? std::round(1000.0 * double(plp) / double(total)) / 10.0 : 0.0},
                       {QStringLiteral("review_stars"), stars},
                       {QStringLiteral("high_confidence"), highConfidence},
                       {QStringLiteral("variant_types"), typeCounts},
                       {QStringLiteral("consequences"), consequences},
                       {QStringLiteral("top_traits"), top},
                       {QStringLiteral("via_multi_gene_rows"), viaMultiGeneRows},
                       {QStringLiteral("pathogenic_variants"), kept}};
}

} // namespace bioforge::annotation
