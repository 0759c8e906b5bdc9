#include "pipeline/source_worker.h"

#include "identity/gene_resolver.h"
#include "jobs/job_context.h"
#include "pipeline/run_store.h"

#include <QDateTime>

#include <utility>

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
        m_resolver = std::make_unique<GeneResolver>(std::move(*resolver));
        auto store = RunStore::open(m_shared.storePath);
        if (!store)
            return store.error();
        m_store = std::move(*store);
        m_view = std::make_unique<BulkView>(*m_library, m_task.parts);
        m_online = OnlineContext{m_shared.http, m_shared.baseUrls, [this] { return m_ctx.stopRequested(); }};
        for (const QString& key : m_shared.keys) {
            if (m_shared.done.contains(m_task.source->id() + QLatin1Char('\t') + key))
                continue;
            if (auto st = visit(key, 1); !st)
                return st;
            if (m_ctx.stopRequested()) // honoured between genes: what is done so far is stored below
                return finish();
        }
        if (auto st = askApi(1); !st)
            return st;
        // One more try for each failed gene (the client already retried its requests), then stored as failed.
        const QStringList failed = std::exchange(m_failed, {});
        for (const QString& key : failed) {
            if (m_ctx.stopRequested())
                return finish();
            if (auto st = visit(key, 2); !st)
                return st;
        }
        if (auto st = askApi(2); !st)
            return st;
        return finish();
    }

private:
    StoredValue started(const QString& key) const
    {
        StoredValue v;
        v.source = m_task.source->id();
        v.geneKey = key;
        v.fetchedAt = QDateTime::currentDateTimeUtc();
        return v;
    }

    core::Status failed(StoredValue v, const QString& why, int round)
    {
        noteCircuit();
        v.value.status = SourceValue::Status::Failed;
        v.value.error = why;
        if (v.value.releases.isEmpty())
            v.value.releases = m_view->releasesJson();
        v.attempts = round;
        if (round == 1 && m_task.missing.isEmpty()) {
            m_failed << v.geneKey; // tried again after the pass
            return core::okStatus();
        }
        return add(std::move(v));
    }

    // A breaker that opened (or closed again) is said while the run goes:
    // a warning in the Jobs dock and the log, not only in summary.json.
    void noteCircuit()
    {
        if (!m_shared.http || !m_task.online)
            return;
        const QUrl url(m_shared.baseUrls.value(m_task.source->id(), QStringLiteral("https://") + m_task.source->apiHost()));
        const CircuitBreaker::State now = m_shared.http->breaker(url).state();
        if (now == m_circuit)
            return;
        if (now == CircuitBreaker::State::Open)
            m_ctx.warn(QStringLiteral("%1: the circuit of %2 opened after %3 failed requests in a row; its requests wait %4 s")
                           .arg(m_task.source->id(), url.host(), QString::number(m_shared.http->breaker(url).consecutiveFailures()),
                                QString::number(m_shared.http->breaker(url).retryInMilliseconds() / 1000)));
        m_circuit = now;
    }

    // The files' answer, else the cache's, else the gene waits for an API request.
    core::Status visit(const QString& key, int round)
    {
        StoredValue v = started(key);
        v.attempts = round;
        auto gene = m_resolver->record(key);
        if (!gene)
            return gene.error();
        if (!*gene)
            return failed(v, QStringLiteral("the identity record %1 is missing from the library").arg(key), 2);
        if (!m_task.missing.isEmpty())
            return failed(v, m_task.missing, 2);
        if (m_task.bulkComplete) {
            auto bulk = m_task.source->annotate(**gene, *m_view, m_shared.list);
            if (!bulk)
                return failed(v, bulk.error().message(), round);
            v.value = *bulk;
            if (bulk->status == SourceValue::Status::Found || !m_task.online)
                return add(std::move(v));
        }
        if (m_release.isEmpty()) {
            auto release = m_task.source->apiRelease(m_online);
            if (!release)
                return failed(v, release.error().message(), round);
            m_release = *release;
        }
        auto cached = m_shared.cache ? m_shared.cache->get(cacheSource(), key, m_release) : core::Expected<std::optional<QJsonObject>>(std::nullopt);
        if (!cached)
            return failed(v, cached.error().message(), round);
        if (*cached) {
            v.value = sourceValueFromJson(**cached);
            m_task.source->completeOnline(v.value, **gene, m_shared.list);
            return add(std::move(v));
        }
        m_pending << **gene;
        m_pendingKeys << key;
        // The retry after the pass asks one gene a request: a gene that breaks its batch fails alone.
        const int batch = round == 1 ? std::max(1, m_task.source->apiBatchSize()) : 1;
        return int(m_pending.size()) >= batch ? askApi(round) : core::okStatus();
    }

    // The genes waiting for the API, in one batch request where the API takes batches.
    core::Status askApi(int round)
    {
        if (m_pending.isEmpty())
            return core::okStatus();
        const QList<GeneRecord> genes = std::exchange(m_pending, {});
        const QStringList keys = std::exchange(m_pendingKeys, {});
        const QList<core::Expected<SourceValue>> answers = m_task.source->annotateOnlineBatch(genes, m_online, m_release);
        for (int i = 0; i < genes.size(); ++i) {
            StoredValue v = started(keys[i]);
            v.attempts = round;
            const core::Expected<SourceValue> answer = i < answers.size() ? answers[i] : core::Expected<SourceValue>(core::Error(QStringLiteral("no answer")));
            if (!answer) {
                if (auto st = failed(v, answer.error().message(), round); !st)
                    return st;
                continue;
            }
            v.value = *answer;
            if (m_shared.cache)
                if (auto st = m_shared.cache->put(cacheSource(), keys[i], m_release, sourceValueToJson(*answer), m_task.source->cacheTtlSeconds()); !st)
                    m_ctx.warn(st.error().message()); // a cache that cannot be written costs requests, not results
            m_task.source->completeOnline(v.value, genes[i], m_shared.list);
            if (auto st = add(std::move(v)); !st)
                return st;
        }
        return core::okStatus();
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

    // The cache's name of the source: its id, with the base URL when --api_urls names another server
    // (a mirror's or a test server's answers never stand for the provider's, nor the other way).
    QString cacheSource() const
    {
        const auto it = m_shared.baseUrls.constFind(m_task.source->id());
        return it == m_shared.baseUrls.constEnd() ? m_task.source->id() : m_task.source->id() + QLatin1Char('@') + *it;
    }

    core::JobContext& m_ctx;
    const SourceTask& m_task;
    const WorkerShared& m_shared;
    std::unique_ptr<BulkLibrary> m_library;
    std::unique_ptr<GeneResolver> m_resolver;
    std::unique_ptr<RunStore> m_store;
    std::unique_ptr<BulkView> m_view;
    OnlineContext m_online;
    CircuitBreaker::State m_circuit = CircuitBreaker::State::Closed;
    QString m_release;
    QList<StoredValue> m_batch;
    QList<GeneRecord> m_pending;
    QStringList m_pendingKeys, m_failed;
};

} // namespace

core::Status runSourceTask(core::JobContext& ctx, const SourceTask& task, const WorkerShared& shared) { return Worker(ctx, task, shared).run(); }

} // namespace bioforge::annotation
