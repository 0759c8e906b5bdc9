#pragma once

// Answers of the providers' APIs kept for the next run: L1 an in-memory LRU
// bounded by entries and bytes, L2 an SQLite file in the project's cache
// folder. An entry is keyed by (source, gene, provider release) — the source
// named with its server when --api_urls gives another (source_worker.cpp) — and expires
// after the source's TTL; an answer under a new release invalidates the
// source's entries of older releases. Hits and misses are counted for the
// run's provenance. Thread-safe: each thread gets its own L2 connection.

#include "store/sqlite_db.h"
#include "util/expected.h"

#include <QHash>
#include <QJsonObject>
#include <QString>

#include <atomic>
#include <list>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>

namespace bioforge::annotation {

class ResponseCache {
public:
    static constexpr int kApplicationId = 0x42464143; // "BFAC"
    struct Options {
        int maxEntries = 20000;
        qint64 maxBytes = qint64(64) << 20;
    };
    // `path` empty: L1 only.
    explicit ResponseCache(QString path, Options options);
    ResponseCache(QString path) : ResponseCache(std::move(path), Options{}) {}
    ~ResponseCache();

    // A cache file SQLite cannot read (cut short by a crash or a full disk) would fail every value
    // of every online run: it is moved aside (`<file>.damaged-<time>`, with its -wal and -shm) and
    // a new one made. A file that is a database but not this cache (another BioForge file, a newer
    // cache), one that is no SQLite file at all, one this user cannot write, or one that cannot be
    // opened otherwise is left alone. Returns the path to use — `path`, or
    // empty (memory only) — and, in `note`, what was done.
    static QString setAsideIfDamaged(const QString& path, QString* note);

    core::Expected<std::optional<QJsonObject>> get(const QString& source, const QString& gene, const QString& release);
    core::Status put(const QString& source, const QString& gene, const QString& release, const QJsonObject& value, qint64 ttlSeconds);
    // Closes the calling thread's L2 connection (a worker calls it before it ends).
    void closeThisThread();
    qint64 hits() const { return m_hits.load(); }
    qint64 misses() const { return m_misses.load(); }

private:
    core::Expected<SqliteDb*> l2();
    void remember(const QString& key, const QByteArray& value);

    QString m_path;
    Options m_options;
    std::mutex m_mutex;
    std::list<std::pair<QString, QByteArray>> m_lru; // front = most recent
    QHash<QString, std::list<std::pair<QString, QByteArray>>::iterator> m_index;
    qint64 m_bytes = 0;
    std::map<std::thread::id, std::unique_ptr<SqliteDb>> m_connections;
    QHash<QString, QString> m_releaseSeen; // source -> release whose older entries were dropped
    std::atomic<qint64> m_hits{0}, m_misses{0};
};

} // namespace bioforge::annotation
