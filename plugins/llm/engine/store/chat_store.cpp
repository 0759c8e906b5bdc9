#include "store/chat_store.h"

#include "store/project_store.h"
#include "util/markdown_text.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QSqlError>

#include <charconv>
#include <cmath>
#include <QSqlQuery>
#include <QUuid>
#include <QVariant>

namespace bioforge::llm {

using core::Error;

namespace {

QString now() { return QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs); }
QDateTime parse(const QVariant& v) { return QDateTime::fromString(v.toString(), Qt::ISODateWithMs); }
QString json(const QJsonObject& o) { return QString::fromUtf8(QJsonDocument(o).toJson(QJsonDocument::Compact)); }

core::Status exec(QSqlQuery& q, const QString& what)
{
    if (!q.exec())
        return Error(QStringLiteral("chat store: %1 failed: %2").arg(what, q.lastError().text()));
    return core::okStatus();
}

ConversationSummary summaryFrom(const QSqlQuery& q)
{
    ConversationSummary s;
    s.id = q.value(0).toString();
    s.title = q.value(1).toString();
    s.modelPath = q.value(2).toString();
    s.modelSha256 = q.value(3).toString();
    s.settings = QJsonDocument::fromJson(q.value(4).toString().toUtf8()).object();
    s.createdAt = parse(q.value(5));
    s.updatedAt = parse(q.value(6));
    s.messageCount = q.value(7).toInt();
    return s;
}

const char* kSelectSummary =
    "SELECT c.id, c.title, c.model_path, c.model_sha256, c.settings, c.created_at, c.updated_at,"
    " (SELECT count(*) FROM llm_messages m WHERE m.conversation_id = c.id) FROM llm_conversations c";

// A setting as an option's value: integers whole (a seed of 1234567 is not 1.23457e+06), other
// numbers in the fewest digits that read back the same (a float setting as the float: 0.8, not
// 0.800000011921), the rest as text.
QString optionText(const QJsonValue& v)
{
    if (!v.isDouble())
        return v.toVariant().toString();
    const double d = v.toDouble();
    if (d == std::trunc(d) && std::abs(d) < 9e15)
        return QString::number(v.toInteger());
    char digits[64];
    const float f = float(d);
    const auto written = double(f) == d ? std::to_chars(digits, digits + sizeof digits, f) : std::to_chars(digits, digits + sizeof digits, d);
    return QString::fromLatin1(digits, written.ptr - digits);
}

} // namespace

const QList<QStringList>& ChatStore::migrations()
{
    static const QList<QStringList> list{{
        QStringLiteral("CREATE TABLE llm_conversations (id TEXT PRIMARY KEY, title TEXT NOT NULL, model_path TEXT NOT NULL DEFAULT '',"
                       " model_sha256 TEXT NOT NULL DEFAULT '', settings TEXT NOT NULL DEFAULT '{}', created_at TEXT NOT NULL,"
                       " updated_at TEXT NOT NULL)"),
        QStringLiteral("CREATE TABLE llm_messages (id INTEGER PRIMARY KEY AUTOINCREMENT,"
                       " conversation_id TEXT NOT NULL REFERENCES llm_conversations(id) ON DELETE CASCADE,"
                       " ordinal INTEGER NOT NULL, role TEXT NOT NULL, content TEXT NOT NULL, created_at TEXT NOT NULL,"
                       " tokens INTEGER NOT NULL DEFAULT 0, seconds REAL NOT NULL DEFAULT 0, stop TEXT NOT NULL DEFAULT '')"),
        QStringLiteral("CREATE INDEX llm_messages_conversation ON llm_messages(conversation_id, ordinal)"),
    }, {
        // 2 (2026-12-06): each answer's generation settings.
        QStringLiteral("ALTER TABLE llm_messages ADD COLUMN generation TEXT NOT NULL DEFAULT '{}'"),
    }};
    return list;
}

core::Status ChatStore::ensureSchema()
{
    core::Status made = m_store.ensurePluginSchema(QStringLiteral("llm"), migrations());
    if (made || !m_store.readOnly())
        return made;
    // Read-only, at an earlier version: read what is there (a copy on a read-only share, a project
    // opened by a newer program than wrote it) rather than show no conversation at all.
    QSqlQuery q(m_store.database());
    if (!q.exec(QStringLiteral("SELECT name FROM pragma_table_info('llm_messages')")))
        return made;
    bool messages = false;
    m_generationColumn = false;
    while (q.next()) {
        messages = true;
        m_generationColumn = m_generationColumn || q.value(0).toString() == QLatin1String("generation");
    }
    return messages ? core::okStatus() : made;
}

