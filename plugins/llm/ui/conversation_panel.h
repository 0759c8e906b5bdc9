#pragma once

// The list of the project's conversations: search, open, rename, delete, and
// export to Markdown or JSON. Rename, Delete and Export act on the conversation
// shown (the list highlights it; none after New), and Delete asks first.

#include <QWidget>

#include <functional>

class QLineEdit;
class QListWidget;

namespace bioforge::llm {

class ChatController;

class ConversationPanel : public QWidget {
    Q_OBJECT
public:
    ConversationPanel(ChatController& controller, QWidget* parent = nullptr);
    void reload();
    QListWidget* list() const { return m_list; }
    // Replaces Delete's question (tests answer it; the default asks in a message box): true deletes.
    void setDeleteQuestion(std::function<bool(const QString& title, int messages)> ask) { m_askDelete = std::move(ask); }

signals:
    void message(const QString& text);

private:
    QString shownId() const;
    // The list's highlight and the buttons follow the conversation shown.
    void followShown();
    void deleteShown();
    void exportShown(bool markdown);

    ChatController& m_controller;
    QLineEdit* m_search;
    QListWidget* m_list;
    QList<QWidget*> m_actOnShown; // Rename, Delete, the exports
    std::function<bool(const QString& title, int messages)> m_askDelete;
    bool m_following = false; // the list's highlight being set to the shown conversation (not a user's choice)
};

} // namespace bioforge::llm
