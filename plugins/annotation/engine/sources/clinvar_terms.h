#pragma once

// ClinVar's controlled vocabulary, mapped explicitly (not by substring, the
// Kidney-Genetics-DB defect that counted "Conflicting classifications of
// pathogenicity" as pathogenic and "Pathogenic/Likely pathogenic" as likely
// pathogenic). Terms: ClinVar's "Representation of classifications"
// (https://www.ncbi.nlm.nih.gov/clinvar/docs/clinsig/) and review status
// stars (https://www.ncbi.nlm.nih.gov/clinvar/docs/review_status/).

#include <QByteArrayView>
#include <QString>

namespace bioforge::annotation {

enum class ClinvarClass {
    Pathogenic,
    PathogenicLikelyPathogenic, // "Pathogenic/Likely pathogenic": counted with P and LP, in its own column
    LikelyPathogenic,
    UncertainSignificance,
    LikelyBenign,
    BenignLikelyBenign,
    Benign,
    Conflicting,                // "Conflicting classifications (interpretations) of pathogenicity": neither P nor B
    NotProvided,                // "not provided", "no classification ..."
    Other,                      // risk factor, drug response, association, protective, Affects, …
};
constexpr int kClinvarClassCount = 10;
QString clinvarClassKey(ClinvarClass c); // "pathogenic", "pathogenic_likely_pathogenic", …

// The germline classification of a variant_summary ClinicalSignificance
// value. The first term decides ("Pathogenic; risk factor" -> Pathogenic);
// low-penetrance forms count with their class.
ClinvarClass classifyClinicalSignificance(QByteArrayView value);
bool isPathogenicOrLikely(ClinvarClass c);

// Gold stars of a ReviewStatus: practice guideline 4, expert panel 3,
// multiple submitters without conflicts 2, single submitter or conflicting 1,
// no assertion criteria / no classification 0; -1 for a value not known.
int clinvarReviewStars(QByteArrayView reviewStatus);

// The consequence category of a variant from its HGVS name (the bulk file
// has no consequence column): "truncating" (frameshift, nonsense, canonical
// splice ±1/2), "missense", "inframe" (del/ins/dup in frame at protein level),
// "synonymous", "splice_region" (intronic ±3..±10), "intronic", "other".
QString consequenceFromHgvs(QByteArrayView name);

} // namespace bioforge::annotation