core::Expected<QString> ChatStore::create(const QString& title, const QString& modelPath, const QString& modelSha256, const QJsonObject& settings)
{
    if (core::Status st = m_store.writable(); !st)
        return st.error();
    const QString id = QUuid::createUuid().toString(QUuid::WithoutBraces);
    QSqlQuery q(m_store.database());
    q.prepare(QStringLiteral("INSERT INTO llm_conversations (id, title, model_path, model_sha256, settings, created_at, updated_at)"
                             " VALUES (?, ?, ?, ?, ?, ?, ?)"));
    const QString t = now();
    for (const QVariant& v : {QVariant(id), QVariant(title), QVariant(modelPath.isNull() ? QStringLiteral("") : modelPath),
                              QVariant(modelSha256.isNull() ? QStringLiteral("") : modelSha256), QVariant(json(settings)), QVariant(t), QVariant(t)})
        q.addBindValue(v);
    if (core::Status st = exec(q, QStringLiteral("create conversation")); !st)
        return st.error();
    return id;
}

core::Expected<QList<ConversationSummary>> ChatStore::list(const QString& search) const
{
    QSqlQuery q(m_store.database());
    QString sql = QString::fromLatin1(kSelectSummary);
    if (!search.isEmpty())
        sql += QStringLiteral(" WHERE c.title LIKE ? ESCAPE '\\' OR EXISTS (SELECT 1 FROM llm_messages m WHERE m.conversation_id = c.id"
                              " AND m.content LIKE ? ESCAPE '\\')");
    sql += QStringLiteral(" ORDER BY c.updated_at DESC");
    q.prepare(sql);
    if (!search.isEmpty()) {
        QString pattern = search;
        pattern.replace(QLatin1String("\\"), QLatin1String("\\\\")).replace(QLatin1String("%"), QLatin1String("\\%")).replace(QLatin1String("_"), QLatin1String("\\_"));
        pattern = QLatin1Char('%') + pattern + QLatin1Char('%');
        q.addBindValue(pattern);
        q.addBindValue(pattern);
    }
    if (core::Status st = exec(q, QStringLiteral("list conversations")); !st)
        return st.error();
    QList<ConversationSummary> out;
    while (q.next())
        out << summaryFrom(q);
    return out;
}

core::Expected<ConversationSummary> ChatStore::conversation(const QString& id) const
{
    QSqlQuery q(m_store.database());
    q.prepare(QString::fromLatin1(kSelectSummary) + QStringLiteral(" WHERE c.id = ?"));
    q.addBindValue(id);
    if (core::Status st = exec(q, QStringLiteral("read conversation")); !st)
        return st.error();
    if (!q.next())
        return Error(QStringLiteral("no conversation with id '%1'").arg(id));
    return summaryFrom(q);
}

core::Expected<QList<StoredMessage>> ChatStore::messages(const QString& id) const
{
    QSqlQuery q(m_store.database());
    q.prepare(QStringLiteral("SELECT ordinal, role, content, created_at, tokens, seconds, stop, %1 FROM llm_messages"
                             " WHERE conversation_id = ? ORDER BY ordinal")
                  .arg(m_generationColumn ? QStringLiteral("generation") : QStringLiteral("'{}'")));
    q.addBindValue(id);
    if (core::Status st = exec(q, QStringLiteral("read messages")); !st)
        return st.error();
    QList<StoredMessage> out;
    while (q.next()) {
        // The column holds the options and, beside them, the tokens a full context dropped.
        QJsonObject generation = QJsonDocument::fromJson(q.value(7).toString().toUtf8()).object();
        const qint64 dropped = generation.take(QLatin1String(StoredMessage::kContextDropped)).toInteger();
        out << StoredMessage{q.value(0).toInt(), q.value(1).toString(), q.value(2).toString(), parse(q.value(3)),
                             q.value(4).toInt(), q.value(5).toDouble(), q.value(6).toString(), generation, dropped};
    }
    return out;
}

