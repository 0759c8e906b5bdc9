#pragma once

// One provider of gene evidence behind one interface. A source imports its
// provider's bulk files (each a "part": gnomAD's constraint TSV, Ensembl's
// GTF and the MANE summary, …) into the annotation library once, and then
// annotates genes from them; each value says what it joined on (the
// strongest stable id the provider carries — Ensembl gene, NCBI gene, HGNC
// id, UniProt accession — or the symbol as a marked fallback) and which
// releases it came from. Provider formats and their defects in the
// Kidney-Genetics-DB pipeline: docs/annotation.md.

#include "identity/gene_record.h"
#include "identity/hgnc_reader.h"
#include "net/http_client.h"
#include "store/bulk_library.h"
#include "util/expected.h"

#include <QDateTime>
#include <QHash>
#include <QJsonArray>
#include <QJsonObject>
#include <QList>
#include <QSet>
#include <QString>

#include <memory>
#include <optional>

namespace bioforge::annotation {

struct BulkPart {
    QString id;          // "constraint"
    QString description; // what file it is, where the provider publishes it
    bool required = true; // the source needs it to annotate (else it adds to what the others give)
    // Where the provider publishes it (`bioforge annotation download`); empty
    // when files must be fetched by hand (a site that refuses scripts).
    QString url{};
};

// The active releases of one source's parts, and lookups in them.
class BulkView {
public:
    BulkView(const BulkLibrary& library, QHash<QString, ReleaseInfo> parts) : m_library(&library), m_parts(std::move(parts)) {}
    bool has(const QString& part) const { return m_parts.contains(part); }
    const QHash<QString, ReleaseInfo>& parts() const { return m_parts; }
    core::Expected<std::optional<QJsonObject>> byId(const QString& part, const QString& id) const;
    core::Expected<QList<std::pair<QString, QJsonObject>>> bySymbol(const QString& part, const QString& symbol) const;
    // The provider's symbol for `id` (cheap: no value parsed); empty when absent.
    core::Expected<QString> symbolOf(const QString& part, const QString& id) const;
    core::Expected<QHash<QString, QString>> symbolsOf(const QString& part, const QStringList& ids) const;
    // The gene records of an identity part (HGNC's genes) whose `column` ("ncbi_id", "ensembl_id",
    // "hgnc_id") is `id`; none where the part is not imported or `id` is empty.
    core::Expected<QList<GeneRecord>> genesById(const QString& part, const QString& column, const QString& id) const;
    QJsonArray releasesJson() const;

private:
    const BulkLibrary* m_library;
    QHash<QString, ReleaseInfo> m_parts;
};

// What a run knows besides the gene: the whole list (STRING scores partners within it).
struct ListContext {
    QSet<QString> symbols; // approved symbols of the resolved genes
};

struct SourceValue {
    enum class Status { Found, Absent, Failed };
    Status status = Status::Absent;
    QString joinedOn;    // "Ensembl gene ENSG00000008710", "symbol PKD1 (fallback)"
    bool symbolFallback = false;
    QJsonObject value;   // the source's fields
    QJsonArray releases; // ReleaseInfo::toJson() of what it came from
    QString error;       // Failed: why; Absent: what was looked up
};
QString statusName(SourceValue::Status s);

// What an API call needs: the client (limits, retries, breakers), where
// each provider is (its public address unless overridden: a mirror, the
// tests' loopback server), and whether to stop.
struct OnlineContext {
    HttpClient* http = nullptr;
    QHash<QString, QString> baseUrls; // source id -> base URL
    std::function<bool()> stop;
    QString baseUrl(const QString& source, const QString& publicUrl) const { return baseUrls.value(source, publicUrl); }
};

// GET `url` expecting JSON through the context's client (its rate limit, retries and stop):
// an error names the URL and the HTTP status when the answer is 400 or above,
// unless the status is one of `accepted` (e.g. 404 where a provider says "none" so).
core::Expected<HttpResponse> getJson(const OnlineContext& context, const QUrl& url, std::initializer_list<int> accepted = {});

class AnnotationSource {
public:
    virtual ~AnnotationSource() = default;
    virtual QString id() const = 0;
    virtual QString title() const = 0;
    virtual QList<BulkPart> parts() const = 0;
    // Which part a file is, from its name and first lines; an error that
    // says what files this source takes.
    virtual core::Expected<QString> detectPart(const QString& path) const = 0;
    // Streams the file into `writer`; returns the provider's release as the file states it.
    virtual core::Expected<QString> importPart(const QString& part, const QString& path, BulkWriter& writer, const StreamControl& control) const = 0;
    // One gene from the imported parts.
    virtual core::Expected<SourceValue> annotate(const GeneRecord& gene, const BulkView& view, const ListContext& list) const = 0;
    // The summary columns of the results table (value field names), in order.
    virtual QStringList tableColumns() const = 0;
    // Whether a found `value` lists nothing for its gene (a real zero: HPO's file names every gene it
    // annotates, ClinVar's every gene with a variant), counted apart in the run's summary and report.
    virtual bool listsNothing(const QJsonObject& value) const
    {
        (void)value;
        return false;
    }
    // The rows a whole release of `part` holds at least, where a gene's absence from it is a real
    // zero (listsNothing); an import with fewer is an extract (a demo's, a panel's), in which a gene
    // outside it is absent — asked of the API when the run is online — not a zero (a partial ClinVar
    // file made APOL1 "found, 0 variants": trial 23 T23-16). 0: no such check.
    virtual qint64 wholeReleaseRows(const QString& part) const
    {
        (void)part;
        return 0;
    }
    // Whether the imported `part` of `view` is an extract (wholeReleaseRows).
    bool isExtract(const BulkView& view, const QString& part) const
    {
        return view.has(part) && view.parts().value(part).rows < wholeReleaseRows(part);
    }

