#include "chat_page.h"

#include "chat_controller.h"
#include "compute/device_discovery.h"
#include "conversation_panel.h"
#include "layout/stacking_splitter.h"
#include "models/model_registry.h"
#include "runs/session.h"
#include "settings/file_dialogs.h"
#include "settings_panel.h"
#include "util/markdown_text.h"

#include <QApplication>
#include <QClipboard>
#include <QComboBox>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QLabel>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QScrollBar>
#include <QTextBrowser>
#include <QTextDocument>
#include <QVBoxLayout>

#include <algorithm>
#include <utility>

namespace bioforge::llm {

ChatPage::ChatPage(const ui::PageContext& context, QWidget* parent)
    : QWidget(parent), m_context(context), m_controller(new ChatController(*context.session, this))
{
    setObjectName(QStringLiteral("chatPage"));
    m_conversations = new ConversationPanel(*m_controller, this);
    m_settings = new SettingsPanel(this);

    m_models = new QComboBox(this);
    m_models->setObjectName(QStringLiteral("modelChoice"));
    m_models->setMinimumWidth(120); // the list beside the page's other panes at a laptop's width (its entries are shown whole when open)
    // The devices this workbench found (core's discovery: CUDA and HIP GPUs); loading on a GPU
    // needs this build's GPU module too, and says so when it is missing (docs/gpu.md).
    m_devices = new QComboBox(this);
    m_devices->setObjectName(QStringLiteral("deviceChoice"));
    m_devices->addItem(tr("CPU"), QStringLiteral("cpu"));
    const core::DeviceReport& found = core::DeviceDiscovery::report();
    for (const core::DeviceInfo& gpu : found.gpus())
        m_devices->addItem(QStringLiteral("%1 (%2)").arg(gpu.name, gpu.id), gpu.id);
    m_devices->setToolTip(found.gpus().isEmpty() ? tr("No GPU found: %1").arg(found.notes.join(QStringLiteral("; ")))
                                                 : tr("Where the model runs; a GPU runs its matrix products (docs/gpu.md)"));
    m_devices->setEnabled(m_devices->count() > 1);
    auto* open = new QPushButton(tr("Open .gguf…"), this);
    m_load = new QPushButton(tr("Load"), this);
    m_load->setObjectName(QStringLiteral("loadModelButton"));
    m_card = new QLabel(tr("No model loaded. Pick one from the registry or open a .gguf file."), this);
    m_card->setObjectName(QStringLiteral("modelCard"));
    m_card->setWordWrap(true);
    m_card->setTextInteractionFlags(Qt::TextSelectableByMouse);
    // Neither the card (a model's long path is one word: cut at the edge, selectable) nor the status
    // line (context, seed, why it ended; an error: wrapped, one line taller when it must) widens the
    // page past its window.
    // Its height for its width kept (a policy set anew drops QLabel's height-for-width): the card's
    // last line was cut, then covered by the transcript, and an error drawn over it (trial 19).
    QSizePolicy wrapped(QSizePolicy::Ignored, QSizePolicy::Preferred);
    wrapped.setHeightForWidth(true);
    m_card->setSizePolicy(wrapped);
    m_transcript = new QTextBrowser(this);
    m_transcript->setTabChangesFocus(true); // Tab moves on, as everywhere else
    m_transcript->setObjectName(QStringLiteral("transcript"));
    m_transcript->setMinimumHeight(8 * m_transcript->fontMetrics().lineSpacing()); // a few lines even where the page is short
    m_transcript->setOpenExternalLinks(true);
    m_status = new QLabel(this);
    m_status->setObjectName(QStringLiteral("chatStatus"));
    m_status->setMinimumHeight(m_status->fontMetrics().lineSpacing() + 4); // room kept: a one-line status does not move the layout
    m_status->setWordWrap(true);
    m_status->setSizePolicy(wrapped);
    m_input = new QPlainTextEdit(this);
    m_input->setTabChangesFocus(true); // Tab moves on, as everywhere else
    m_input->setObjectName(QStringLiteral("chatInput"));
    m_input->setPlaceholderText(tr("Ask something… (Ctrl+Enter sends)"));
    m_input->setMaximumHeight(110);
    m_send = new QPushButton(tr("Send"), this);
    m_send->setObjectName(QStringLiteral("sendButton"));
    m_send->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_Return));
    m_stop = new QPushButton(tr("Stop"), this);
    m_stop->setObjectName(QStringLiteral("stopButton"));
    m_stop->setShortcut(QKeySequence(Qt::Key_Escape));
    m_stop->setToolTip(tr("Stop generation (Esc)"));
    m_send->setToolTip(tr("Send (Ctrl+Return)"));
    m_regenerate = new QPushButton(tr("Regenerate"), this);
    m_edit = new QPushButton(tr("Edit question"), this);
    m_edit->setToolTip(tr("Put the last question back in the box, to change and send again"));
    m_copy = new QPushButton(tr("Copy answer"), this);
    m_copy->setToolTip(tr("Copy the last answer, as its Markdown"));

    auto* modelRow = new QHBoxLayout;
    modelRow->addWidget(new QLabel(tr("Model"), this));
    modelRow->addWidget(m_models, 1);
    modelRow->addWidget(new QLabel(tr("on"), this));
    modelRow->addWidget(m_devices);
    modelRow->addWidget(open);
    modelRow->addWidget(m_load);
    auto* buttons = new QHBoxLayout;
    buttons->addWidget(m_regenerate);
    buttons->addWidget(m_edit);
    buttons->addWidget(m_copy);
    buttons->addStretch();
    buttons->addWidget(m_stop);
    buttons->addWidget(m_send);
    auto* center = new QWidget(this);
    auto* centerLayout = new QVBoxLayout(center);
    centerLayout->setContentsMargins(0, 0, 0, 0);
    centerLayout->addLayout(modelRow);
    centerLayout->addWidget(m_card);
    centerLayout->addWidget(m_transcript, 1);
    centerLayout->addWidget(m_status);
    centerLayout->addWidget(m_input);
    centerLayout->addLayout(buttons);
    // Where the page is too narrow for all three: the settings under the conversation, then the
    // conversation list above it.
    auto* split = new ui::StackingSplitter(this);
    auto* talk = new ui::StackingSplitter(split);
    talk->addWidget(m_conversations);
    talk->addWidget(center);
    talk->setStretchFactor(1, 1);
    talk->setSizes({200, 600});
    split->addWidget(talk);
    split->addWidget(m_settings);
    split->setStretchFactor(0, 1);
    split->setSizes({800, 260});
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(split);

    connect(open, &QPushButton::clicked, this, [this] {
        const QString path = ui::chooseFile(this, QStringLiteral("gguf"), tr("Open a GGUF model"), tr("GGUF models (*.gguf)"));
        if (path.isEmpty())
            return;
        m_models->addItem(QFileInfo(path).fileName(), path);
        m_models->setCurrentIndex(m_models->count() - 1);
        m_controller->loadModel(path, chosenDevice());
    });
    connect(m_load, &QPushButton::clicked, this, [this] {
        if (!m_models->currentData().toString().isEmpty())
            m_controller->loadModel(m_models->currentData().toString(), chosenDevice());
    });
    // The box is emptied once the question is taken; a refused one stays, or comes back, to be edited.
    connect(m_send, &QPushButton::clicked, this, [this] {
        if (m_controller->send(m_input->toPlainText()))
            m_input->clear();
    });
    connect(m_controller, &ChatController::questionReturned, this, [this](const QString& text) {
        // Never lost: after what was typed meanwhile, if anything (review 66 R66-6).
        const QString typed = m_input->toPlainText();
        m_input->setPlainText(typed.trimmed().isEmpty() ? text : typed + QStringLiteral("\n\n") + text);
    });
    connect(m_stop, &QPushButton::clicked, m_controller, &ChatController::stop);
    connect(m_regenerate, &QPushButton::clicked, m_controller, &ChatController::regenerate);
    connect(m_edit, &QPushButton::clicked, this, [this] {
        // The last question goes back into the input; Send then replaces it and what followed.
        const QList<StoredMessage> msgs = m_controller->messages();
        for (auto it = msgs.crbegin(); it != msgs.crend(); ++it)
            if (it->role == QLatin1String("user")) {
                const int ordinal = it->ordinal;
                m_input->setPlainText(it->content);
                disconnect(m_send, &QPushButton::clicked, this, nullptr);
                connect(m_send, &QPushButton::clicked, this, [this, ordinal] {
                    m_controller->editAndResend(ordinal, m_input->toPlainText());
                    m_input->clear();
                    disconnect(m_send, &QPushButton::clicked, this, nullptr);
                    connect(m_send, &QPushButton::clicked, this, [this] {
                        if (m_controller->send(m_input->toPlainText()))
                            m_input->clear();
                    });
                });
                break;
            }
    });
    connect(m_copy, &QPushButton::clicked, this, [this] {
        const QList<StoredMessage> msgs = m_controller->messages();
        for (auto it = msgs.crbegin(); it != msgs.crend(); ++it)
            if (it->role == QLatin1String("assistant")) {
                QApplication::clipboard()->setText(it->content);
                m_status->setText(tr("Answer copied."));
                break;
            }
    });
    connect(m_settings, &SettingsPanel::changed, this, [this] { m_controller->setSettings(m_settings->settings()); });
    connect(m_conversations, &ConversationPanel::message, m_status, &QLabel::setText);
    // The status line is the shown conversation's: another one's last answer is not this one's.
    // A conversation made with another model than the one loaded says so (a follow-up went silently
    // to the loaded model after a restart: trial 17).
    connect(m_controller, &ChatController::conversationSwitched, this, [this] {
        m_status->clear();
        const auto shown = m_controller->conversationSummary(m_controller->conversationId());
        const auto& model = m_controller->model();
        if (shown && model && !shown->modelSha256.isEmpty() && shown->modelSha256 != model->sha256)
            m_status->setText(tr("This conversation was made with %1; the model loaded is %2, which answers a new message (load %1 to go on with "
                                 "the same model).")
                                  .arg(QFileInfo(shown->modelPath).fileName(), QFileInfo(model->summary.path).fileName()));
    });
    connect(m_controller, &ChatController::modelLoading, this, [this](const QString& path) {
        m_loadPending = true;
        m_card->setText(tr("Loading %1 … (progress in the Jobs dock)").arg(path));
        updateButtons();
    });
    connect(m_controller, &ChatController::modelLoaded, this, [this] {
        m_loadPending = false;
        m_settings->setModelContext(m_controller->model() ? int(std::min<int64_t>(m_controller->model()->summary.contextLength, 1 << 20)) : 0);
        updateModelCard();
        updateButtons();
    });
    connect(m_controller, &ChatController::failed, this, [this](const QString& message) {
        m_status->setText(tr("Error: %1").arg(message));
        // A model that failed to load is not the one answering: the box names the one that is (it
        // named the broken file while the last model answered: trial 19).
        // Only for a load that failed: another error (a send, the conversation store) leaves the box
        // as the user set it.
        const bool loadFailed = std::exchange(m_loadPending, false);
        if (const auto& loaded = m_controller->model(); loadFailed && loaded && m_models->currentData().toString() != loaded->summary.path) {
            if (m_models->findData(loaded->summary.path) < 0)
                m_models->addItem(QFileInfo(loaded->summary.path).fileName(), loaded->summary.path);
            m_models->setCurrentIndex(m_models->findData(loaded->summary.path));
            m_status->setText(tr("Error: %1 — still using %2").arg(message, QFileInfo(loaded->summary.path).fileName()));
        }
        updateModelCard(); // a load that failed or was stopped (another project opened) is not "Loading …" any more
        updateButtons();
    });
    connect(m_controller, &ChatController::transcriptChanged, this, [this] {
        m_settings->setSettings(m_controller->settings());
        renderTranscript();
        updateButtons();
    });
    connect(m_controller, &ChatController::textStreamed, this, [this] { m_renderPending = true; });
    connect(m_controller, &ChatController::busyChanged, this, &ChatPage::updateButtons);
    connect(m_controller, &ChatController::turnFinished, this, &ChatPage::onTurnFinished);
    connect(m_controller, &ChatController::contextShifted, this, [this](int dropped) {
        m_status->setText(tr("The context was full: the oldest %1 tokens were dropped (the system prompt is kept).").arg(dropped));
    });
    // Streaming text is drawn at most 20 times a second; the message's reading is said as each batch is read.
    const auto showLive = [this] {
        if (!m_controller->turnIsShown())
            return;
        if (m_renderPending)
            renderTranscript();
        m_renderPending = false;
        if (const auto [read, toRead] = m_controller->promptProgress(); toRead > 0)
            m_status->setText(tr("Reading the message… %1 of %2 tokens").arg(read).arg(toRead));
        else
            m_status->setText(tr("Generating… %1 tokens/s").arg(m_controller->liveTokensPerSecond(), 0, 'f', 1));
    };
    connect(&m_liveTimer, &QTimer::timeout, this, showLive);
    connect(m_controller, &ChatController::promptProgressed, this, showLive);
    m_liveTimer.start(50);
    if (m_context.session)
        connect(m_context.session, &core::Session::modelsChanged, this, &ChatPage::reloadModelChoices);
    reloadModelChoices();
    renderTranscript();
    updateButtons();
}