core::Status ChatStore::touch(const QString& id)
{
    if (core::Status st = m_store.writable(); !st)
        return st;
    QSqlQuery q(m_store.database());
    q.prepare(QStringLiteral("UPDATE llm_conversations SET updated_at = ? WHERE id = ?"));
    q.addBindValue(now());
    q.addBindValue(id);
    if (core::Status st = exec(q, QStringLiteral("update conversation")); !st)
        return st;
    if (q.numRowsAffected() != 1)
        return Error(QStringLiteral("no conversation with id '%1'").arg(id));
    return core::okStatus();
}

core::Status ChatStore::append(const QString& id, const StoredMessage& m)
{
    if (core::Status st = touch(id); !st)
        return st;
    QSqlQuery q(m_store.database());
    q.prepare(QStringLiteral("INSERT INTO llm_messages (conversation_id, ordinal, role, content, created_at, tokens, seconds, stop, generation)"
                             " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"));
    q.addBindValue(id);
    q.addBindValue(m.ordinal);
    q.addBindValue(m.role);
    q.addBindValue(m.content.isNull() ? QStringLiteral("") : m.content);
    q.addBindValue(m.createdAt.isValid() ? m.createdAt.toUTC().toString(Qt::ISODateWithMs) : now());
    q.addBindValue(m.tokens);
    q.addBindValue(m.seconds);
    q.addBindValue(m.stop.isNull() ? QStringLiteral("") : m.stop);
    QJsonObject column = m.generation;
    if (m.contextDropped > 0)
        column.insert(QLatin1String(StoredMessage::kContextDropped), m.contextDropped);
    q.addBindValue(json(column));
    return exec(q, QStringLiteral("append message"));
}

core::Status ChatStore::truncate(const QString& id, int ordinal)
{
    if (core::Status st = m_store.writable(); !st)
        return st;
    QSqlQuery q(m_store.database());
    q.prepare(QStringLiteral("DELETE FROM llm_messages WHERE conversation_id = ? AND ordinal >= ?"));
    q.addBindValue(id);
    q.addBindValue(ordinal);
    if (core::Status st = exec(q, QStringLiteral("truncate conversation")); !st)
        return st;
    return touch(id);
}

core::Status ChatStore::rename(const QString& id, const QString& title)
{
    if (core::Status st = m_store.writable(); !st)
        return st;
    QSqlQuery q(m_store.database());
    q.prepare(QStringLiteral("UPDATE llm_conversations SET title = ? WHERE id = ?"));
    q.addBindValue(title);
    q.addBindValue(id);
    if (core::Status st = exec(q, QStringLiteral("rename conversation")); !st)
        return st;
    return touch(id);
}

core::Status ChatStore::updateSettings(const QString& id, const QString& modelPath, const QString& modelSha256, const QJsonObject& settings)
{
    if (core::Status st = m_store.writable(); !st)
        return st;
    QSqlQuery q(m_store.database());
    q.prepare(QStringLiteral("UPDATE llm_conversations SET model_path = ?, model_sha256 = ?, settings = ? WHERE id = ?"));
    q.addBindValue(modelPath.isNull() ? QStringLiteral("") : modelPath);
    q.addBindValue(modelSha256.isNull() ? QStringLiteral("") : modelSha256);
    q.addBindValue(json(settings));
    q.addBindValue(id);
    return exec(q, QStringLiteral("update settings"));
}

core::Status ChatStore::remove(const QString& id)
{
    if (core::Status st = m_store.writable(); !st)
        return st;
    QSqlQuery q(m_store.database());
    q.prepare(QStringLiteral("DELETE FROM llm_conversations WHERE id = ?"));
    q.addBindValue(id);
    if (core::Status st = exec(q, QStringLiteral("delete conversation")); !st)
        return st;
    if (q.numRowsAffected() != 1)
        return Error(QStringLiteral("no conversation with id '%1'").arg(id));
    return core::okStatus();
}

