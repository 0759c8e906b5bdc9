#pragma once

// Conversations in the project database: title, model (path and SHA-256),
// settings, and messages with their timings. Listed newest first, searchable
// (titles and message text), renameable, deletable, and exported to Markdown
// and JSON. Uses the store's connection: one ChatStore per thread.

#include "util/expected.h"

#include <QDateTime>
#include <QJsonObject>
#include <QList>
#include <QString>

namespace bioforge::core {
class ProjectStore;
}

namespace bioforge::llm {

struct StoredMessage {
    int ordinal = 0;
    QString role;
    QString content;
    QDateTime createdAt;
    int tokens = 0;
    double seconds = 0;
    QString stop;
    // An answer's: the settings it was generated with, by the command line's option names (seed,
    // ctx, n, temp, top-k, top-p, min-p, repeat-penalty), so that an export reproduces it; empty
    // for a question and for answers stored before they were kept.
    QJsonObject generation{};
    // An answer's: the tokens shifted out of a full context while it was written (0: none). Not
    // an option, so not in generation (review 64 F12); the JSON export's `context_dropped`.
    qint64 contextDropped = 0;
    static constexpr const char* kContextDropped = "context_dropped";
};

struct ConversationSummary {
    QString id;
    QString title;
    QString modelPath;
    QString modelSha256;
    QJsonObject settings;
    QDateTime createdAt;
    QDateTime updatedAt;
    int messageCount = 0;
};

class ChatStore {
public:
    explicit ChatStore(core::ProjectStore& store) : m_store(store) {}
    static const QList<QStringList>& migrations();
    // The tables made or brought up to date. A read-only project whose tables an earlier version
    // made (before `llm_messages.generation`) is read as it is: its answers have no generation
    // settings. Errors: tables that cannot be made or updated where they are not there to read.
    core::Status ensureSchema();

    core::Expected<QString> create(const QString& title, const QString& modelPath, const QString& modelSha256, const QJsonObject& settings);
    core::Expected<QList<ConversationSummary>> list(const QString& search = {}) const;
    core::Expected<ConversationSummary> conversation(const QString& id) const;
    core::Expected<QList<StoredMessage>> messages(const QString& id) const;
    core::Status append(const QString& id, const StoredMessage& message);
    // Drops the messages from `ordinal` on (regenerate, edit and resend).
    core::Status truncate(const QString& id, int ordinal);
    core::Status rename(const QString& id, const QString& title);
    core::Status updateSettings(const QString& id, const QString& modelPath, const QString& modelSha256, const QJsonObject& settings);
    core::Status remove(const QString& id);

    core::Expected<QString> exportMarkdown(const QString& id) const;
    core::Expected<QJsonObject> exportJson(const QString& id) const;

private:
    core::Status touch(const QString& id);
    core::ProjectStore& m_store;
    bool m_generationColumn = true; // false: tables of migration 1, read-only
};

} // namespace bioforge::llm
