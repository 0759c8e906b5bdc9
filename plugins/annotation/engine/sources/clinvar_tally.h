#pragma once

// One gene's ClinVar counts as they accumulate (from the bulk file's rows or
// E-utilities summaries): classes, review stars, consequences, variant
// types and traits (texts interned: the same few thousand repeat across
// 40,000 genes), and up to 50 P/LP variants in a compact form.

#include "sources/clinvar_terms.h"

#include <QByteArray>
#include <QHash>
#include <QJsonObject>
#include <QList>
#include <QStringList>

#include <array>

namespace bioforge::annotation {

constexpr int kKeptVariants = 50; // P/LP variants listed per gene
constexpr int kTopTraits = 5;

struct KeptVariant {
    quint32 variation = 0;
    qint8 stars = 0;
    quint8 classification = 0, consequence = 0;
    QByteArray name; // HGVS, UTF-8
};

const QStringList& consequenceNames();

// Texts that repeat across genes (traits, variant types) kept once and counted by number.
class Interned {
public:
    int id(const QString& text);
    const QString& text(int id) const { return m_texts.at(id); }

private:
    QHash<QString, int> m_ids;
    QStringList m_texts;
};

struct GeneTally {
    QString symbol, ncbiId;
    qint64 total = 0, highConfidence = 0, viaMultiGeneRows = 0;
    std::array<qint64, kClinvarClassCount> byClass{};
    std::array<qint64, 5> byStars{};
    std::array<qint64, 7> byConsequence{};
    qint64 unknownReview = 0;
    QHash<int, qint64> types, traits; // interned text id -> count
    QList<KeptVariant> pathogenicVariants;

    // One variation: its class, stars (-1 unknown), consequence (index in consequenceNames()), interned type and traits.
    void add(quint32 variation, ClinvarClass cls, int stars, int consequence, int type, const QList<int>& traits, const QString& name);
    void merge(const GeneTally& other);
    QJsonObject toJson(const Interned& texts) const;
};

} // namespace bioforge::annotation
