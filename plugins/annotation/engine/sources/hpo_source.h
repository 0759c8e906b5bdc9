#pragma once

// HPO genes_to_phenotype.txt (phenotypes, diseases per NCBI gene) and hp.obo (kidney terms: descendants of the kidney and urinary roots).

#include "sources/annotation_source.h"

namespace bioforge::annotation {

class HpoSource final : public AnnotationSource {
public:
    QString id() const override;
    QString title() const override;
    QList<BulkPart> parts() const override;
    core::Expected<QString> detectPart(const QString& path) const override;
    core::Expected<QString> importPart(const QString& part, const QString& path, BulkWriter& writer, const StreamControl& control) const override;
    core::Expected<SourceValue> annotate(const GeneRecord& gene, const BulkView& view, const ListContext& list) const override;
    QStringList tableColumns() const override;
    bool listsNothing(const QJsonObject& value) const override;
    // HPO's genes_to_phenotype annotates some 5,000 genes.
    qint64 wholeReleaseRows(const QString& part) const override { return part == QLatin1String("genes_to_phenotype") ? 2000 : 0; }

    // The JAX ontology API's gene network (hpo_online.cpp).
    bool hasApi() const override { return true; }
    QString apiHost() const override;
    core::Expected<QString> apiRelease(const OnlineContext& context) const override;
    core::Expected<SourceValue> annotateOnline(const GeneRecord& gene, const OnlineContext& context, const QString& release) const override;
};

} // namespace bioforge::annotation
