#pragma once

// Descartes fetal kidney expression (Cao et al. 2020, atlas.fredhutch.org tables, files the user supplies): TPM and percent of cells expressing, keyed by symbol.

#include "sources/annotation_source.h"

namespace bioforge::annotation {

class DescartesSource final : public AnnotationSource {
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
