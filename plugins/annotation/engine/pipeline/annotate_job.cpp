#include "pipeline/annotate_job.h"

#include "checkpoint/checkpoint_store.h"
#include "identity/gene_list.h"
#include "identity/gene_resolver.h"
#include "identity/orgdb.h"
#include "jobs/job_context.h"
#include "pipeline/annotation_outputs.h"
#include "pipeline/bulk_import.h"
#include "pipeline/gene_list_resolution.h"
#include "pipeline/run_store.h"
#include "pipeline/source_worker.h"
#include "provenance/provenance_recorder.h"

#include <QDir>
#include <QFileInfo>
#include <QSet>
#include <QThread>
#include <QThreadPool>

#include <algorithm>
#include <utility>

namespace bioforge::annotation {

using core::JobOutcome;
using core::orThrow;

namespace {

// A provider release a run read: recorded beside the models, as what it is.
constexpr const char* kReferenceDataRole = "reference data";

JobOutcome stopped(const core::JobContext& ctx) { return ctx.stopRequest() == core::StopRequest::Pause ? JobOutcome::Paused : JobOutcome::Cancelled; }

// Whether the library holds the gene identities `identity` asks for (auto: HGNC's or NCBI
// Gene's; hgnc or orgdb: that one) or one of `imports` gives them.
bool hasIdentities(const BulkLibrary& library, const QStringList& imports, const QString& identity)
{
    const QStringList sources = identity.isEmpty() || identity == QLatin1String("auto") ? QStringList{QStringLiteral("hgnc"), QStringLiteral("orgdb")}
                                                                                      : QStringList{identity};
    for (const QString& source : sources)
        if (auto active = library.activeRelease(source, QStringLiteral("genes")); !active || *active)
            return true; // an unreadable library is the resolver's to report
    for (const QString& file : imports)
        if (auto which = detectSourceAndPart(file); which && which->second == QLatin1String("genes") && sources.contains(which->first))
            return true;
    return false;
}

} // namespace

JobOutcome AnnotateJob::run(core::JobContext& ctx)
{
    // Files to import first: the folder's (those no source recognises are skipped with a warning) and the OrgDb.
    QStringList imports;
    if (!m_settings.importDir.isEmpty()) {
        const QDir dir(m_settings.importDir);
        if (!dir.exists())
            throw core::JobFailure(QStringLiteral("annotate: import_dir %1 is not a folder").arg(m_settings.importDir));
        for (const QFileInfo& f : dir.entryInfoList(QDir::Files | QDir::Readable, QDir::Name)) {
            auto which = detectSourceAndPart(f.absoluteFilePath());
            if (which)
                imports << f.absoluteFilePath();
            else
                ctx.warn(QStringLiteral("import_dir: %1 skipped: no source recognises it").arg(f.fileName()));
        }
    }
    if (!m_settings.orgDb.isEmpty()) {
        const QString path = m_settings.orgDb == QLatin1String("auto") ? OrgDb::findInstalled() : m_settings.orgDb;
        if (path.isEmpty())
            ctx.warn(QStringLiteral("orgdb=auto: org.Hs.eg.db is not installed (Debian: apt-get install r-bioc-org.hs.eg.db); NCBI Gene is not used"));
        else
            imports << path;
    }
    if (m_settings.library.isEmpty())
        throw core::JobFailure(QStringLiteral("annotate: no annotation library given"));
    auto library = orThrow(BulkLibrary::open(m_settings.library));
    // No gene identities in the library, none among the files to import: NCBI Gene from the
    // org.Hs.eg.db Debian installs is imported (read in place), as annotation.md says of "auto".
    if (m_settings.orgDb.isEmpty() && m_settings.identity != QLatin1String("hgnc") && !hasIdentities(*library, imports, m_settings.identity))
        if (const QString installed = OrgDb::findInstalled(); !installed.isEmpty()) {
            imports << installed;
            // (Into a library read-only here the import fails below, naming it: no word of importing first.)
            if (!library->db().readOnly())
                ctx.warn(m_settings.identity == QLatin1String("orgdb")
                             ? QStringLiteral("--identity orgdb: the library holds no NCBI Gene identities; org.Hs.eg.db (%1) is imported and used").arg(installed)
                             : QStringLiteral("no gene identities imported: NCBI Gene from org.Hs.eg.db (%1) is imported and used; for HGNC's, "
                                              "bioforge annotation import-bulk hgnc FILE")
                                   .arg(installed));
        }
    ctx.defineStages({{QStringLiteral("import"), QStringLiteral("Import provider files"), imports.isEmpty() ? 0.0 : 0.3, QStringLiteral("files")},
                      {QStringLiteral("resolve"), QStringLiteral("Resolve the gene list"), 0.05, QStringLiteral("genes")},
                      {QStringLiteral("annotate"), QStringLiteral("Annotate from each source"), 0.85, QStringLiteral("values")},
                      {QStringLiteral("write"), QStringLiteral("Write the tables"), 0.1, QStringLiteral("genes")}});
    ctx.beginStage(QStringLiteral("import"), std::max<qsizetype>(1, imports.size()));
    const StreamControl control{{}, [&ctx] { return ctx.stopRequested(); }};
    for (const QString& file : imports) {
        auto imported = importIfChanged(*library, file, control);
        if (!imported && ctx.stopRequested())
            return stopped(ctx);
        const auto [release, fresh] = orThrow(std::move(imported));
        if (fresh)
            ctx.setMessage(QStringLiteral("imported %1: %2").arg(release.fileName, release.release));
        if (const QString shrink = release.shrinkWarning(); !shrink.isEmpty())
            ctx.warn(shrink);
        ctx.advance();
    }
    GeneResolver resolver = orThrow(GeneResolver::open(*library, m_settings.identity));
    // HGNC's complete set has over 40,000 records; an extract of a few genes (a demo panel, a
    // genenames.org custom download) makes every other gene "unknown" — or another gene's alias
    // (AGT, angiotensinogen, is an alias of AGXT): a complete org.Hs.eg.db in the library is
    // asked about such names; without one the run says so.
    if (resolver.release().source == QLatin1String("hgnc") && resolver.release().rows < GeneResolver::kExtractRows) {
        auto orgdb = orThrow(library->activeRelease(QStringLiteral("orgdb"), QStringLiteral("genes")));
        const bool complete = orgdb && orgdb->rows >= GeneResolver::kExtractRows;
        resolver.setExtract(complete ? orgdb : std::nullopt);
        ctx.warn(QStringLiteral("identity: %1 holds %2 genes, an extract of HGNC's complete set (over 40,000): genes outside it are 'unknown'%3")
                     .arg(resolver.release().release, QString::number(resolver.release().rows),
                          complete ? QStringLiteral(", and a name that is an alias there but another gene's own symbol in %1 is ambiguous; %2"
                                                    "import HGNC's complete set")
                                         .arg(orgdb->release,
                                              m_settings.identity.isEmpty() ? QStringLiteral("--identity orgdb uses %1 (%2 genes), or ").arg(orgdb->release, QString::number(orgdb->rows))
                                                                            : QString())
                                   : QStringLiteral(", and a name that is only an alias or previous symbol there may be another gene's own "
                                                    "symbol (check the renamed names; import org.Hs.eg.db to have them checked: bioforge "
                                                    "annotation import-bulk orgdb), or import HGNC's complete set (bioforge annotation "
                                                    "import-bulk hgnc FILE)")));
    }
    QDir().mkpath(ctx.checkpoints().rootDir());
    QString storeNote;
    auto store = orThrow(RunStore::openChecked(QDir(ctx.checkpoints().rootDir()).filePath(QStringLiteral("progress.sqlite")), &storeNote));
    if (!storeNote.isEmpty())
        ctx.warn(storeNote);

    // The resolution is fixed at the first start: a resume annotates the same genes. Every attempt
    // records the list it annotates (a resume's file was checked against the first start's SHA-256:
    // core/jobs/input_pins.h).
    if (!m_settings.genesFile.isEmpty())
        orThrow(ctx.provenance().addInputFile(QStringLiteral("gene list"), m_settings.genesFile));
    else
        ctx.provenance().addInputData(QStringLiteral("gene list"), m_settings.genesText.toUtf8());
    QList<Resolution> resolutions = orThrow(store->resolutions());
    if (resolutions.isEmpty()) {
        QList<GeneListEntry> entries;
        QString layout;
        if (!m_settings.genesFile.isEmpty()) {
            // The file was just read whole for its pin: while it can still be read, what fails is its
            // content (UTF-16, not a gene list), and a resume, held to the same bytes, would fail the
            // same way. One gone or unreadable since (a sync client, a network share) may come back.
            auto read = readGeneList(m_settings.genesFile, &layout);
            if (!read) {
                if (const QFileInfo now(m_settings.genesFile); now.isFile() && now.isReadable())
                    throw core::JobFailure::needingNewRun(read.error().message());
                throw core::JobFailure(read.error());
            }
            entries = std::move(*read);
        } else {
            entries = parseGeneList(m_settings.genesText, &layout);
            if (entries.isEmpty())
                throw core::JobFailure::needingNewRun(QStringLiteral("annotate: the gene list is empty"));
        }
        if (!layout.isEmpty())
            ctx.warn(QStringLiteral("gene list %1").arg(layout));
        resolutions = resolveGeneList(ctx, resolver, entries);
        orThrow(store->saveResolutions(resolutions));
    } else {
        ctx.beginStage(QStringLiteral("resolve"), resolutions.size());
        ctx.advance(resolutions.size());
    }
    QStringList keys;
    ListContext list;
    for (const Resolution& r : resolutions)
        if (r.status == ResolutionStatus::Resolved) {
            keys << r.key;
            list.symbols.insert(r.symbol);
        }
    warnOfGeneListResolutions(ctx, resolutions);

    // The sources: those with their files imported, and online those with an API.
    QList<SourceTask> tasks;
    QStringList skipped;
    QSet<QString> recorded; // releases in the provenance, by SHA-256
    for (const auto& source : allSources()) {
        const bool asked = m_settings.sources.contains(source->id());
        if (!m_settings.sources.isEmpty() && !asked)
            continue;
        SourceTask task;
        task.source = source;
        QStringList missingRequired;
        for (const BulkPart& part : source->parts()) {
            auto release = orThrow(library->activeRelease(source->id(), part.id));
            if (release)
                task.parts.insert(part.id, *release);
            else if (part.required)
                missingRequired << part.id;
        }
        task.bulkComplete = !task.parts.isEmpty() && missingRequired.isEmpty();
        task.online = !m_settings.offline && source->hasApi();
        if (!task.bulkComplete && !task.online)
            task.missing = QStringLiteral("%1: not imported (%2); bioforge annotation import-bulk %3 FILE%4")
                               .arg(source->title(), (task.parts.isEmpty() ? QStringList{QStringLiteral("no file")} : missingRequired).join(QStringLiteral(", ")),
                                    source->id(), source->hasApi() ? QStringLiteral(", or run online (--offline false)") : QString());
        if (!task.missing.isEmpty() && !asked) {
            skipped << source->id();
            continue;
        }
        for (const ReleaseInfo& part : std::as_const(task.parts)) // what a gene's absence means there
            if (const QString extract = extractWarning(part); !extract.isEmpty())
                ctx.warn(extract);
        if (!task.missing.isEmpty())
            ctx.warn(task.missing);
        tasks << task;
        for (const ReleaseInfo& r : std::as_const(task.parts)) {
            ctx.provenance().addModel({partTitle(*source, r.part), r.release, r.sha256, r.filePath, {}, QString::fromLatin1(kReferenceDataRole), r.size});
            recorded.insert(r.sha256);
        }
    }
    // The release that resolved the gene list is used whichever sources were asked for
    // (annotation.md: the provenance lists every release used).
    if (const ReleaseInfo& identity = resolver.release(); !identity.sha256.isEmpty() && !recorded.contains(identity.sha256))
        if (const auto source = sourceById(identity.source))
            ctx.provenance().addModel({QStringLiteral("gene identities: %1").arg(partTitle(*source, identity.part)), identity.release, identity.sha256,
                                       identity.filePath, {}, QString::fromLatin1(kReferenceDataRole), identity.size});
    if (tasks.isEmpty())
        throw core::JobFailure(QStringLiteral("annotate: no source has its files imported; import some (bioforge annotation import-bulk SOURCE FILE)%1")
                                   .arg(m_settings.offline ? QStringLiteral(" or run online (--offline false)") : QString()));
    // Every source asked for can give nothing (none imported, none online): every value would fail,
    // and a run that "finished" would tell a script all went well.
    if (std::all_of(tasks.begin(), tasks.end(), [](const SourceTask& t) { return !t.missing.isEmpty(); })) {
        QStringList why;
        for (const SourceTask& t : std::as_const(tasks))
            why << t.missing;
        throw core::JobFailure(QStringLiteral("annotate: no source asked for can give a value — %1").arg(why.join(QStringLiteral("; "))));
    }

    // Every (source, gene) pair not stored with a value yet, the sources at once.
    WorkerShared shared;
    shared.settings = &m_settings;
    shared.storePath = QDir(ctx.checkpoints().rootDir()).filePath(QStringLiteral("progress.sqlite"));
    shared.keys = keys;
    shared.done = orThrow(store->done());
    shared.list = list;
    shared.baseUrls = m_settings.apiUrls;
    std::unique_ptr<HttpClient> http;
    std::unique_ptr<ResponseCache> cache;
    if (!m_settings.offline) {
        HttpClientOptions options;
        if (m_settings.retry)
            options.retry = *m_settings.retry;
        auto limits = m_settings.hostLimits ? m_settings.hostLimits : std::make_shared<HostLimits>();
        if (!m_settings.ncbiApiKey.isEmpty()) { // the key goes on E-utilities' requests (wherever they are served) and raises their rate
            const QUrl eutils(m_settings.apiUrls.value(QStringLiteral("clinvar"), QStringLiteral("https://eutils.ncbi.nlm.nih.gov")));
            options.apiKeys.insert(eutils.host(), {QStringLiteral("api_key"), m_settings.ncbiApiKey});
            if (!m_settings.apiUrls.contains(QStringLiteral("clinvar")))
                limits->setPolicy(HostLimits::authority(eutils), {10.0, 1, 3, QStringLiteral("NCBI E-utilities with an API key: 10 requests/s")});
        }
        http = std::make_unique<HttpClient>(limits, options);
        QString cachePath = m_settings.cachePath.isEmpty() && !ctx.cacheDir().isEmpty() ? QDir(ctx.cacheDir()).filePath(QStringLiteral("annotation-cache.sqlite"))
                                                                                        : m_settings.cachePath;
        QString cacheNote;
        cachePath = ResponseCache::setAsideIfDamaged(cachePath, &cacheNote);
        if (!cacheNote.isEmpty())
            ctx.warn(cacheNote);
        cache = std::make_unique<ResponseCache>(cachePath);
        shared.http = http.get();
        shared.cache = cache.get();
    }
    ctx.beginStage(QStringLiteral("annotate"), qint64(keys.size()) * tasks.size());
    qint64 already = 0;
    for (const QString& key : keys)
        for (const SourceTask& t : tasks)
            already += shared.done.contains(t.source->id() + QLatin1Char('\t') + key) ? 1 : 0;
    ctx.advanceReused(already);
    QList<core::Status> results(tasks.size());
    {
        QThreadPool pool;
        pool.setMaxThreadCount(m_settings.offline ? std::max(1, QThread::idealThreadCount()) : int(tasks.size()));
        for (int i = 0; i < tasks.size(); ++i)
            pool.start([&, i] { results[i] = runSourceTask(ctx, tasks[i], shared); });
        pool.waitForDone();
    }
    for (const core::Status& st : results)
        orThrow(st);
    if (ctx.stopRequested())
        return stopped(ctx);

    QJsonObject online;
    if (http) {
        online.insert(QStringLiteral("requests"), http->requestsSent());
        online.insert(QStringLiteral("cache_hits"), cache->hits());
        online.insert(QStringLiteral("cache_misses"), cache->misses());
        QJsonObject breakers;
        for (const SourceTask& t : tasks)
            if (t.online)
                breakers.insert(t.source->id(), stateName(http->breaker(QUrl(shared.baseUrls.value(t.source->id(), QStringLiteral("https://") + t.source->apiHost()))).state()));
        online.insert(QStringLiteral("circuits"), breakers);
        ctx.provenance().addLibrary(QStringLiteral("annotation API"), QStringLiteral("%1 requests, cache %2 hits / %3 misses")
                                                                          .arg(QString::number(http->requestsSent()), QString::number(cache->hits()),
                                                                               QString::number(cache->misses())));
    }
    ctx.beginStage(QStringLiteral("write"), keys.size());
    QList<std::shared_ptr<const AnnotationSource>> sources;
    for (const SourceTask& t : tasks)
        sources << t.source;
    writeAnnotationOutputs(ctx, *store, resolver, resolutions, sources, skipped, online);
    return JobOutcome::Finished;
}

} // namespace bioforge::annotation
