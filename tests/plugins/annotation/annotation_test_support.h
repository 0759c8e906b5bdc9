#pragma once

// Helpers of the annotation tests: a library in a temporary folder, files
// written from text and imported.

#include "pipeline/bulk_import.h"
#include "sources/annotation_source.h"
#include "store/bulk_library.h"

#include <QByteArray>
#include <QString>
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

} // namespace bioforge::test