void ChatPage::reloadModelChoices()
{
    const QString current = m_models->currentData().toString();
    const QSignalBlocker block(m_models);
    m_models->clear();
    if (!m_context.session)
        return;
    for (const core::ModelEntry& m : m_context.session->models().models()) {
        if (m.kind != QLatin1String("gguf"))
            continue;
        for (const core::ModelFile& f : m.files)
            if (f.path.endsWith(QLatin1String(".gguf"), Qt::CaseInsensitive))
                m_models->addItem(QStringLiteral("%1 (%2)").arg(m.displayName(), f.path), m.filePath(f.path));
    }
    if (const int i = m_models->findData(current); i >= 0)
        m_models->setCurrentIndex(i);
}

DeviceChoice ChatPage::chosenDevice() const
{
    return parseDevice(m_devices->currentData().toString()).valueOr(DeviceChoice{});
}

void ChatPage::updateModelCard()
{
    const auto& model = m_controller->model();
    if (!model) {
        m_card->setText(tr("No model loaded."));
        m_card->setToolTip(QString());
        return;
    }
    const ModelSummary& s = model->summary;
    QStringList types;
    for (const auto& [type, count] : s.tensorTypes)
        types << QStringLiteral("%1 ×%2").arg(QString::fromStdString(type), QString::number(count));
    // The SHA-256's first 16 digits (64 did not fit a card's width and cut it); whole in the
    // tooltip and the run's provenance.
    m_card->setToolTip(tr("SHA-256 %1\n%2").arg(model->sha256, model->summary.path));
    m_card->setText(tr("<b>%1</b> — %2, %3 M parameters, %4 MiB, context %5, vocabulary %6<br/>weights: %7<br/>chat format: %8<br/>runs on: %9<br/>SHA-256 %10… (whole in the tooltip)")
                        .arg(QString::fromStdString(s.name).toHtmlEscaped(), QString::fromStdString(s.architecture),
                             QString::number(double(s.parameters) / 1e6, 'f', 1), QString::number(double(s.weightBytes) / (1 << 20), 'f', 1),
                             QString::number(s.contextLength), QString::number(s.vocabSize), types.join(QStringLiteral(", ")),
                             QString::fromStdString(s.detectedFamily), QString::fromStdString(s.backend).toHtmlEscaped(), model->sha256.left(16)));
    // A registered model whose file is not the one imported (changed since): said, as a recorded run
    // refuses it (the card showed the new SHA-256 without a word: trial 22 T22-16).
    if (m_context.session) {
        const QString loaded = QFileInfo(model->summary.path).canonicalFilePath();
        for (const core::ModelEntry& e : m_context.session->models().models())
            for (const core::ModelFile& f : e.files)
                if (!f.sha256.isEmpty() && f.sha256 != model->sha256 && QFileInfo(e.filePath(f.path)).canonicalFilePath() == loaded)
                    m_card->setText(m_card->text()
                                    + tr("<br/><b>Not the file registered as '%1'</b>: its SHA-256 differs from the registered %2…; the file changed "
                                         "since it was imported (<code>bioforge models verify %1</code>), and recorded runs refuse it")
                                          .arg(e.name.toHtmlEscaped(), f.sha256.left(16)));
    }
    // A registered TEST model, or one `llm synth-model` wrote (its general.name says so).
    if ((m_context.session && m_context.session->models().testModelFor(m_controller->modelPath())) || s.name.rfind("bioforge-synthetic-", 0) == 0)
        m_card->setText(m_card->text() + tr("<br/><b>TEST model</b> (random weights): its text is gibberish by design."));
    m_settings->showModelTemplate(QString::fromStdString(ChatTemplate::detect(s.chatTemplate).toJson()));
}

