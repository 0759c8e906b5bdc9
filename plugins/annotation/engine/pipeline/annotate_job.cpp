#include "pipeline/annotate_job.h"

#include "checkpoint/checkpoint_store.h"
#include "identity/gene_list.h"
#include "identity/gene_resolver.h"
#include "identity/orgdb.h"
#include "jobs/job_context.h"
#include "pipeline/annotation_outputs.h"
#include "pipeline/bulk_import.h"
#include "pipeline/run_store.h"
#include "provenance/provenance_recorder.h"

#include <QDir>
#include <QFileInfo>
#include <QHash>

namespace bioforge::annotation {

using core::JobOutcome;
using core::orThrow;

namespace {

JobOutcome stopped(const core::JobContext& ctx) { return ctx.stopRequest() == core::StopRequest::Pause ? JobOutcome::Paused : JobOutcome::Cancelled; }

// Inputs to resolutions; a repeated input or a second name for the same gene is a duplicate of its first line.
QList<Resolution> resolveAll(core::JobContext& ctx, const GeneResolver& resolver, const QList<GeneListEntry>& entries)
{
    ctx.beginStage(QStringLiteral("resolve"), entries.size());
    QList<Resolution> out;
    QHash<QString, qint64> firstLineOfInput, firstLineOfGene;
    QHash<QString, QString> inputOfGene;
    for (const GeneListEntry& e : entries) {
        const QString folded = e.text.toUpper();
        if (firstLineOfInput.contains(folded)) {
            Resolution d;
            d.input = e.text;
            d.line = e.line;
            d.status = ResolutionStatus::Duplicate;
            d.reason = QStringLiteral("repeats line %1").arg(firstLineOfInput.value(folded));
            out << d;
            ctx.advance();
            continue;
        }
        firstLineOfInput.insert(folded, e.line);
        Resolution r = orThrow(resolver.resolve(e.text));
        r.line = e.line;
        if (r.status == ResolutionStatus::Resolved) {
            if (firstLineOfGene.contains(r.key)) {
                r.status = ResolutionStatus::Duplicate;
                r.reason = QStringLiteral("the same gene (%1) as '%2' on line %3").arg(r.symbol, inputOfGene.value(r.key)).arg(firstLineOfGene.value(r.key));
            } else {
                firstLineOfGene.insert(r.key, e.line);
                inputOfGene.insert(r.key, e.text);
            }
        }
        out << r;
        ctx.advance();
    }
    return out;
}

struct ActiveSource {
    std::shared_ptr<const AnnotationSource> source;
    BulkView view;
    QString missing; // non-empty: cannot annotate, and why
};

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
    ctx.defineStages({{QStringLiteral("import"), QStringLiteral("Import provider files"), imports.isEmpty() ? 0.0 : 0.3, QStringLiteral("files")},
                      {QStringLiteral("resolve"), QStringLiteral("Resolve the gene list"), 0.05, QStringLiteral("genes")},
                      {QStringLiteral("annotate"), QStringLiteral("Annotate from each source"), 0.85, QStringLiteral("values")},
                      {QStringLiteral("write"), QStringLiteral("Write the tables"), 0.1, QStringLiteral("genes")}});
    if (!m_settings.offline)
        throw core::JobFailure(QStringLiteral("annotate: online lookups (the providers' APIs) are not in this version; import the bulk files "
                                              "(bioforge annotation import-bulk SOURCE FILE) and run with --offline"));
    if (m_settings.library.isEmpty())
        throw core::JobFailure(QStringLiteral("annotate: no annotation library given"));
    auto library = orThrow(BulkLibrary::open(m_settings.library));
    ctx.beginStage(QStringLiteral("import"), std::max<qsizetype>(1, imports.size()));
    const StreamControl control{{}, [&ctx] { return ctx.stopRequested(); }};
    for (const QString& file : imports) {
        auto imported = importIfChanged(*library, file, control);
        if (!imported && ctx.stopRequested())
            return stopped(ctx);
        const auto [release, fresh] = orThrow(std::move(imported));
        if (fresh)
            ctx.setMessage(QStringLiteral("imported %1: %2").arg(release.fileName, release.release));
        ctx.advance();
    }
    const GeneResolver resolver = orThrow(GeneResolver::open(*library, m_settings.identity));
    QDir().mkpath(ctx.checkpoints().rootDir());
    auto store = orThrow(RunStore::open(QDir(ctx.checkpoints().rootDir()).filePath(QStringLiteral("progress.sqlite"))));

