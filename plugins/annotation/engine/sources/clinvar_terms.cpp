#include "sources/clinvar_terms.h"

#include <QRegularExpression>

namespace bioforge::annotation {

QString clinvarClassKey(ClinvarClass c)
{
    switch (c) {
    case ClinvarClass::Pathogenic: return QStringLiteral("pathogenic");
    case ClinvarClass::PathogenicLikelyPathogenic: return QStringLiteral("pathogenic_likely_pathogenic");
    case ClinvarClass::LikelyPathogenic: return QStringLiteral("likely_pathogenic");
    case ClinvarClass::UncertainSignificance: return QStringLiteral("uncertain_significance");
    case ClinvarClass::LikelyBenign: return QStringLiteral("likely_benign");
    case ClinvarClass::BenignLikelyBenign: return QStringLiteral("benign_likely_benign");
    case ClinvarClass::Benign: return QStringLiteral("benign");
    case ClinvarClass::Conflicting: return QStringLiteral("conflicting");
    case ClinvarClass::NotProvided: return QStringLiteral("not_provided");
    case ClinvarClass::Other: return QStringLiteral("other");
    }
    return {};
}

bool isPathogenicOrLikely(ClinvarClass c)
{
    return c == ClinvarClass::Pathogenic || c == ClinvarClass::PathogenicLikelyPathogenic || c == ClinvarClass::LikelyPathogenic;
}

ClinvarClass classifyClinicalSignificance(QByteArrayView value)
{
    // The first term: "Pathogenic; risk factor", "Likely pathogenic, low penetrance", "Benign/Likely benign; other".
    QByteArray first = value.trimmed().toByteArray();
    if (const qsizetype semi = first.indexOf(';'); semi >= 0)
        first.truncate(semi);
    first = first.trimmed().toLower();
    if (first.endsWith(", low penetrance"))
        first.chop(int(qstrlen(", low penetrance")));
    if (first == "pathogenic")
        return ClinvarClass::Pathogenic;
    if (first == "pathogenic/likely pathogenic" || first == "pathogenic/likely pathogenic/likely risk allele"
        || first == "pathogenic/likely pathogenic/pathogenic, low penetrance")
        return ClinvarClass::PathogenicLikelyPathogenic;
    if (first == "likely pathogenic")
        return ClinvarClass::LikelyPathogenic;
    if (first == "uncertain significance")
        return ClinvarClass::UncertainSignificance;
    if (first == "likely benign")
        return ClinvarClass::LikelyBenign;
    if (first == "benign/likely benign")
        return ClinvarClass::BenignLikelyBenign;
    if (first == "benign")
        return ClinvarClass::Benign;
    if (first.startsWith("conflicting classifications of pathogenicity") || first.startsWith("conflicting interpretations of pathogenicity"))
        return ClinvarClass::Conflicting;
    if (first == "not provided" || first.startsWith("no classification") || first.startsWith("no interpretation") || first.isEmpty() || first == "-")
        return ClinvarClass::NotProvided;
    return ClinvarClass::Other;
}

int clinvarReviewStars(QByteArrayView reviewStatus)
{
    const QByteArray s = reviewStatus.trimmed().toByteArray().toLower();
    if (s == "practice guideline")
        return 4;
    if (s == "reviewed by expert panel")
        return 3;
    if (s == "criteria provided, multiple submitters, no conflicts")
        return 2;
    if (s == "criteria provided, single submitter" || s == "criteria provided, conflicting classifications"
        || s == "criteria provided, conflicting interpretations")
        return 1;
    if (s == "no assertion criteria provided" || s == "no assertion provided" || s == "no classification provided"
        || s == "no classification for the single variant" || s == "no classifications from unflagged records" || s == "no interpretation for the single variant")
        return 0;
    return -1;
}

QString consequenceFromHgvs(QByteArrayView name)
{
    const QString n = QString::fromUtf8(name);
    static const QRegularExpression protein(QStringLiteral("\\(p\\.([^)]*)\\)"));
    const auto p = protein.match(n);
    if (p.hasMatch()) {
        const QString change = p.captured(1);
        if (change.contains(QLatin1String("fs")))
            return QStringLiteral("truncating");
        if (change.contains(QLatin1String("Ter")) || change.endsWith(QLatin1Char('*')) || change.endsWith(QLatin1Char('X')))
            return QStringLiteral("truncating");
        if (change.endsWith(QLatin1Char('=')))
            return QStringLiteral("synonymous");
        if (change.contains(QLatin1String("del")) || change.contains(QLatin1String("ins")) || change.contains(QLatin1String("dup")))
            return QStringLiteral("inframe");
        static const QRegularExpression missense(QStringLiteral("^[A-Z][a-z]{2}\\d+[A-Z][a-z]{2}$"));
        if (missense.match(change).hasMatch())
            return QStringLiteral("missense");
        return QStringLiteral("other");
    }
    // No protein change: intronic positions c.N+k / c.N-k.
    static const QRegularExpression intronic(QStringLiteral("c\\.[*-]?\\d+([+-])(\\d+)"));
    const auto i = intronic.match(n);
    if (i.hasMatch()) {
        // An offset past int's range fails toInt (0): it must not read as the splice site.
        bool ok = false;
        const int k = i.captured(2).toInt(&ok);
        if (!ok)
            return QStringLiteral("intronic");
        if (k <= 2)
            return QStringLiteral("truncating"); // canonical splice donor / acceptor
        if (k <= 10)
            return QStringLiteral("splice_region");
        return QStringLiteral("intronic");
    }
    return QStringLiteral("other");
}

} // namespace bioforge::annotation
