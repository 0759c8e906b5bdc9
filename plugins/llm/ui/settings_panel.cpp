#include "settings_panel.h"

#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QLabel>
#include <QPlainTextEdit>
#include <QSpinBox>

namespace bioforge::llm {

SettingsPanel::SettingsPanel(QWidget* parent) : QWidget(parent)
{
    m_system = new QPlainTextEdit(this);
    m_system->setTabChangesFocus(true); // Tab moves on, as everywhere else
    m_system->setMaximumHeight(90);
    auto spin = [this](double lo, double hi, double step, int decimals) {
        auto* s = new QDoubleSpinBox(this);
        s->setRange(lo, hi);
        s->setSingleStep(step);
        s->setDecimals(decimals);
        return s;
    };
    m_temperature = spin(0, 5, 0.1, 2);
    m_temperature->setObjectName(QStringLiteral("temperature"));
    m_topK = new QSpinBox(this);
    m_topK->setRange(0, 100000);
    m_topP = spin(0, 1, 0.05, 2);
    m_minP = spin(0, 1, 0.01, 3);
    m_repeat = spin(0.5, 3, 0.05, 2);
    m_seed = new QSpinBox(this);
    m_seed->setRange(0, 2147483647);
    m_maxTokens = new QSpinBox(this);
    m_maxTokens->setRange(1, 1 << 20);
    m_context = new QSpinBox(this);
    m_context->setObjectName(QStringLiteral("contextSize"));
    m_context->setRange(16, 1 << 20);
    m_context->setSingleStep(1024);
    m_context->setToolTip(tr("How many tokens of the conversation the model reads at once (llama.cpp's --ctx): at most the model's own context "
                             "length; when it is full the oldest turns are dropped, the system prompt kept. A larger one takes more memory "
                             "(the KV cache)."));
    m_template = new QPlainTextEdit(this);
    m_template->setTabChangesFocus(true); // Tab moves on, as everywhere else
    m_template->setPlaceholderText(tr("Empty: the model's own chat format. Or JSON, e.g. "
                                      "{\"user\": \"Q: {content}\\n\", \"assistant\": \"A: {content}\\n\", \"generation\": \"A:\", \"stop\": [\"Q:\"]}"));
    auto* form = new QFormLayout(this);
    form->addRow(tr("System prompt"), m_system);
    form->addRow(tr("Temperature"), m_temperature);
    form->addRow(tr("Top-k"), m_topK);
    form->addRow(tr("Top-p"), m_topP);
    form->addRow(tr("Min-p"), m_minP);
    form->addRow(tr("Repetition penalty"), m_repeat);
    form->addRow(tr("Seed"), m_seed);
    form->addRow(tr("Reply length (tokens)"), m_maxTokens);
    form->addRow(tr("Context (tokens)"), m_context);
    form->addRow(new QLabel(tr("Chat template override"), this));
    form->addRow(m_template);
    setSettings(ChatSettings{});
    for (QDoubleSpinBox* s : {m_temperature, m_topP, m_minP, m_repeat})
        connect(s, &QDoubleSpinBox::valueChanged, this, &SettingsPanel::changed);
    for (QSpinBox* s : {m_topK, m_seed, m_maxTokens, m_context})
        connect(s, &QSpinBox::valueChanged, this, &SettingsPanel::changed);
    connect(m_system, &QPlainTextEdit::textChanged, this, &SettingsPanel::changed);
    connect(m_template, &QPlainTextEdit::textChanged, this, &SettingsPanel::changed);
}

ChatSettings SettingsPanel::settings() const
{
    ChatSettings s;
    s.systemPrompt = m_system->toPlainText();
    s.sampling.temperature = float(m_temperature->value());
    s.sampling.topK = m_topK->value();
    s.sampling.topP = float(m_topP->value());
    s.sampling.minP = float(m_minP->value());
    s.sampling.repeatPenalty = float(m_repeat->value());
    s.sampling.seed = uint64_t(m_seed->value());
    s.maxTokens = m_maxTokens->value();
    s.contextSize = m_context->value();
    s.templateOverride = m_template->toPlainText();
    return s;
}

void SettingsPanel::setSettings(const ChatSettings& s)
{
    const QSignalBlocker blockers[] = {QSignalBlocker(m_system), QSignalBlocker(m_temperature), QSignalBlocker(m_topK),
                                       QSignalBlocker(m_topP),   QSignalBlocker(m_minP),        QSignalBlocker(m_repeat),
                                       QSignalBlocker(m_seed),   QSignalBlocker(m_maxTokens),   QSignalBlocker(m_template),
                                       QSignalBlocker(m_context)};
    m_system->setPlainText(s.systemPrompt);
    m_temperature->setValue(s.sampling.temperature);
    m_topK->setValue(s.sampling.topK);
    m_topP->setValue(s.sampling.topP);
    m_minP->setValue(s.sampling.minP);
    m_repeat->setValue(s.sampling.repeatPenalty);
    m_seed->setValue(int(s.sampling.seed));
    m_maxTokens->setValue(s.maxTokens);
    m_context->setValue(s.contextSize);
    m_template->setPlainText(s.templateOverride);
    if (m_context->value() != s.contextSize) // above the model's own: the settings say what is used
        QMetaObject::invokeMethod(this, &SettingsPanel::changed, Qt::QueuedConnection);
}

void SettingsPanel::setModelContext(int tokens)
{
    m_context->setMaximum(tokens > 0 ? tokens : 1 << 20); // emits changed when it lowers the value
}

void SettingsPanel::showModelTemplate(const QString& json)
{
    m_template->setToolTip(tr("The model's format:\n%1").arg(json));
}

} // namespace bioforge::llm
