#pragma once

// Chat settings with sane defaults: system prompt, sampling (temperature,
// top-k, top-p, min-p, repetition penalty, seed), reply length, and the chat
// template (the model's, shown; or an override in JSON).

#include "chat_settings.h"

#include <QWidget>

class QDoubleSpinBox;
class QPlainTextEdit;
class QSpinBox;

namespace bioforge::llm {

class SettingsPanel : public QWidget {
    Q_OBJECT
public:
    explicit SettingsPanel(QWidget* parent = nullptr);
    ChatSettings settings() const;
    void setSettings(const ChatSettings& settings);
    void showModelTemplate(const QString& json);
    // The loaded model's own context length (0: none loaded): the Context box goes no higher, and a
    // value above it comes down to it, said as a change (it showed 4096 for a 1024-token model, and
    // exports recorded 4096: trial 22 T22-15).
    void setModelContext(int tokens);

signals:
    void changed();

private:
    QPlainTextEdit* m_system;
    QDoubleSpinBox* m_temperature;
    QSpinBox* m_topK;
    QDoubleSpinBox* m_topP;
    QDoubleSpinBox* m_minP;
    QDoubleSpinBox* m_repeat;
    QSpinBox* m_seed;
    QSpinBox* m_maxTokens;
    QSpinBox* m_context;
    QPlainTextEdit* m_template;
};

} // namespace bioforge::llm