    // The provider's API, for genes the bulk files do not answer (none by default).
    virtual bool hasApi() const { return false; }
    virtual QString apiHost() const { return {}; } // the public host, for the page's status
    // The release the API serves now, asked once per run; part of the cache key.
    virtual core::Expected<QString> apiRelease(const OnlineContext&) const { return core::Error(QStringLiteral("%1 has no API").arg(title())); }
    virtual core::Expected<SourceValue> annotateOnline(const GeneRecord&, const OnlineContext&, const QString& release) const
    {
        return core::Error(QStringLiteral("%1 has no API").arg(title()));
    }
    virtual qint64 cacheTtlSeconds() const { return qint64(30) * 86400; }
    // What of an API answer depends on the run's gene list (STRING's partners
    // within the list) is added here, after the cache: the cached answer
    // holds only what the provider said about the gene.
    virtual void completeOnline(SourceValue&, const GeneRecord&, const ListContext&) const {}
    // Genes a request may carry (GraphQL aliases, id lists); the worker groups the genes it asks for.
    virtual int apiBatchSize() const { return 1; }
    // One answer per gene, in order; a gene's error does not fail the others. Default: one request a gene.
    virtual QList<core::Expected<SourceValue>> annotateOnlineBatch(const QList<GeneRecord>& genes, const OnlineContext& context, const QString& release) const
    {
        QList<core::Expected<SourceValue>> out;
        for (const GeneRecord& g : genes)
            out << annotateOnline(g, context, release);
        return out;
    }
};

// Every source, in the order results show them.
const QList<std::shared_ptr<const AnnotationSource>>& allSources();
std::shared_ptr<const AnnotationSource> sourceById(const QString& id);

// The first value found by the gene's ids in order (kind label, id), then
// by its symbol (marked as a fallback). Sets joinedOn / symbolFallback.
struct JoinKey {
    QString label; // "Ensembl gene"
    QString id;
};
core::Expected<std::optional<QJsonObject>> joinValue(const BulkView& view, const QString& part, const QList<JoinKey>& keys, const QString& symbol,
                                                     SourceValue& out);
// joinValue() as a source's answer: Found with the row, or Absent with
// `absentReason` (or why the symbol could not decide); releases filled in.
core::Expected<SourceValue> lookupValue(const BulkView& view, const QString& part, const QList<JoinKey>& keys, const QString& symbol,
                                        const QString& absentReason);
// A release string for files whose content states none: "<file name>, modified <yyyy-MM-dd>" (the
// file's modification time, UTC; sources put it in their own parentheses).
QString fileRelease(const QString& path);
// The first bytes of a text file (decompressed), or an error from the line
// reader (binary, other compressions, empty).
core::Expected<QByteArray> textHead(const QString& path);
// "<source>: <file> is none of its files: <parts and descriptions>"
core::Error unknownPart(const AnnotationSource& source, const QString& path);
// Whether `error` is unknownPart's (the file is none this source takes), not a file that could not be read.
bool isUnknownPart(const core::Error& error);

// A part's name for messages and provenance: the source's title, and the part's id where the
// title does not end with it already ("gnomAD constraint", not "gnomAD constraint constraint";
// "HPO genes_to_phenotype").
QString partTitle(const AnnotationSource& source, const QString& part);

} // namespace bioforge::annotation
