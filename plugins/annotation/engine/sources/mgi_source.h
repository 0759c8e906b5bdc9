#pragma once

// MGI HMD_HumanPhenotype.rpt: mouse orthologs and their high-level Mammalian Phenotype terms; kidney = MP:0005367 renal/urinary system phenotype.

#include "sources/annotation_source.h"

namespace bioforge::annotation {

class MgiSource final : public AnnotationSource {
public:
    QString id() const override;
    QString title() const override;
    QList<BulkPart> parts() const override;
    core::Expected<QString> detectPart(const QString& path) const override;
    core::Expected<QString> importPart(const QString& part, const QString& path, BulkWriter& writer, const StreamControl& control) const override;
    core::Expected<SourceValue> annotate(const GeneRecord& gene, const BulkView& view, const ListContext& list) const override;
    QStringList tableColumns() const override;

    // MouseMine's template service (mgi_online.cpp).
    bool hasApi() const override { return true; }
    QString apiHost() const override;
    core::Expected<QString> apiRelease(const OnlineContext& context) const override;
    core::Expected<SourceValue> annotateOnline(const GeneRecord& gene, const OnlineContext& context, const QString& release) const override;
    int apiBatchSize() const override { return 100; } // LOOKUP values, comma-separated
    QList<core::Expected<SourceValue>> annotateOnlineBatch(const QList<GeneRecord>& genes, const OnlineContext& context, const QString& release) const override;
};

} // namespace bioforge::annotation
