#pragma once

// One source's share of an annotate run, on a thread of its own (sources
// run concurrently; each host's limiter keeps them honest): every gene not
// stored yet from the bulk files, and — online — from the provider's API
// when the files do not answer (through the response cache). A gene that
// fails is not retried on the spot (the HTTP client already retried its
// requests): after the pass, each failed gene gets one more try — alone, so
// a gene that breaks a batch request fails by itself — then it is stored as
// failed with its error. Values are stored in batches with their
// completion; a stop ends the pass after the current gene.

#include "identity/gene_record.h"
#include "net/http_client.h"
#include "net/response_cache.h"
#include "pipeline/annotate_settings.h"
#include "sources/annotation_source.h"

#include <QHash>
#include <QSet>
#include <QStringList>

namespace bioforge::core {
class JobContext;
}

namespace bioforge::annotation {

struct SourceTask {
    std::shared_ptr<const AnnotationSource> source;
    QHash<QString, ReleaseInfo> parts; // imported bulk parts
    bool bulkComplete = false;         // every required part imported
    bool online = false;               // ask the API for what the files do not answer
    QString missing;                   // non-empty: cannot annotate at all, and why
};

struct WorkerShared {
    const AnnotateSettings* settings = nullptr;
    QString storePath;
    QStringList keys;                  // resolved genes, in list order
    QSet<QString> done;                // "source\tkey" stored with a value (failed ones are tried again)
    ListContext list;
    HttpClient* http = nullptr;        // online only
    ResponseCache* cache = nullptr;    // online only
    QHash<QString, QString> baseUrls;
};

// Runs `task` over every key; returns an error only for what stops the whole
// run (the run's store cannot be written); a gene's failure is stored.
core::Status runSourceTask(core::JobContext& ctx, const SourceTask& task, const WorkerShared& shared);

QJsonObject sourceValueToJson(const SourceValue& v);
SourceValue sourceValueFromJson(const QJsonObject& o);

} // namespace bioforge::annotation
