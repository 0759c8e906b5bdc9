#pragma once

// Helpers of the annotation tests: a library in a temporary folder, files
// written from text and imported.

#include "pipeline/bulk_import.h"
#include "jobs/job.h"
#include "sources/annotation_source.h"
#include "store/bulk_library.h"

#include <QByteArray>
#include <QString>
#include <QJsonArray>
#include <QJsonObject>
#include <QTemporaryDir>

#include <memory>

namespace bioforge::test {

// An Expected's error for a failure message (empty when it holds a value; QVERIFY2 evaluates its message always).
template <typename T>
QByteArray errorText(const core::Expected<T>& e)
{
    return e ? QByteArray() : e.error().message().toUtf8();
}

QString annotationDemoPath(const QString& name);  // resources/annotation/demo/<name>
QString annotationDataPath(const QString& name);  // tests/plugins/annotation/data/<name>

struct TestLibrary {
    QTemporaryDir dir;
    std::unique_ptr<annotation::BulkLibrary> library;
    TestLibrary();
    QString write(const QString& name, const QByteArray& content) const; // a file in the folder
    // Imports `path` (part recognised unless given); QVERIFY-style failure text in `error`.
    core::Expected<annotation::ReleaseInfo> import(const QString& source, const QString& path, const QString& part = {});
    core::Expected<annotation::ReleaseInfo> importText(const QString& source, const QString& name, const QByteArray& content, const QString& part = {});
};

// The active releases of a source's parts as a view, a gene record made of
// ids, one source's answer for it (failures as Failed values), gzip bytes.
annotation::BulkView viewOf(const annotation::BulkLibrary& library, const QString& source);
annotation::GeneRecord gene(const QString& symbol, const QString& hgnc, const QString& ncbi, const QString& ensembl, const QStringList& uniprot = {});
annotation::SourceValue annotate(const annotation::BulkLibrary& library, const QString& source, const annotation::GeneRecord& g,
                                 const annotation::ListContext& list = {});
QByteArray gzip(const QByteArray& plain);

// An online annotate run in-process (fast retries, the given limits and NCBI key); its summary and annotations.json.
struct OnlineOutcome {
    core::JobOutcome outcome = core::JobOutcome::Cancelled;
    QString error;
    QJsonObject summary;
    QJsonArray genes;
    int warnings = 0;     // the job's warnings (Jobs dock)
    QString lastWarning;
    QStringList allWarnings; // as the run record keeps them
};
OnlineOutcome runOnline(const QString& folder, QJsonObject parameters, const std::shared_ptr<annotation::HostLimits>& limits, const QString& ncbiKey = {});
// One source's entry for a gene in annotations.json.
QJsonObject sourceOf(const QJsonArray& genes, const QString& symbol, const QString& source);
// Limits generous enough for tests on a server's host.
std::shared_ptr<annotation::HostLimits> fastLimits(const class ProviderServer& server);

} // namespace bioforge::test
