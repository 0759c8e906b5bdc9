#include "annotation_test_support.h"

#include "support/test_support.h"
#include "checkpoint/checkpoint_store.h"
#include "jobs/clock.h"
#include "jobs/job_context.h"
#include "pipeline/annotate_job.h"
#include "provenance/provenance_recorder.h"
#include "provider_server.h"

#include <QJsonDocument>

#include <QDir>

#include <zlib.h>

namespace bioforge::test {

QString annotationDemoPath(const QString& name) { return QDir(QStringLiteral(ANNOTATION_DEMO_DIR)).filePath(name); }
QString annotationDataPath(const QString& name) { return QDir(QStringLiteral(ANNOTATION_TEST_DATA)).filePath(name); }

TestLibrary::TestLibrary()
{
    auto lib = annotation::BulkLibrary::open(dir.filePath(QStringLiteral("library.sqlite")));
    if (lib)
        library = std::move(*lib);
}

QString TestLibrary::write(const QString& name, const QByteArray& content) const
{
    const QString path = dir.filePath(name);
    writeAll(path, content);
    return path;
}

core::Expected<annotation::ReleaseInfo> TestLibrary::import(const QString& source, const QString& path, const QString& part)
{
    return annotation::importBulkFile(*library, {source, path, part, {}, {}, {}});
}

core::Expected<annotation::ReleaseInfo> TestLibrary::importText(const QString& source, const QString& name, const QByteArray& content, const QString& part)
{
    return import(source, write(name, content), part);
}

using namespace bioforge::annotation;

annotation::BulkView viewOf(const annotation::BulkLibrary& library, const QString& source)
{
    QHash<QString, ReleaseInfo> parts;
    for (const BulkPart& p : sourceById(source)->parts()) {
        auto r = library.activeRelease(source, p.id);
        if (r && *r)
            parts.insert(p.id, **r);
    }
    return BulkView(library, parts);
}

annotation::GeneRecord gene(const QString& symbol, const QString& hgnc, const QString& ncbi, const QString& ensembl, const QStringList& uniprot)
{
    GeneRecord g;
    g.symbol = symbol;
    g.hgncId = hgnc;
    g.key = hgnc;
    g.ncbiGeneId = ncbi;
    g.ensemblGeneId = ensembl;
    g.uniprotIds = uniprot;
    return g;
}

annotation::SourceValue annotate(const annotation::BulkLibrary& library, const QString& source, const annotation::GeneRecord& g, const annotation::ListContext& list)
{
    auto v = sourceById(source)->annotate(g, viewOf(library, source), list);
    return v ? *v : SourceValue{SourceValue::Status::Failed, {}, false, {}, {}, v.error().message()};
}

QByteArray gzip(const QByteArray& plain)
{
    QByteArray out(int(compressBound(uLong(plain.size())) + 64), '\0');
    z_stream z{};
    deflateInit2(&z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(plain.data()));
    z.avail_in = uInt(plain.size());
    z.next_out = reinterpret_cast<Bytef*>(out.data());
    z.avail_out = uInt(out.size());
    deflate(&z, Z_FINISH);
    out.resize(int(z.total_out));
    deflateEnd(&z);
    return out;
}

OnlineOutcome runOnline(const QString& folder, QJsonObject p, const std::shared_ptr<HostLimits>& limits, const QString& ncbiKey)
{
    p.insert(QStringLiteral("offline"), false);
    core::CheckpointStore checkpoints(QDir(folder).filePath(QStringLiteral("checkpoints")), 1);
    const QString out = QDir(folder).filePath(QStringLiteral("out"));
    QDir().mkpath(out);
    core::ProvenanceRecorder provenance(out);
    core::JobContext ctx(QStringLiteral("run"), core::SteadyClock::instance(), {&checkpoints, &provenance, nullptr, out, QString()}, p);
    auto settings = AnnotateSettings::fromParameters(*annotateVerb().validate(p));
    if (!settings)
        return {core::JobOutcome::Cancelled, settings.error().message(), {}, {}};
    settings->hostLimits = limits;
    settings->ncbiApiKey = ncbiKey;
    RetryPolicy fast;
    fast.maxAttempts = 3;
    fast.initialDelaySeconds = 0.01;
    fast.maxDelaySeconds = 0.02;
    settings->retry = fast;
    AnnotateJob job(*settings);
    OnlineOutcome o;
    try {
        o.outcome = job.run(ctx);
    } catch (const core::JobFailure& e) {
        o.error = e.message();
        return o;
    }
    o.summary = QJsonDocument::fromJson(readAll(QDir(out).filePath(QStringLiteral("summary.json")))).object();
    o.genes = QJsonDocument::fromJson(readAll(QDir(out).filePath(QStringLiteral("annotations.json")))).array();
    o.warnings = ctx.snapshot().warnings;
    o.lastWarning = ctx.snapshot().lastWarning;
    core::RunRecord record;
    if (provenance.finalizeInto(record))
        o.allWarnings = record.warnings;
    return o;
}

QJsonObject sourceOf(const QJsonArray& genes, const QString& symbol, const QString& source)
{
    for (const QJsonValue& g : genes)
        if (g.toObject().value(QStringLiteral("symbol")).toString() == symbol)
            return g.toObject().value(QStringLiteral("sources")).toObject().value(source).toObject();
    return {};
}

std::shared_ptr<HostLimits> fastLimits(const ProviderServer& server)
{
    auto limits = std::make_shared<HostLimits>();
    limits->setPolicy(HostLimits::authority(server.url(QStringLiteral("/"))), {200.0, 5, 4, QStringLiteral("test")});
    return limits;
}

} // namespace bioforge::test
