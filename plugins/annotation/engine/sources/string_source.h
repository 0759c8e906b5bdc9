#pragma once

// STRING physical interactions (protein.info, protein.physical.links, protein.aliases for Ensembl gene ids): degree, top partners, partners within the list and a score over them.

#include "sources/annotation_source.h"

namespace bioforge::annotation {

class StringSource final : public AnnotationSource {
public:
    QString id() const override;
    QString title() const override;
    QList<BulkPart> parts() const override;
    core::Expected<QString> detectPart(const QString& path) const override;
    core::Expected<QString> importPart(const QString& part, const QString& path, BulkWriter& writer, const StreamControl& control) const override;
    core::Expected<SourceValue> annotate(const GeneRecord& gene, const BulkView& view, const ListContext& list) const override;
    QStringList tableColumns() const override;

    // The STRING API (string_online.cpp).
    bool hasApi() const override { return true; }
    QString apiHost() const override;
    core::Expected<QString> apiRelease(const OnlineContext& context) const override;
    core::Expected<SourceValue> annotateOnline(const GeneRecord& gene, const OnlineContext& context, const QString& release) const override;
    int apiBatchSize() const override { return 100; } // identifiers, CR-separated
    QList<core::Expected<SourceValue>> annotateOnlineBatch(const QList<GeneRecord>& genes, const OnlineContext& context, const QString& release) const override;
    void completeOnline(SourceValue& value, const GeneRecord& gene, const ListContext& list) const override;
};

// Both paths' fields from a protein's partners (STRING score 0-1000, name):
// degree, top_partners, and those within the run's list with KGDB's
// ppi_score over them (every list gene weighted 1).
void addStringFields(QJsonObject& value, QList<std::pair<int, QString>> partners, const QString& symbol, const ListContext& list);
constexpr int kStringMinimumScore = 400; // STRING's "medium confidence"

} // namespace bioforge::annotation
