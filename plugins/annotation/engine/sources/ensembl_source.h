#pragma once

// Ensembl gene model from the GTF: coordinates, strand, biotype, canonical transcript (MANE Select, then Ensembl canonical, then longest protein coding) with exons numbered in transcript order; RefSeq from the MANE summary.

#include "sources/annotation_source.h"

namespace bioforge::annotation {

class EnsemblSource final : public AnnotationSource {
public:
    QString id() const override;
    QString title() const override;
    QList<BulkPart> parts() const override;
    core::Expected<QString> detectPart(const QString& path) const override;
    core::Expected<QString> importPart(const QString& part, const QString& path, BulkWriter& writer, const StreamControl& control) const override;
    core::Expected<SourceValue> annotate(const GeneRecord& gene, const BulkView& view, const ListContext& list) const override;
    QStringList tableColumns() const override;

    bool hasApi() const override { return true; }
    QString apiHost() const override;
    core::Expected<QString> apiRelease(const OnlineContext& context) const override;
    core::Expected<SourceValue> annotateOnline(const GeneRecord& gene, const OnlineContext& context, const QString& release) const override;
    qint64 cacheTtlSeconds() const override;
    int apiBatchSize() const override { return 100; } // POST lookup/id takes up to 1,000 ids
    QList<core::Expected<SourceValue>> annotateOnlineBatch(const QList<GeneRecord>& genes, const OnlineContext& context, const QString& release) const override;
};

} // namespace bioforge::annotation
