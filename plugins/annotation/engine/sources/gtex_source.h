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
};

} // namespace bioforge::annotation

namespace bioforge::annotation {
// The GTEx portal's tissueSiteDetailId for a GCT tissue column name.
QString gtexTissueId(const QString& name);
} // namespace bioforge::annotation
