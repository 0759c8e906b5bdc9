#pragma once

// Parameters of an `annotate` run (bioforge run annotation annotate …).

#include "net/host_limiter.h"
#include "net/retry_policy.h"
#include "plugin/parameter_spec.h"
#include "util/expected.h"

#include <QHash>
#include <QJsonObject>
#include <QStringList>

#include <memory>
#include <optional>

namespace bioforge::annotation {

struct AnnotateSettings {
    QString genesFile;    // a gene list file, or
    QString genesText;    // pasted text
    QStringList sources;  // empty: every source with its files imported
    bool offline = true;
    QString identity;     // "", "hgnc" or "orgdb"
    QString library;      // the annotation library's path
    QString importDir;    // a folder of provider files to import first (each skipped when already the active release)
    QString orgDb;        // org.Hs.eg.sqlite to import first ("auto": where R installs it; empty: none)
    int batch = 200;      // (source, gene) values stored per transaction
    QHash<QString, QString> apiUrls; // source -> API base URL (a mirror; the tests' loopback server)
    QString cachePath;    // the API answers' cache; empty: <project>/cache/annotation-cache.sqlite
    // From the plugin's settings, never from the run's parameters (they are recorded):
    QString ncbiApiKey;
    std::shared_ptr<HostLimits> hostLimits; // shared by every run of the process
    std::optional<RetryPolicy> retry;        // the client's default unless set (tests make it fast)

    static core::Expected<AnnotateSettings> fromParameters(const QJsonObject& p);
};

core::VerbSpec annotateVerb();

} // namespace bioforge::annotation
