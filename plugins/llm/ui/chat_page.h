#pragma once

// The chat page: model picker and card, the conversation list, the
// transcript with Markdown rendering and streamed replies, input with Send,
// Stop, Regenerate, Edit and resend, Copy; live tokens/s, context usage and
// a notice when the context was shifted; the settings panel.

#include "plugin/iplugin_ui.h"

#include <QTimer>
#include <QWidget>

class QComboBox;
class QLabel;
class QPlainTextEdit;
class QPushButton;
class QTextBrowser;

namespace bioforge::llm {

class ChatController;
class ConversationPanel;
class SettingsPanel;
struct DeviceChoice;
struct TurnStats;

class ChatPage : public QWidget {
    Q_OBJECT
public:
    ChatPage(const ui::PageContext& context, QWidget* parent = nullptr);
    ChatController& controller() const { return *m_controller; }
    QTextBrowser* transcript() const { return m_transcript; }
    QPlainTextEdit* input() const { return m_input; }
    QLabel* status() const { return m_status; }

private:
    void renderTranscript();
    static QString contextNote(qint64 dropped);
    void updateModelCard();
    void updateButtons();
    DeviceChoice chosenDevice() const; // the device choice's entry (the CPU when it has no other)
    void reloadModelChoices();
    void onTurnFinished(const TurnStats& stats);

    ui::PageContext m_context;
    ChatController* m_controller;
    ConversationPanel* m_conversations;
    SettingsPanel* m_settings;
    QComboBox* m_models;
    QComboBox* m_devices; // where a model is loaded: the CPU, or a GPU the workbench found
    QPushButton* m_load;
    QLabel* m_card;
    QTextBrowser* m_transcript;
    QLabel* m_status;
    QPlainTextEdit* m_input;
    QPushButton* m_send;
    QPushButton* m_stop;
    QPushButton* m_regenerate;
    QPushButton* m_edit;
    QPushButton* m_copy;
    QTimer m_liveTimer;
    bool m_renderPending = false;
    bool m_loadPending = false; // a model load asked for and not yet ended
};

} // namespace bioforge::llm