// Under an answer during which the context filled: how many of the oldest tokens went.
QString ChatPage::contextNote(qint64 dropped)
{
    return dropped > 0 ? tr("*The context was full: the oldest %1 tokens of the conversation were dropped while this answer was written (the system "
                            "prompt is kept).*\n\n")
                             .arg(dropped)
                       : QString();
}

void ChatPage::renderTranscript()
{
    QString md;
    for (const StoredMessage& m : m_controller->messages()) {
        if (m.role == QLatin1String("user"))
            md += QStringLiteral("**You**\n\n%1\n\n").arg(core::markdownText(m.content)); // as typed: text, not Markdown or HTML
        else if (m.role == QLatin1String("assistant"))
            md += QStringLiteral("**Assistant**\n\n%1\n\n%2---\n\n")
                      .arg(m.content, contextNote(m.contextDropped));
    }
    if (m_controller->busy())
        md += QStringLiteral("**Assistant**\n\n%1▍\n\n").arg(m_controller->streamingText());
    if (md.isEmpty())
        md = tr("*Start a conversation: load a model, then type below. Everything stays on this machine.*");
    // The answers' Markdown is shown; HTML in an answer (or anywhere) stays text (a pasted tag
    // blanked the transcript: trial 22).
    m_transcript->document()->setMarkdown(md, QTextDocument::MarkdownFeatures(QTextDocument::MarkdownDialectGitHub | QTextDocument::MarkdownNoHTML));
    m_transcript->verticalScrollBar()->setValue(m_transcript->verticalScrollBar()->maximum());
}

