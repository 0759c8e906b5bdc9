#pragma once

// gnomAD gene constraint (v4.1 constraint_metrics TSV): pLI, LOEUF (lof.oe_ci.upper), lof/mis/syn z-scores and o/e with CIs; one canonical row chosen explicitly per gene.

#include "sources/annotation_source.h"

namespace bioforge::annotation {

class GnomadSource final : public AnnotationSource {
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
    int apiBatchSize() const override { return 10; } // GraphQL aliases: 10 genes a request (gnomAD allows ~10 requests a minute)
    QList<core::Expected<SourceValue>> annotateOnlineBatch(const QList<GeneRecord>& genes, const OnlineContext& context, const QString& release) const override;
};

} // namespace bioforge::annotation