    // The resolution is fixed at the first start: a resume annotates the same genes.
    QList<Resolution> resolutions = orThrow(store->resolutions());
    if (resolutions.isEmpty()) {
        QList<GeneListEntry> entries;
        if (!m_settings.genesFile.isEmpty()) {
            orThrow(ctx.provenance().addInputFile(QStringLiteral("gene list"), m_settings.genesFile));
            entries = orThrow(readGeneList(m_settings.genesFile));
        } else {
            ctx.provenance().addInputData(QStringLiteral("gene list"), m_settings.genesText.toUtf8());
            entries = parseGeneList(m_settings.genesText);
            if (entries.isEmpty())
                throw core::JobFailure(QStringLiteral("annotate: the gene list is empty"));
        }
        resolutions = resolveAll(ctx, resolver, entries);
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
    for (const Resolution& r : resolutions)
        if (r.status != ResolutionStatus::Resolved && r.status != ResolutionStatus::Duplicate)
            ctx.warn(QStringLiteral("gene list line %1: %2").arg(r.line).arg(r.reason));

    // The sources and the releases of their files.
    QList<ActiveSource> active;
    QStringList skipped;
    for (const auto& source : allSources()) {
        const bool asked = m_settings.sources.contains(source->id());
        if (!m_settings.sources.isEmpty() && !asked)
            continue;
        QHash<QString, ReleaseInfo> parts;
        QStringList missingRequired;
        for (const BulkPart& part : source->parts()) {
            auto release = orThrow(library->activeRelease(source->id(), part.id));
            if (release)
                parts.insert(part.id, *release);
            else if (part.required)
                missingRequired << part.id;
        }
        QString missing;
        if (parts.isEmpty() || !missingRequired.isEmpty())
            missing = QStringLiteral("%1: not imported (%2); bioforge annotation import-bulk %3 FILE")
                          .arg(source->title(), (parts.isEmpty() ? QStringList{QStringLiteral("no file")} : missingRequired).join(QStringLiteral(", ")), source->id());
        if (!missing.isEmpty() && !asked) {
            skipped << source->id();
            continue;
        }
        if (!missing.isEmpty())
            ctx.warn(missing);
        active.append({source, BulkView(*library, parts), missing});
        for (const ReleaseInfo& r : parts)
            ctx.provenance().addModel({QStringLiteral("%1 %2").arg(source->title(), r.part), r.release, r.sha256, r.filePath});
    }
    if (active.isEmpty())
        throw core::JobFailure(QStringLiteral("annotate: no source has its files imported; import some (bioforge annotation import-bulk SOURCE FILE)"));

    // Every (source, gene) pair not stored yet; stored in batches with their completion.
    const QSet<QString> done = orThrow(store->done());
    ctx.beginStage(QStringLiteral("annotate"), qint64(keys.size()) * active.size());
    qint64 already = 0;
    for (const QString& key : keys)
        for (const ActiveSource& a : active)
            already += done.contains(a.source->id() + QLatin1Char('\t') + key) ? 1 : 0;
    ctx.advance(already);
    QList<StoredValue> batch;
    auto flush = [&] {
        orThrow(store->store(batch));
        ctx.advance(batch.size());
        batch.clear();
    };
    qint64 genesDone = 0;
    for (const QString& key : keys) {
        const std::optional<GeneRecord> gene = orThrow(resolver.record(key));
        for (const ActiveSource& a : active) {
            if (done.contains(a.source->id() + QLatin1Char('\t') + key))
                continue;
            StoredValue v;
            v.source = a.source->id();
            v.geneKey = key;
            if (!gene) {
                v.value.status = SourceValue::Status::Failed;
                v.value.error = QStringLiteral("the identity record %1 is missing from the library").arg(key);
            } else if (!a.missing.isEmpty()) {
                v.value.status = SourceValue::Status::Failed;
                v.value.error = a.missing;
            } else {
                core::Expected<SourceValue> value = a.source->annotate(*gene, a.view, list);
                if (!value) { // one retry, then the gene is recorded as failed and the others go on
                    v.attempts = 2;
                    value = a.source->annotate(*gene, a.view, list);
                }
                if (value) {
                    v.value = *value;
                } else {
                    v.value.status = SourceValue::Status::Failed;
                    v.value.error = value.error().message();
                    v.value.releases = a.view.releasesJson();
                }
            }
            v.fetchedAt = QDateTime::currentDateTimeUtc();
            batch << v;
        }
        if (batch.size() >= m_settings.batch)
            flush();
        ++genesDone;
        if (ctx.stopRequested()) {
            flush();
            return stopped(ctx);
        }
        if (genesDone % 50 == 0)
            ctx.setMessage(QStringLiteral("%1 of %2 genes").arg(genesDone).arg(keys.size()));
    }
    flush();

    ctx.beginStage(QStringLiteral("write"), keys.size());
    QList<std::shared_ptr<const AnnotationSource>> sources;
    for (const ActiveSource& a : active)
        sources << a.source;
    writeAnnotationOutputs(ctx, *store, resolver, resolutions, sources, skipped);
    return JobOutcome::Finished;
}

} // namespace bioforge::annotation
