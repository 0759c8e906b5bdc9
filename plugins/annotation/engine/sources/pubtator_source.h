#pragma once

// PubTator3 gene2pubtator3: publications per NCBI gene (count, newest PMIDs, mention texts).

#include "sources/annotation_source.h"

namespace bioforge::annotation {

class PubtatorSource final : public AnnotationSource {
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
};

} // namespace bioforge::annotation

namespace bioforge::annotation {
struct PubtatorMention {
    QString symbol, ncbiGeneId, text;
};
// Genes in a PubTator3 search result's `text_hl` ("@GENE_HLA-B @GENE_3106 @@@HLA-B@@@"), hyphenated symbols kept.
QList<PubtatorMention> parsePubtatorGeneHighlights(const QString& textHl);
} // namespace bioforge::annotation
