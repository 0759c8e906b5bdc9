// ChatController's conversations (chat_controller.h): listing, opening, renaming, deleting and
// exporting them from the project's chat store; the turns are in chat_controller.cpp.

#include "chat_controller.h"

#include "runs/session.h"
#include "store/project.h"

#include <QDir>

namespace bioforge::llm {

QList<ConversationSummary> ChatController::conversations(const QString& search) const
{
    ChatStore* s = store();
    if (!s)
        return {};
    return s->list(search).valueOr({});
}

std::optional<ConversationSummary> ChatController::conversationSummary(const QString& id) const
{
    ChatStore* s = store();
    if (!s || id.isEmpty())
        return std::nullopt;
    auto c = s->conversation(id);
    return c ? std::optional<ConversationSummary>(*c) : std::nullopt;
}

void ChatController::newConversation()
{
    m_conversation.clear();
    emit transcriptChanged();
    emit conversationSwitched();
}

void ChatController::openConversation(const QString& id)
{
    ChatStore* s = store();
    if (!s)
        return;
    auto c = s->conversation(id);
    if (!c) {
        emit failed(c.error().message());
        return;
    }
    m_conversation = id;
    m_settings = ChatSettings::fromJson(c->settings);
    emit transcriptChanged();
    emit conversationSwitched();
}

void ChatController::renameConversation(const QString& id, const QString& title)
{
    if (ChatStore* s = store(); s)
        if (core::Status st = s->rename(id, title); !st)
            emit failed(st.error().message());
    emit conversationsChanged();
}

void ChatController::deleteConversation(const QString& id)
{
    if (ChatStore* s = store(); s)
        if (core::Status st = s->remove(id); !st)
            emit failed(st.error().message());
    m_engine->dropConversation(id);
    const bool shown = id == m_conversation;
    if (shown)
        m_conversation.clear();
    emit conversationsChanged();
    emit transcriptChanged();
    if (shown)
        emit conversationSwitched();
}

QList<StoredMessage> ChatController::messages() const
{
    ChatStore* s = store();
    if (!s || m_conversation.isEmpty())
        return {};
    return s->messages(m_conversation).valueOr({});
}

QString ChatController::exportFolder() const
{
    const core::Project* project = m_session.project();
    return project ? project->reportsDir() : QString();
}

core::Expected<QString> ChatController::exportMarkdown(const QString& id) const
{
    ChatStore* s = store();
    return s ? s->exportMarkdown(id) : core::Expected<QString>(core::Error(tr("no project is open")));
}

core::Expected<QJsonObject> ChatController::exportJson(const QString& id) const
{
    ChatStore* s = store();
    return s ? s->exportJson(id) : core::Expected<QJsonObject>(core::Error(tr("no project is open")));
}

} // namespace bioforge::llm