void ChatPage::updateButtons()
{
    const bool busy = m_controller->busy();
    const bool hasModel = m_controller->model().has_value();
    const bool hasMessages = !m_controller->conversationId().isEmpty();
    m_send->setEnabled(!busy && hasModel);
    m_stop->setEnabled(busy);
    m_regenerate->setEnabled(!busy && hasModel && hasMessages);
    m_edit->setEnabled(!busy && hasModel && hasMessages);
    m_copy->setEnabled(hasMessages);
}

void ChatPage::onTurnFinished(const TurnStats& stats)
{
    // Why the answer ended, in words: "stopped" is the Stop button.
    const QString ended = stats.stop == QLatin1String("stopped") ? tr("you pressed Stop") : stats.stop;
    if (stats.tokens == 0 && stats.promptRead < stats.promptToRead) { // stopped while the message was read
        m_status->setText(tr("Stopped while reading the message: %1 of %2 tokens read in %3 s; no answer — context %4 of %5 tokens")
                              .arg(QString::number(stats.promptRead), QString::number(stats.promptToRead), QString::number(stats.promptSeconds, 'f', 2),
                                   QString::number(stats.contextUsed), QString::number(stats.contextSize)));
        return;
    }
    m_status->setText(tr("%1 tokens in %2 s (%3 tokens/s) — context %4 of %5 tokens%8 — seed %7 — ended: %6")
                          .arg(QString::number(stats.tokens), QString::number(stats.seconds, 'f', 2), QString::number(stats.tokensPerSecond, 'f', 1),
                               QString::number(stats.contextUsed), QString::number(stats.contextSize), ended, QString::number(stats.seed),
                               stats.droppedTokens > 0 ? tr(", full: the oldest %1 dropped").arg(stats.droppedTokens) : QString()));
}

} // namespace bioforge::llm
