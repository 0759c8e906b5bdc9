#include "pipeline/run_store.h"

#include <QDateTime>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>

namespace bioforge::annotation {
namespace {

const SqliteDb::Schema& schema()
{
    static const SqliteDb::Schema s{
        RunStore::kApplicationId,
        QStringLiteral("annotation run"),
        {{
            QStringLiteral("CREATE TABLE resolution (line INTEGER NOT NULL, position INTEGER PRIMARY KEY, input TEXT NOT NULL, status TEXT NOT NULL,"
                           " via TEXT NOT NULL, key TEXT NOT NULL, symbol TEXT NOT NULL, candidates TEXT NOT NULL, reason TEXT NOT NULL)"),
            QStringLiteral("CREATE TABLE result (source TEXT NOT NULL, gene_key TEXT NOT NULL, status TEXT NOT NULL, joined_on TEXT NOT NULL,"
                           " symbol_fallback INTEGER NOT NULL, value BLOB NOT NULL, releases BLOB NOT NULL, error TEXT NOT NULL,"
                           " fetched_at TEXT NOT NULL, attempts INTEGER NOT NULL, PRIMARY KEY (source, gene_key)) WITHOUT ROWID"),
        }},
    };
    return s;
}

QString text(const QString& s) { return s.isNull() ? QStringLiteral("") : s; }

ResolutionStatus statusFrom(const QString& s)
{
    for (ResolutionStatus r : {ResolutionStatus::Resolved, ResolutionStatus::Ambiguous, ResolutionStatus::Unknown, ResolutionStatus::Withdrawn,
                               ResolutionStatus::Duplicate})
        if (statusName(r) == s)
            return r;
    return ResolutionStatus::Unknown;
}

SourceValue::Status valueStatusFrom(const QString& s)
{
    if (s == QLatin1String("found"))
        return SourceValue::Status::Found;
    if (s == QLatin1String("failed"))
        return SourceValue::Status::Failed;
    return SourceValue::Status::Absent;
}

} // namespace

core::Expected<std::unique_ptr<RunStore>> RunStore::open(const QString& path)
{
    auto db = SqliteDb::open(path, schema());
    if (!db)
        return db.error();
    std::unique_ptr<RunStore> s(new RunStore);
    s->m_db = std::move(*db);
    return s;
}

core::Expected<std::unique_ptr<RunStore>> RunStore::openChecked(const QString& path, QString* note)
{
    const auto damaged = [](const QString& why) {
        return why.contains(QLatin1String("malformed")) || why.contains(QLatin1String("not a database")) || why.contains(QLatin1String("not an SQLite"));
    };
    QString why;
    {
        auto opened = open(path);
        if (!opened && !damaged(opened.error().message()))
            return opened.error();
        if (opened) {
            // quick_check's rows other than "ok" are damage; a query that fails is damage only where
            // SQLite says so (a locked file, a disk I/O error or a full disk may pass: review 68 R68-5).
            auto q = (*opened)->m_db->prepare(QStringLiteral("PRAGMA quick_check"));
            if (!q) {
                if (!damaged(q.error().message()))
                    return q.error();
                why = q.error().message();
            } else if (core::Status st = (*opened)->m_db->run(*q); !st) {
                if (!damaged(st.error().message()))
                    return st.error();
                why = st.error().message();
            } else if (!q->next()) {
                return core::Error(QStringLiteral("%1: PRAGMA quick_check gave no answer").arg(path), core::Error::Kind::Io);
            } else if (q->value(0).toString() == QLatin1String("ok")) {
                return opened;
            } else {
                why = q->value(0).toString();
            }
        } else {
            why = opened.error().message();
        }
    } // closed before it is moved
    const QString aside = path + QStringLiteral(".damaged-") + QDateTime::currentDateTimeUtc().toString(QStringLiteral("yyyyMMddHHmmss"));
    bool moved = QFile::rename(path, aside);
    for (const char* suffix : {"-wal", "-shm"})
        if (QFileInfo::exists(path + QLatin1String(suffix)))
            moved = QFile::rename(path + QLatin1String(suffix), aside + QLatin1String(suffix)) && moved;
    if (!moved)
        return core::Error(QStringLiteral("%1: the run's progress store is damaged (%2) and could not be moved aside: start a new run").arg(path, why),
                           core::Error::Kind::Invalid);
    auto fresh = open(path);
    if (fresh)
        *note = QStringLiteral("the run's progress store %1 was damaged (%2): moved to %3; the annotation starts again from the gene list pinned "
                               "when the run began")
                    .arg(path, why.left(300), aside);
    return fresh;
}

core::Expected<QList<Resolution>> RunStore::resolutions() const
{
    auto q = m_db->prepare(QStringLiteral("SELECT line, input, status, via, key, symbol, candidates, reason FROM resolution ORDER BY position"));
    if (!q)
        return q.error();
    if (auto st = m_db->run(*q); !st)
        return st.error();
    QList<Resolution> out;
    while (q->next()) {
        Resolution r;
        r.line = q->value(0).toLongLong();
        r.input = q->value(1).toString();
        r.status = statusFrom(q->value(2).toString());
        r.via = q->value(3).toString();
        r.key = q->value(4).toString();
        r.symbol = q->value(5).toString();
        r.candidates = q->value(6).toString().split(QLatin1Char('\n'), Qt::SkipEmptyParts);
        r.reason = q->value(7).toString();
        out << r;
    }
    return out;
}

core::Status RunStore::saveResolutions(const QList<Resolution>& all)
{
    if (auto st = m_db->begin(); !st)
        return st;
    auto q = m_db->statement(QStringLiteral("INSERT INTO resolution (line, position, input, status, via, key, symbol, candidates, reason) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"));
    if (!q) {
        m_db->rollback();
        return q.error();
    }
    qint64 position = 0;
    for (const Resolution& r : all)
        if (auto st = m_db->run(**q, {r.line, position++, text(r.input), statusName(r.status), text(r.via), text(r.key), text(r.symbol),
                                      text(r.candidates.join(QLatin1Char('\n'))), text(r.reason)});
            !st) {
            m_db->rollback();
            return st;
        }
    return m_db->commit();
}

core::Expected<QSet<QString>> RunStore::done() const
{
    // Failed pairs are not done: a resume (or the next start) tries them again.
    auto q = m_db->prepare(QStringLiteral("SELECT source, gene_key FROM result WHERE status <> 'failed'"));
    if (!q)
        return q.error();
    if (auto st = m_db->run(*q); !st)
        return st.error();
    QSet<QString> out;
    while (q->next())
        out.insert(q->value(0).toString() + QLatin1Char('\t') + q->value(1).toString());
    return out;
}

core::Status RunStore::store(const QList<StoredValue>& values)
{
    if (values.isEmpty())
        return core::okStatus();
    if (auto st = m_db->begin(); !st)
        return st;
    auto q = m_db->statement(QStringLiteral("INSERT OR REPLACE INTO result (source, gene_key, status, joined_on, symbol_fallback, value, releases, error, fetched_at, attempts)"
                                            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"));
    if (!q) {
        m_db->rollback();
        return q.error();
    }
    for (const StoredValue& v : values)
        if (auto st = m_db->run(**q, {v.source, v.geneKey, statusName(v.value.status), text(v.value.joinedOn), v.value.symbolFallback ? 1 : 0,
                                      QJsonDocument(v.value.value).toJson(QJsonDocument::Compact), QJsonDocument(v.value.releases).toJson(QJsonDocument::Compact),
                                      text(v.value.error), v.fetchedAt.toUTC().toString(Qt::ISODateWithMs), v.attempts});
            !st) {
            m_db->rollback();
            return st;
        }
    return m_db->commit();
}

core::Expected<std::optional<StoredValue>> RunStore::value(const QString& source, const QString& geneKey) const
{
    auto q = m_db->statement(QStringLiteral("SELECT status, joined_on, symbol_fallback, value, releases, error, fetched_at, attempts FROM result"
                                            " WHERE source = ? AND gene_key = ?"));
    if (!q)
        return q.error();
    if (auto st = m_db->run(**q, {source, geneKey}); !st)
        return st.error();
    QSqlQuery& r = **q;
    if (!r.next())
        return std::optional<StoredValue>();
    StoredValue v;
    v.source = source;
    v.geneKey = geneKey;
    v.value.status = valueStatusFrom(r.value(0).toString());
    v.value.joinedOn = r.value(1).toString();
    v.value.symbolFallback = r.value(2).toInt() != 0;
    const QJsonDocument value = QJsonDocument::fromJson(r.value(3).toByteArray());
    const QJsonDocument releases = QJsonDocument::fromJson(r.value(4).toByteArray());
    v.value.error = r.value(5).toString();
    v.fetchedAt = QDateTime::fromString(r.value(6).toString(), Qt::ISODateWithMs);
    v.attempts = r.value(7).toInt();
    r.finish();
    if (!value.isObject() || !releases.isArray())
        return core::Error(QStringLiteral("%1: the stored value of %2 / %3 is damaged").arg(m_db->path(), source, geneKey));
    v.value.value = value.object();
    v.value.releases = releases.array();
    return std::optional<StoredValue>(v);
}

core::Expected<qint64> RunStore::count() const
{
    auto q = m_db->prepare(QStringLiteral("SELECT count(*) FROM result"));
    if (!q)
        return q.error();
    if (auto st = m_db->run(*q); !st || !q->next())
        return core::Error(QStringLiteral("%1: cannot count results").arg(m_db->path()));
    return q->value(0).toLongLong();
}

} // namespace bioforge::annotation
