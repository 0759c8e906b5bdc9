#pragma once

// UniProtKB (TSV as the REST stream writes it): accession, entry name, protein name, length, function, domains, Pfam and InterPro; joined on HGNC's UniProt accessions.

#include "sources/annotation_source.h"

namespace bioforge::annotation {

class UniprotSource final : public AnnotationSource {
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
    int apiBatchSize() const override { return 100; } // accessions OR-ed in one search, pages followed
    QList<core::Expected<SourceValue>> annotateOnlineBatch(const QList<GeneRecord>& genes, const OnlineContext& context, const QString& release) const override;
};

} // namespace bioforge::annotation

namespace bioforge::annotation {
// UniProt feature text ("DOMAIN 24..67; /note=\"LRRNT\"; …") as [{type, start, end, note}].
QJsonArray parseUniprotFeatures(const QString& text);
} // namespace bioforge::annotation