core::Expected<QString> ChatStore::exportMarkdown(const QString& id) const
{
    auto c = conversation(id);
    if (!c)
        return c.error();
    auto msgs = messages(id);
    if (!msgs)
        return msgs.error();
    // What the user typed (title, system prompt, questions) is text, shown as typed in any Markdown
    // viewer (it was written raw, and a pasted tag was rendered: trial 22); the answers are Markdown.
    QString md = QStringLiteral("# %1\n\nModel: `%2` (SHA-256 %3)\n\n").arg(core::markdownText(c->title).replace(QLatin1Char('\n'), QLatin1Char(' ')), c->modelPath, c->modelSha256.isEmpty() ? QStringLiteral("unknown") : c->modelSha256);
    // What shaped the answers: the system prompt and the sampling settings of the conversation.
    const QString system = c->settings.value(QStringLiteral("system")).toString();
    if (!system.isEmpty())
        md += QStringLiteral("System prompt:\n\n> %1\n\n").arg(core::markdownText(system).replace(QLatin1Char('\n'), QStringLiteral("\n> ")));
    QStringList sampling;
    for (auto it = c->settings.begin(); it != c->settings.end(); ++it)
        if (it.key() != QLatin1String("system") && !(it.value().isString() && it.value().toString().isEmpty()))
            sampling << QStringLiteral("%1 %2").arg(it.key(), optionText(it.value()));
    if (!sampling.isEmpty()) // the conversation's now; each answer below says those it was generated with
        md += QStringLiteral("Settings at export: %1\n\n").arg(sampling.join(QStringLiteral(", ")));
    for (const StoredMessage& m : *msgs) {
        const QString who = m.role == QLatin1String("user") ? QStringLiteral("You") : m.role == QLatin1String("assistant") ? QStringLiteral("Assistant") : QStringLiteral("System");
        md += QStringLiteral("### %1\n\n%2\n\n").arg(who, m.role == QLatin1String("assistant") ? m.content : core::markdownText(m.content));
        if (m.role == QLatin1String("assistant") && (m.tokens > 0 || !m.stop.isEmpty())) { // an answer stopped before its first token says so too
            QStringList used; // as the command line spells them: `bioforge llm generate … --seed 1 --ctx 2048` gives it again
            for (auto it = m.generation.begin(); it != m.generation.end(); ++it)
                used << QStringLiteral("--%1 %2").arg(it.key(), optionText(it.value()));
            const qint64 dropped = m.contextDropped;
            md += QStringLiteral("*%1 tokens in %2 s%3%4%5*\n\n")
                      .arg(QString::number(m.tokens), QString::number(m.seconds, 'f', 2), m.stop.isEmpty() ? QString() : QStringLiteral(", ended: ") + m.stop,
                           dropped > 0 ? QStringLiteral("; the context was full: the oldest %1 tokens were dropped (the system prompt kept)").arg(dropped) : QString(),
                           used.isEmpty() ? QString() : QStringLiteral("; generated with ") + used.join(QLatin1Char(' ')));
        }
    }
    return md;
}

core::Expected<QJsonObject> ChatStore::exportJson(const QString& id) const
{
    auto c = conversation(id);
    if (!c)
        return c.error();
    auto msgs = messages(id);
    if (!msgs)
        return msgs.error();
    QJsonArray list;
    for (const StoredMessage& m : *msgs) {
        QJsonObject message{{QStringLiteral("role"), m.role}, {QStringLiteral("content"), m.content},
                            {QStringLiteral("createdAt"), m.createdAt.toString(Qt::ISODateWithMs)},
                            {QStringLiteral("tokens"), m.tokens}, {QStringLiteral("seconds"), m.seconds}, {QStringLiteral("stop"), m.stop},
                            {QStringLiteral("generation"), m.generation}};
        if (m.contextDropped > 0)
            message.insert(QLatin1String(StoredMessage::kContextDropped), m.contextDropped);
        list.append(message);
    }
    return QJsonObject{{QStringLiteral("format"), QStringLiteral("bioforge-chat/1")},
                       {QStringLiteral("id"), c->id},
                       {QStringLiteral("title"), c->title},
                       {QStringLiteral("model"), QJsonObject{{QStringLiteral("path"), c->modelPath}, {QStringLiteral("sha256"), c->modelSha256}}},
                       {QStringLiteral("settings"), c->settings},
                       {QStringLiteral("createdAt"), c->createdAt.toString(Qt::ISODateWithMs)},
                       {QStringLiteral("messages"), list}};
}

} // namespace bioforge::llm
