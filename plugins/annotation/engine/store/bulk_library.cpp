#include "store/bulk_library.h"

#include <QDir>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSqlError>

#include <algorithm>

namespace bioforge::annotation {
namespace {

constexpr qint64 kRowsPerTransaction = 20000;

QString text(const QString& s) { return s.isNull() ? QStringLiteral("") : s; }

QByteArray compact(const QJsonObject& o) { return QJsonDocument(o).toJson(QJsonDocument::Compact); }

core::Expected<QJsonObject> parsed(const QByteArray& json, const QString& where)
{
    QJsonParseError e;
    const QJsonDocument d = QJsonDocument::fromJson(json, &e);
    if (e.error != QJsonParseError::NoError || !d.isObject())
        return core::Error(QStringLiteral("%1: a stored value is damaged (%2); import the file again").arg(where, e.errorString()));
    return d.object();
}

const SqliteDb::Schema& schema()
{
    static const SqliteDb::Schema s{
        BulkLibrary::kApplicationId,
        QStringLiteral("annotation library"),
        {{
            QStringLiteral("CREATE TABLE release ("
                           " id INTEGER PRIMARY KEY, source TEXT NOT NULL, part TEXT NOT NULL,"
                           " file_name TEXT NOT NULL, file_path TEXT NOT NULL, url TEXT NOT NULL, sha256 TEXT NOT NULL, size INTEGER NOT NULL,"
                           " release TEXT NOT NULL, last_modified TEXT NOT NULL, etag TEXT NOT NULL,"
                           " imported_at TEXT NOT NULL, rows INTEGER NOT NULL DEFAULT 0, complete INTEGER NOT NULL DEFAULT 0)"),
            QStringLiteral("CREATE INDEX release_part ON release(source, part, complete)"),
            QStringLiteral("CREATE TABLE bulk_value ("
                           " release_id INTEGER NOT NULL REFERENCES release(id) ON DELETE CASCADE,"
                           " id TEXT NOT NULL, symbol TEXT NOT NULL, value BLOB NOT NULL, PRIMARY KEY (release_id, id)) WITHOUT ROWID"),
            QStringLiteral("CREATE INDEX bulk_value_symbol ON bulk_value(release_id, symbol)"),
            QStringLiteral("CREATE TABLE gene ("
                           " release_id INTEGER NOT NULL REFERENCES release(id) ON DELETE CASCADE,"
                           " key TEXT NOT NULL, hgnc_id TEXT NOT NULL, symbol TEXT NOT NULL, ncbi_id TEXT NOT NULL, ensembl_id TEXT NOT NULL,"
                           " record BLOB NOT NULL, PRIMARY KEY (release_id, key)) WITHOUT ROWID"),
            QStringLiteral("CREATE INDEX gene_hgnc ON gene(release_id, hgnc_id)"),
            QStringLiteral("CREATE INDEX gene_ncbi ON gene(release_id, ncbi_id)"),
            QStringLiteral("CREATE INDEX gene_ensembl ON gene(release_id, ensembl_id)"),
            QStringLiteral("CREATE TABLE gene_name ("
                           " release_id INTEGER NOT NULL REFERENCES release(id) ON DELETE CASCADE,"
                           " name TEXT NOT NULL, kind INTEGER NOT NULL, key TEXT NOT NULL)"),
            QStringLiteral("CREATE INDEX gene_name_lookup ON gene_name(release_id, name, kind)"),
        }},
    };
    return s;
}

ReleaseInfo releaseFrom(const QSqlQuery& q)
{
    ReleaseInfo r;
    r.id = q.value(0).toLongLong();
    r.source = q.value(1).toString();
    r.part = q.value(2).toString();
    r.fileName = q.value(3).toString();
    r.filePath = q.value(4).toString();
    r.url = q.value(5).toString();
    r.sha256 = q.value(6).toString();
    r.size = q.value(7).toLongLong();
    r.release = q.value(8).toString();
    r.lastModified = q.value(9).toString();
    r.etag = q.value(10).toString();
    r.importedAt = QDateTime::fromString(q.value(11).toString(), Qt::ISODateWithMs);
    r.rows = q.value(12).toLongLong();
    return r;
}

const char* kReleaseColumns = "id, source, part, file_name, file_path, url, sha256, size, release, last_modified, etag, imported_at, rows";

} // namespace

QJsonObject ReleaseInfo::toJson() const
{
    QJsonObject o{{QStringLiteral("source"), source}, {QStringLiteral("part"), part}, {QStringLiteral("release"), release},
                  {QStringLiteral("file"), fileName}, {QStringLiteral("sha256"), sha256}, {QStringLiteral("size"), size},
                  {QStringLiteral("imported_at"), importedAt.toUTC().toString(Qt::ISODate)}, {QStringLiteral("rows"), rows}};
    if (!url.isEmpty())
        o.insert(QStringLiteral("url"), url);
    if (!lastModified.isEmpty())
        o.insert(QStringLiteral("last_modified"), lastModified);
    if (!etag.isEmpty())
        o.insert(QStringLiteral("etag"), etag);
    return o;
}

QString ReleaseInfo::shrinkWarning() const
{
    if (replacedRows <= 0 || 2 * rows > replacedRows)
        return {};
    return QStringLiteral("%1 %2: the new release has %3 rows, the one it replaced (%4) had %5: if %6 is a partial file (a test extract, a "
                          "transfer that stopped at a line end), import the complete file again")
        .arg(source, part)
        .arg(rows)
        .arg(replacedRelease.isEmpty() ? QStringLiteral("unnamed") : replacedRelease)
        .arg(replacedRows)
        .arg(fileName);
}

QString BulkLibrary::defaultPath(const QString& dataDir) { return QDir(dataDir).filePath(QStringLiteral("annotation/library.sqlite")); }

core::Expected<std::unique_ptr<BulkLibrary>> BulkLibrary::open(const QString& path)
{
    if (!QDir().mkpath(QFileInfo(path).absolutePath()))
        return core::Error(QStringLiteral("%1: cannot create its folder").arg(path));
    auto db = SqliteDb::open(path, schema());
    if (!db)
        return db.error();
    std::unique_ptr<BulkLibrary> lib(new BulkLibrary);
    lib->m_db = std::move(*db);
    return lib;
}

core::Error BulkLibrary::readOnlyError(const QString& path, const QString& what)
{
    return core::Error(QStringLiteral("%1: the annotation library is read-only here (a read-only folder or mount, or this user's permissions): "
                                      "%2 cannot be imported into it. Its owner can import it, or give a library you can write "
                                      "(--library FILE, or bioforge settings set annotation.library FILE)")
                           .arg(path, what),
                       core::Error::Kind::Io);
}

core::Expected<std::unique_ptr<BulkWriter>> BulkLibrary::beginImport(ReleaseInfo draft)
{
    if (m_db->readOnly())
        return readOnlyError(path(), QStringLiteral("%1 %2").arg(draft.source, draft.part));
    // An import that never finished (killed) is dropped; its rows go with it (ON DELETE CASCADE).
    auto drop = m_db->statement(QStringLiteral("DELETE FROM release WHERE source = ? AND part = ? AND complete = 0"));
    if (!drop)
        return drop.error();
    if (auto st = m_db->run(**drop, {draft.source, draft.part}); !st)
        return st.error();
    auto ins = m_db->statement(QStringLiteral("INSERT INTO release (source, part, file_name, file_path, url, sha256, size, release, last_modified, etag, imported_at)"
                                              " VALUES (?, ?, ?, ?, ?, ?, ?, '', ?, ?, ?)"));
    if (!ins)
        return ins.error();
    draft.importedAt = QDateTime::currentDateTimeUtc();
    if (auto st = m_db->run(**ins, {draft.source, draft.part, text(draft.fileName), text(draft.filePath), text(draft.url), text(draft.sha256), draft.size,
                                    text(draft.lastModified), text(draft.etag), draft.importedAt.toString(Qt::ISODateWithMs)});
        !st)
        return st.error();
    draft.id = (*ins)->lastInsertId().toLongLong();
    return std::unique_ptr<BulkWriter>(new BulkWriter(*this, std::move(draft)));
}

BulkWriter::~BulkWriter()
{
    if (m_inTransaction > 0 && !m_finished)
        (void)m_library.db().commit(); // rows stay under the unfinished release, removed by the next import
}

core::Status BulkWriter::flushIfDue()
{
    if (m_inTransaction == 0) {
        if (auto st = m_library.db().begin(); !st)
            return st;
    }
    if (++m_inTransaction >= kRowsPerTransaction) {
        m_inTransaction = 0;
        return m_library.db().commit();
    }
    return core::okStatus();
}

core::Status BulkWriter::put(const QString& id, const QString& symbol, const QJsonObject& value)
{
    if (auto st = flushIfDue(); !st)
        return st;
    auto q = m_library.db().statement(QStringLiteral("INSERT OR REPLACE INTO bulk_value (release_id, id, symbol, value) VALUES (?, ?, ?, ?)"));
    if (!q)
        return q.error();
    if (auto st = m_library.db().run(**q, {m_info.id, text(id), text(symbol), compact(value)}); !st)
        return st;
    ++m_rows;
    return core::okStatus();
}

core::Expected<std::optional<QJsonObject>> BulkWriter::pending(const QString& id) { return m_library.value(m_info.id, id); }

core::Status BulkWriter::putGene(const GeneRecord& g)
{
    if (auto st = flushIfDue(); !st)
        return st;
    SqliteDb& db = m_library.db();
    auto q = db.statement(QStringLiteral("INSERT OR REPLACE INTO gene (release_id, key, hgnc_id, symbol, ncbi_id, ensembl_id, record) VALUES (?, ?, ?, ?, ?, ?, ?)"));
    if (!q)
        return q.error();
    if (auto st = db.run(**q, {m_info.id, text(g.key), text(g.hgncId), text(g.symbol), text(g.ncbiGeneId), text(g.ensemblGeneId), compact(g.toJson())}); !st)
        return st;
    auto n = db.statement(QStringLiteral("INSERT INTO gene_name (release_id, name, kind, key) VALUES (?, ?, ?, ?)"));
    if (!n)
        return n.error();
    auto name = [&](const QString& s, NameKind kind) { return db.run(**n, {m_info.id, s.toUpper(), int(kind), g.key}); };
    if (auto st = name(g.symbol, NameKind::Approved); !st)
        return st;
    for (const QString& s : g.previousSymbols)
        if (auto st = name(s, NameKind::Previous); !st)
            return st;
    for (const QString& s : g.aliasSymbols)
        if (auto st = name(s, NameKind::Alias); !st)
            return st;
    ++m_rows;
    return core::okStatus();
}

core::Expected<ReleaseInfo> BulkWriter::finish(const QString& release)
{
    SqliteDb& db = m_library.db();
    if (m_inTransaction == 0) {
        if (auto st = db.begin(); !st)
            return st.error();
    }
    m_inTransaction = 0;
    auto old = db.statement(QStringLiteral("DELETE FROM release WHERE source = ? AND part = ? AND id <> ?"));
    auto mark = db.statement(QStringLiteral("UPDATE release SET complete = 1, release = ?, rows = ? WHERE id = ?"));
    if (!old || !mark) {
        db.rollback();
        return (!old ? old : mark).error();
    }
    if (auto st = db.run(**old, {m_info.source, m_info.part, m_info.id}); !st) {
        db.rollback();
        return st.error();
    }
    if (auto st = db.run(**mark, {release, m_rows, m_info.id}); !st) {
        db.rollback();
        return st.error();
    }
    if (auto st = db.commit(); !st)
        return st.error();
    m_finished = true;
    m_info.release = release;
    m_info.rows = m_rows;
    return m_info;
}

core::Expected<std::optional<ReleaseInfo>> BulkLibrary::activeRelease(const QString& source, const QString& part) const
{
    auto q = m_db->statement(QStringLiteral("SELECT %1 FROM release WHERE source = ? AND part = ? AND complete = 1 ORDER BY id DESC LIMIT 1")
                                 .arg(QLatin1String(kReleaseColumns)));
    if (!q)
        return q.error();
    if (auto st = m_db->run(**q, {source, part}); !st)
        return st.error();
    std::optional<ReleaseInfo> out;
    if ((*q)->next())
        out = releaseFrom(**q);
    (*q)->finish();
    return out;
}

core::Expected<QList<ReleaseInfo>> BulkLibrary::activeReleases() const
{
    auto q = m_db->prepare(QStringLiteral("SELECT %1 FROM release WHERE complete = 1 ORDER BY source, part").arg(QLatin1String(kReleaseColumns)));
    if (!q)
        return q.error();
    if (auto st = m_db->run(*q); !st)
        return st.error();
    QList<ReleaseInfo> out;
    while (q->next())
        out << releaseFrom(*q);
    return out;
}

core::Expected<std::optional<QJsonObject>> BulkLibrary::value(qint64 releaseId, const QString& id) const
{
    auto q = m_db->statement(QStringLiteral("SELECT value FROM bulk_value WHERE release_id = ? AND id = ?"));
    if (!q)
        return q.error();
    if (auto st = m_db->run(**q, {releaseId, id}); !st)
        return st.error();
    if (!(*q)->next())
        return std::optional<QJsonObject>();
    auto v = parsed((*q)->value(0).toByteArray(), m_db->path());
    (*q)->finish();
    if (!v)
        return v.error();
    return std::optional<QJsonObject>(*v);
}

core::Expected<QString> BulkLibrary::symbolOf(qint64 releaseId, const QString& id) const
{
    auto q = m_db->statement(QStringLiteral("SELECT symbol FROM bulk_value WHERE release_id = ? AND id = ?"));
    if (!q)
        return q.error();
    if (auto st = m_db->run(**q, {releaseId, id}); !st)
        return st.error();
    const QString symbol = (*q)->next() ? (*q)->value(0).toString() : QString();
    (*q)->finish();
    return symbol;
}

core::Expected<QHash<QString, QString>> BulkLibrary::symbolsOf(qint64 releaseId, const QStringList& ids) const
{
    // One statement for any number of ids: they travel as a JSON array (SQLite's json_each).
    auto q = m_db->statement(QStringLiteral("SELECT id, symbol FROM bulk_value WHERE release_id = ? AND id IN (SELECT value FROM json_each(?))"));
    if (!q)
        return q.error();
    if (auto st = m_db->run(**q, {releaseId, QJsonDocument(QJsonArray::fromStringList(ids)).toJson(QJsonDocument::Compact)}); !st)
        return st.error();
    QHash<QString, QString> out;
    while ((*q)->next())
        out.insert((*q)->value(0).toString(), (*q)->value(1).toString());
    return out;
}

core::Expected<QList<std::pair<QString, QJsonObject>>> BulkLibrary::valuesBySymbol(qint64 releaseId, const QString& symbol) const
{
    auto q = m_db->statement(QStringLiteral("SELECT id, value FROM bulk_value INDEXED BY bulk_value_symbol WHERE release_id = ? AND symbol = ?"));
    if (!q)
        return q.error();
    if (auto st = m_db->run(**q, {releaseId, symbol}); !st)
        return st.error();
    QList<std::pair<QString, QJsonObject>> out;
    while ((*q)->next()) {
        auto v = parsed((*q)->value(1).toByteArray(), m_db->path());
        if (!v)
            return v.error();
        out.append({(*q)->value(0).toString(), *v});
    }
    // By id. (Without INDEXED BY, and with ORDER BY, SQLite walks the whole release by its primary key.)
    std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    return out;
}

core::Expected<std::optional<GeneRecord>> BulkLibrary::gene(qint64 releaseId, const QString& key) const
{
    auto q = m_db->statement(QStringLiteral("SELECT record FROM gene WHERE release_id = ? AND key = ?"));
    if (!q)
        return q.error();
    if (auto st = m_db->run(**q, {releaseId, key}); !st)
        return st.error();
    if (!(*q)->next())
        return std::optional<GeneRecord>();
    auto v = parsed((*q)->value(0).toByteArray(), m_db->path());
    (*q)->finish();
    if (!v)
        return v.error();
    return std::optional<GeneRecord>(GeneRecord::fromJson(*v));
}

core::Expected<QStringList> BulkLibrary::keysByName(qint64 releaseId, const QString& name, NameKind kind) const
{
    auto q = m_db->statement(QStringLiteral("SELECT DISTINCT key FROM gene_name WHERE release_id = ? AND name = ? AND kind = ? ORDER BY key"));
    if (!q)
        return q.error();
    if (auto st = m_db->run(**q, {releaseId, name.toUpper(), int(kind)}); !st)
        return st.error();
    QStringList out;
    while ((*q)->next())
        out << (*q)->value(0).toString();
    return out;
}

core::Expected<QStringList> BulkLibrary::keysById(qint64 releaseId, const QString& column, const QString& id) const
{
    if (column != QLatin1String("hgnc_id") && column != QLatin1String("ncbi_id") && column != QLatin1String("ensembl_id"))
        return core::Error(QStringLiteral("keysById: no id column '%1'").arg(column));
    auto q = m_db->statement(QStringLiteral("SELECT key FROM gene WHERE release_id = ? AND %1 = ? ORDER BY key").arg(column));
    if (!q)
        return q.error();
    if (auto st = m_db->run(**q, {releaseId, id}); !st)
        return st.error();
    QStringList out;
    while ((*q)->next())
        out << (*q)->value(0).toString();
    return out;
}

core::Expected<qint64> BulkLibrary::geneCount(qint64 releaseId) const
{
    auto q = m_db->prepare(QStringLiteral("SELECT count(*) FROM gene WHERE release_id = ?"));
    if (!q)
        return q.error();
    if (auto st = m_db->run(*q, {releaseId}); !st || !q->next())
        return core::Error(QStringLiteral("%1: cannot count genes").arg(m_db->path()));
    return q->value(0).toLongLong();
}

} // namespace bioforge::annotation
