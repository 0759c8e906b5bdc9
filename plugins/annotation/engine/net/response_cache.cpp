#include "net/response_cache.h"

#include "io/content_sniffer.h"

#include "store/sqlite_read_only.h"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QSqlQuery>

namespace bioforge::annotation {
namespace {

const SqliteDb::Schema& schema()
{
    static const SqliteDb::Schema s{ResponseCache::kApplicationId,
                                    QStringLiteral("annotation cache"),
                                    {{QStringLiteral("CREATE TABLE entry (key TEXT PRIMARY KEY, source TEXT NOT NULL, release TEXT NOT NULL, value BLOB NOT NULL,"
                                                     " stored_at INTEGER NOT NULL, expires_at INTEGER NOT NULL)"),
                                      QStringLiteral("CREATE INDEX entry_source ON entry(source, release)")}}};
    return s;
}

QString keyOf(const QString& source, const QString& gene, const QString& release) { return source + QLatin1Char('\x1f') + gene + QLatin1Char('\x1f') + release; }

} // namespace

ResponseCache::ResponseCache(QString path, Options options) : m_path(std::move(path)), m_options(options) {}

ResponseCache::~ResponseCache() = default;

QString ResponseCache::setAsideIfDamaged(const QString& path, QString* note)
{
    if (path.isEmpty() || !QFileInfo::exists(path))
        return path;
    // One that cannot be written here would be read in immutable mode, and every answer stored warned about.
    if (core::readOnlyPlace(path)) {
        *note = QStringLiteral("the API cache %1 is read-only here (a read-only folder or mount, or this user's permissions): this run keeps its "
                               "answers in memory only")
                    .arg(path);
        return QString();
    }
    QString why;
    {
        auto db = SqliteDb::open(path, schema());
        if (db)
            return path;
        why = db.error().message();
    }
    // Only an SQLite file SQLite cannot read is damage; a file that is no SQLite file at all (a
    // gene list given as --cache by mistake), another BioForge file, a newer cache, a busy or
    // unreadable file is left as it is (memory only, said).
    QByteArray header;
    if (QFile f(path); f.open(QIODevice::ReadOnly))
        header = f.read(16);
    if (!core::looksLikeSqlite(header)) {
        *note = QStringLiteral("the API cache %1 is not a cache (it does not start as an SQLite file does): it is left as it is, and this run keeps "
                               "its answers in memory only; give --cache a new file name, or leave it out for the default")
                    .arg(path);
        return QString();
    }
    if (!why.contains(QLatin1String("not an SQLite database")) && !why.contains(QLatin1String("malformed"))) {
        *note = QStringLiteral("the API cache cannot be used (%1): this run keeps its answers in memory only").arg(why);
        return QString();
    }
    const QString aside = path + QStringLiteral(".damaged-") + QDateTime::currentDateTimeUtc().toString(QStringLiteral("yyyyMMddHHmmss"));
    bool moved = QFile::rename(path, aside);
    for (const char* suffix : {"-wal", "-shm"})
        if (QFileInfo::exists(path + QLatin1String(suffix)))
            moved = QFile::rename(path + QLatin1String(suffix), aside + QLatin1String(suffix)) && moved;
    if (moved && SqliteDb::open(path, schema())) {
        *note = QStringLiteral("the API cache could not be opened (%1): it was moved to %2 and a new one is made; the providers are asked again").arg(why, aside);
        return path;
    }
    *note = QStringLiteral("the API cache could not be opened (%1) nor replaced: this run keeps its answers in memory only").arg(why);
    return QString();
}

core::Expected<SqliteDb*> ResponseCache::l2()
{
    // Called with m_mutex held.
    auto it = m_connections.find(std::this_thread::get_id());
    if (it == m_connections.end()) {
        QDir().mkpath(QFileInfo(m_path).absolutePath());
        auto db = SqliteDb::open(m_path, schema());
        if (!db)
            return db.error();
        it = m_connections.emplace(std::this_thread::get_id(), std::move(*db)).first;
    }
    return it->second.get();
}

void ResponseCache::remember(const QString& key, const QByteArray& value)
{
    if (auto it = m_index.find(key); it != m_index.end()) {
        m_bytes -= (*it)->second.size();
        m_lru.erase(*it);
        m_index.erase(it);
    }
    m_lru.emplace_front(key, value);
    m_index.insert(key, m_lru.begin());
    m_bytes += value.size();
    while (!m_lru.empty() && (int(m_lru.size()) > m_options.maxEntries || m_bytes > m_options.maxBytes)) {
        m_bytes -= m_lru.back().second.size();
        m_index.remove(m_lru.back().first);
        m_lru.pop_back();
    }
}

void ResponseCache::closeThisThread()
{
    std::lock_guard lock(m_mutex);
    m_connections.erase(std::this_thread::get_id());
}

core::Expected<std::optional<QJsonObject>> ResponseCache::get(const QString& source, const QString& gene, const QString& release)
{
    const QString key = keyOf(source, gene, release);
    std::lock_guard lock(m_mutex);
    QByteArray bytes;
    if (auto it = m_index.find(key); it != m_index.end()) {
        m_lru.splice(m_lru.begin(), m_lru, *it); // most recent
        bytes = (*it)->second;
    } else if (!m_path.isEmpty()) {
        auto db = l2();
        if (!db)
            return db.error();
        auto q = (*db)->statement(QStringLiteral("SELECT value FROM entry WHERE key = ? AND expires_at > ?"));
        if (!q)
            return q.error();
        if (auto st = (*db)->run(**q, {key, QDateTime::currentSecsSinceEpoch()}); !st)
            return st.error();
        if ((*q)->next())
            bytes = (*q)->value(0).toByteArray();
        (*q)->finish();
        if (!bytes.isEmpty())
            remember(key, bytes);
    }
    if (bytes.isEmpty()) {
        ++m_misses;
        return std::optional<QJsonObject>();
    }
    const QJsonDocument d = QJsonDocument::fromJson(bytes);
    if (!d.isObject()) {
        ++m_misses;
        return std::optional<QJsonObject>(); // a damaged entry is fetched again
    }
    ++m_hits;
    return std::optional<QJsonObject>(d.object());
}

core::Status ResponseCache::put(const QString& source, const QString& gene, const QString& release, const QJsonObject& value, qint64 ttlSeconds)
{
    const QString key = keyOf(source, gene, release);
    const QByteArray bytes = QJsonDocument(value).toJson(QJsonDocument::Compact);
    std::lock_guard lock(m_mutex);
    remember(key, bytes);
    if (m_path.isEmpty())
        return core::okStatus();
    auto db = l2();
    if (!db)
        return db.error();
    if (m_releaseSeen.value(source) != release) { // a new release: the older answers are stale
        auto drop = (*db)->statement(QStringLiteral("DELETE FROM entry WHERE source = ? AND release <> ?"));
        if (!drop)
            return drop.error();
        if (auto st = (*db)->run(**drop, {source, release}); !st)
            return st;
        m_releaseSeen.insert(source, release);
    }
    auto q = (*db)->statement(QStringLiteral("INSERT OR REPLACE INTO entry (key, source, release, value, stored_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)"));
    if (!q)
        return q.error();
    const qint64 now = QDateTime::currentSecsSinceEpoch();
    return (*db)->run(**q, {key, source, release, bytes, now, now + ttlSeconds});
}

} // namespace bioforge::annotation
