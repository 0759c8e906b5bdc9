#pragma once

// GTEx median TPM per tissue (GCT 1.2 gene_median_tpm), keyed by the GENCODE gene id without version; tissue names as the portal's tissueSiteDetailId (Kidney_Cortex).

#include "sources/annotation_source.h"

namespace bioforge::annotation {

class GtexSource final : public AnnotationSource {
public:
    QString id() const override;
    QString title() const override;
    QList<BulkPart> parts() const override;
    core::Expected<QString> detectPart(const QString& path) const override;
    core::Expected<QString> importPart(const QString& part, const QString& path, BulkWriter& writer, const StreamControl& control) const override;
    core::Expected<SourceValue> annotate(const GeneRecord& gene, const BulkView& view, const ListContext& list) const override;
    QStringList tableColumns() const override;

    // GTEx Portal API v2 (gtex_online.cpp).
    bool hasApi() const override { return true; }
    QString apiHost() const override;
    core::Expected<QString> apiRelease(const OnlineContext& context) const override;
    core::Expected<SourceValue> annotateOnline(const GeneRecord& gene, const OnlineContext& context, const QString& release) const override;
    qint64 cacheTtlSeconds() const override;
    int apiBatchSize() const override { return 50; } // gencodeId repeated in the URL: 50 keep it short
    QList<core::Expected<SourceValue>> annotateOnlineBatch(const QList<GeneRecord>& genes, const OnlineContext& context, const QString& release) const override;
};

// The value fields every GTEx path adds from `median_tpm`: kidney_cortex,
// kidney_medulla, top_tissue, top_tissue_tpm.
void addGtexSummary(QJsonObject& value);

} // namespace bioforge::annotation

namespace bioforge::annotation {
// The GTEx portal's tissueSiteDetailId for a GCT tissue column name.
QString gtexTissueId(const QString& name);
} // namespace bioforge::annotation
