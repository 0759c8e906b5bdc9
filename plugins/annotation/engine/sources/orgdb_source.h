#pragma once

// Bioconductor org.Hs.eg.db (NCBI Gene): GO terms, PubMed count and newest PMIDs, location, gene type; also the identity authority where HGNC is not imported.

#include "sources/annotation_source.h"

namespace bioforge::annotation {

class OrgDbSource final : public AnnotationSource {
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
