#include "pipeline/source_worker.h"

#include "identity/gene_resolver.h"
#include "jobs/job_context.h"
#include "pipeline/run_store.h"

#include <QDateTime>

namespace bioforge::annotation {

QJsonObject sourceValueToJson(const SourceValue& v)
{
    return {{QStringLiteral("status"), statusName(v.status)}, {QStringLiteral("joined_on"), v.joinedOn}, {QStringLiteral("symbol_fallback"), v.symbolFallback},
            {QStringLiteral("value"), v.value},            {QStringLiteral("releases"), v.releases}, {QStringLiteral("error"), v.error}};
}

SourceValue sourceValueFromJson(const QJsonObject& o)
{
    SourceValue v;
    const QString status = o.value(QStringLiteral("status")).toString();
    v.status = status == QLatin1String("found") ? SourceValue::Status::Found
               : status == QLatin1String("failed") ? SourceValue::Status::Failed
                                                   : SourceValue::Status::Absent;
    v.joinedOn = o.value(QStringLiteral("joined_on")).toString();
    v.symbolFallback = o.value(QStringLiteral("symbol_fallback")).toBool();
    v.value = o.value(QStringLiteral("value")).toObject();
    v.releases = o.value(QStringLiteral("releases")).toArray();
    v.error = o.value(QStringLiteral("error")).toString();
    return v;
}

namespace {

class Worker {
public:
    Worker(core::JobContext& ctx, const SourceTask& task, const WorkerShared& shared) : m_ctx(ctx), m_task(task), m_shared(shared) {}

    core::Status run()
    {
        auto library = BulkLibrary::open(m_shared.settings->library); // this thread's connections
        if (!library)
            return library.error();
        m_library = std::move(*library);
        auto resolver = GeneResolver::open(*m_library, m_shared.settings->identity);
        if (!resolver)
            return resolver.error();
        auto store = RunStore::open(m_shared.storePath);
        if (!store)
            return store.error();
        m_store = std::move(*store);
        const BulkView view(*m_library, m_task.parts);
        m_online = OnlineContext{m_shared.http, m_shared.baseUrls, [this] { return m_ctx.stopRequested(); }};
        QStringList failed;
        for (const QString& key : m_shared.keys) {
            if (m_shared.done.contains(m_task.source->id() + QLatin1Char('\t') + key))
                continue;
            auto gene = resolver->record(key);
            if (!gene)
                return gene.error();
            StoredValue v = attempt(*gene, key, view);
            if (v.value.status == SourceValue::Status::Failed && m_task.missing.isEmpty()) {
                failed << key; // tried again after the pass
                continue;
            }
            if (auto st = add(std::move(v)); !st)
                return st;
            if (m_ctx.stopRequested()) // honoured between genes: what is done so far is stored below
                return finish();
        }
        // One more try for each failed gene, then it is stored as failed with its error.
        for (const QString& key : failed) {
            if (m_ctx.stopRequested())
                break;
            auto gene = resolver->record(key);
            if (!gene)
                return gene.error();
            StoredValue v = attempt(*gene, key, view);
            v.attempts = 2;
            if (auto st = add(std::move(v)); !st)
                return st;
        }
        return finish();
    }

private:
    StoredValue attempt(const std::optional<GeneRecord>& gene, const QString& key, const BulkView& view)
    {
        StoredValue v;
        v.source = m_task.source->id();
        v.geneKey = key;
        v.fetchedAt = QDateTime::currentDateTimeUtc();
        auto fail = [&](const QString& why) {
            v.value.status = SourceValue::Status::Failed;
            v.value.error = why;
            if (v.value.releases.isEmpty())
                v.value.releases = view.releasesJson();
            return v;
        };
        if (!gene)
            return fail(QStringLiteral("the identity record %1 is missing from the library").arg(key));
        if (!m_task.missing.isEmpty())
            return fail(m_task.missing);
        if (m_task.bulkComplete) {
            auto bulk = m_task.source->annotate(*gene, view, m_shared.list);
            if (!bulk)
                return fail(bulk.error().message());
            v.value = *bulk;
            if (bulk->status == SourceValue::Status::Found || !m_task.online)
                return v;
        }
        // Online: what the files do not answer, from the provider's API (cached per release).
        if (m_release.isEmpty()) {
            auto release = m_task.source->apiRelease(m_online);
            if (!release)
                return fail(release.error().message());
            m_release = *release;
        }
        auto cached = m_shared.cache ? m_shared.cache->get(m_task.source->id(), key, m_release) : core::Expected<std::optional<QJsonObject>>(std::nullopt);
        if (!cached)
            return fail(cached.error().message());
        if (*cached) {
            v.value = sourceValueFromJson(**cached);
            return v;
        }
        auto answer = m_task.source->annotateOnline(*gene, m_online, m_release);
        if (!answer)
            return fail(answer.error().message());
        v.value = *answer;
        v.fetchedAt = QDateTime::currentDateTimeUtc();
        if (m_shared.cache)
            if (auto st = m_shared.cache->put(m_task.source->id(), key, m_release, sourceValueToJson(*answer), m_task.source->cacheTtlSeconds()); !st)
                m_ctx.warn(st.error().message()); // a cache that cannot be written costs requests, not results
        return v;
    }

    core::Status finish()
    {
        auto st = flush();
        if (m_shared.cache)
            m_shared.cache->closeThisThread();
        return st;
    }

    core::Status add(StoredValue v)
    {
        m_batch << std::move(v);
        return m_batch.size() >= m_shared.settings->batch ? flush() : core::okStatus();
    }

    core::Status flush()
    {
        if (m_batch.isEmpty())
            return core::okStatus();
        if (auto st = m_store->store(m_batch); !st)
            return st;
        m_ctx.advance(m_batch.size());
        m_batch.clear();
        return core::okStatus();
    }

    core::JobContext& m_ctx;
    const SourceTask& m_task;
    const WorkerShared& m_shared;
    std::unique_ptr<BulkLibrary> m_library;
    std::unique_ptr<RunStore> m_store;
    OnlineContext m_online;
    QString m_release;
    QList<StoredValue> m_batch;
};

} // namespace

core::Status runSourceTask(core::JobContext& ctx, const SourceTask& task, const WorkerShared& shared) { return Worker(ctx, task, shared).run(); }

} // namespace bioforge::annotation
