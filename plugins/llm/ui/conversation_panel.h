#pragma once

// The list of the project's conversations: search, open, rename, delete, and
// export to Markdown or JSON.

#include <QWidget>

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

signals:
    void message(const QString& text);

private:
    QString selectedId() const;
    void exportSelected(bool markdown);

    ChatController& m_controller;
    QLineEdit* m_search;
    QListWidget* m_list;
};

} // namespace bioforge::llm
