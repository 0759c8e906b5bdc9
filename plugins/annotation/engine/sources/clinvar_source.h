#pragma once

// ClinVar variant_summary.txt(.gz): per gene counts by germline classification (explicit mapping of ClinVar's terms) and review stars, variant types, consequences from HGVS, top traits; one row per VariationID (GRCh38 preferred), multi-gene rows to each gene.

#include "sources/annotation_source.h"

namespace bioforge::annotation {

class ClinvarSource final : public AnnotationSource {
public:
    QString id() const override;
    QString title() const override;
    QList<BulkPart> parts() const override;
    core::Expected<QString> detectPart(const QString& path) const override;
    core::Expected<QString> importPart(const QString& part, const QString& path, BulkWriter& writer, const StreamControl& control) const override;
    core::Expected<SourceValue> annotate(const GeneRecord& gene, const BulkView& view, const ListContext& list) const override;
    QStringList tableColumns() const override;
    bool listsNothing(const QJsonObject& value) const override;
    // ClinVar's variant_summary names some 40,000 genes with a variant (and their NCBI ids).
    // Rows: a gene's, and its NCBI id's second way in, so some 2 a gene.
    qint64 wholeReleaseRows(const QString& part) const override { return part == QLatin1String("variant_summary") ? 10000 : 0; }

    // NCBI E-utilities: esearch for the gene, esummary in pages of 200; einfo's lastupdate is the release.
    bool hasApi() const override { return true; }
    QString apiHost() const override;
    core::Expected<QString> apiRelease(const OnlineContext& context) const override;
    core::Expected<SourceValue> annotateOnline(const GeneRecord& gene, const OnlineContext& context, const QString& release) const override;
    qint64 cacheTtlSeconds() const override;
};

} // namespace bioforge::annotation
