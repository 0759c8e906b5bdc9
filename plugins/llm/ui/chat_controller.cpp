#include "chat_controller.h"

#include "jobs/job_handle.h"
#include "jobs/job_scheduler.h"
#include "plugin/model_load_job.h"
#include "runs/session.h"
#include "settings/workbench_settings.h"
#include "store/project.h"

#include <QDir>
#include <QFileInfo>
#include <QUuid>

#include <utility>

namespace bioforge::llm {

ChatController::ChatController(core::Session& session, QObject* parent) : QObject(parent), m_session(session)
{
    qRegisterMetaType<TurnStats>();
    InferenceEngine::Options options;
    options.threads = core::WorkbenchSettings().cpuThreads();
    options.contextSize = m_settings.contextSize;
    m_engine = std::make_unique<InferenceEngine>(options);
    connect(&session.scheduler(), &core::JobScheduler::jobEnded, this, &ChatController::onModelJobEnded);
    connect(&session, &core::Session::projectChanged, this, [this] {
        m_store.reset();
        m_conversation.clear();
        emit conversationsChanged();
        emit transcriptChanged();
        emit conversationSwitched();
    });
}

ChatController::~ChatController()
{
    m_engine.reset(); // stops the engine thread (a running reply ends before its next token)
}

ChatStore* ChatController::store() const
{
    core::Project* project = m_session.project();
    if (!project)
        return nullptr;
    if (!m_store) {
        m_store = std::make_unique<ChatStore>(project->store());
        if (core::Status st = m_store->ensureSchema(); !st) {
            m_store.reset();
            return nullptr;
        }
    }
    return m_store.get();
}

void ChatController::setSettings(const ChatSettings& settings)
{
    m_settings = settings;
    if (ChatStore* s = store(); s && !m_conversation.isEmpty() && m_model)
        (void)s->updateSettings(m_conversation, m_model->summary.path, m_model->sha256, m_settings.toJson());
}

void ChatController::loadModel(const QString& path, const DeviceChoice& device)
{
    if (!m_loadRunId.isEmpty())
        return;
    core::RunRecord record;
    record.runId = QStringLiteral("model-load-") + QUuid::createUuid().toString(QUuid::Id128).left(8);
    record.title = tr("Load model %1").arg(QFileInfo(path).fileName());
    record.pluginId = QStringLiteral("llm");
    record.verb = QStringLiteral("load-model");
    const QString scratch = QDir(QDir::tempPath()).filePath(QStringLiteral("bioforge-model-load/") + record.runId);
    auto handle = std::make_shared<core::JobHandle>(record, std::make_unique<ModelLoadJob>(path), scratch, scratch);
    m_loadRunId = record.runId;
    m_loadPath = path;
    m_loadDevice = device;
    emit modelLoading(path);
    m_session.scheduler().submit(handle);
}

void ChatController::onModelJobEnded(const QString& runId)
{
    if (runId != m_loadRunId)
        return;
    m_loadRunId.clear();
    auto h = m_session.scheduler().handle(runId);
    if (!h || h->state() != core::RunState::Finished) {
        emit failed(h && !h->record().error.isEmpty() ? h->record().error : tr("loading the model was stopped"));
        return;
    }
    const QString sha = static_cast<ModelLoadJob&>(h->job()).sha256();
    m_engine->loadModel(m_loadPath, [this, sha](core::Expected<ModelSummary> result) {
        QMetaObject::invokeMethod(this, [this, sha, result] {
            if (!result) {
                emit failed(result.error().message());
                return;
            }
            m_model = ModelCard{*result, sha};
            emit modelLoaded();
        }, Qt::QueuedConnection);
    }, m_loadDevice);
}

bool ChatController::send(const QString& text)
{
    if (busy() || text.trimmed().isEmpty())
        return false;
    if (!m_model) {
        emit failed(tr("Load a model first."));
        return false;
    }
    ChatStore* s = store();
    if (!s) {
        emit failed(tr("Open a project first."));
        return false;
    }
    if (auto checked = requestTemplate(); !checked) { // before anything is stored
        emit failed(checked.error().message());
        return false;
    }
    const bool created = m_conversation.isEmpty();
    if (created) {
        auto id = s->create(text.simplified().left(48), m_model->summary.path, m_model->sha256, m_settings.toJson());
        if (!id) {
            emit failed(id.error().message());
            return false;
        }
        m_conversation = *id;
        emit conversationsChanged();
    }
    StoredMessage user;
    user.ordinal = int(messages().size());
    user.role = QStringLiteral("user");
    user.content = text;
    if (core::Status st = s->append(m_conversation, user); !st) {
        emit failed(st.error().message());
        return false;
    }
    emit transcriptChanged();
    m_seedOffset = 0;
    m_asked = AskedQuestion{m_conversation, user.ordinal, text, created};
    if (!generate()) { // taken back and given back: not taken (review 66 R66-13)
        const AskedQuestion asked = *std::exchange(m_asked, std::nullopt);
        takeBack(asked, false); // the page still holds the text
        return false;
    }
    return true;
}

void ChatController::takeBack(const AskedQuestion& asked, bool giveBack)
{
    ChatStore* s = store();
    if (!s)
        return;
    (void)s->truncate(asked.conversation, asked.ordinal);
    if (auto left = s->messages(asked.conversation); asked.newConversation && left && left->isEmpty()) {
        (void)s->remove(asked.conversation);
        if (m_conversation == asked.conversation) {
            m_conversation.clear();
            emit conversationSwitched();
        }
    }
    emit conversationsChanged();
    emit transcriptChanged();
    if (giveBack)
        emit questionReturned(asked.text);
}

core::Expected<ChatTemplate> ChatController::requestTemplate() const
{
    if (m_settings.templateOverride.trimmed().isEmpty())
        return ChatTemplate::detect(m_model->summary.chatTemplate);
    auto t = ChatTemplate::fromJson(m_settings.templateOverride.toStdString());
    if (!t)
        return t.error();
    return *t;
}

void ChatController::regenerate()
{
    const QList<StoredMessage> msgs = messages();
    if (busy() || msgs.isEmpty())
        return;
    if (msgs.last().role == QLatin1String("assistant"))
        (void)store()->truncate(m_conversation, msgs.last().ordinal);
    emit transcriptChanged();
    ++m_seedOffset;
    (void)generate();
}

void ChatController::editAndResend(int ordinal, const QString& text)
{
    if (busy() || !store() || m_conversation.isEmpty())
        return;
    (void)store()->truncate(m_conversation, ordinal);
    StoredMessage user;
    user.ordinal = ordinal;
    user.role = QStringLiteral("user");
    user.content = text;
    (void)store()->append(m_conversation, user);
    emit transcriptChanged();
    m_seedOffset = 0;
    (void)generate();
}

void ChatController::stop()
{
    if (m_request)
        m_engine->cancel(m_request);
}

double ChatController::liveTokensPerSecond() const
{
    const double s = double(m_turnClock.elapsed()) / 1000.0;
    return busy() && s > 0 ? double(m_streamedTokens) / s : 0.0;
}

int64_t ChatController::contextSize() const
{
    return m_model ? std::min<int64_t>(m_settings.contextSize, m_model->summary.contextLength) : m_settings.contextSize;
}

bool ChatController::generate()
{
    GenerationRequest request;
    if (!m_settings.systemPrompt.trimmed().isEmpty())
        request.messages.push_back({"system", m_settings.systemPrompt.toStdString()});
    for (const StoredMessage& m : messages())
        request.messages.push_back({m.role.toStdString(), m.content.toStdString()});
    request.sampling = m_settings.sampling;
    request.sampling.seed += m_seedOffset;
    const uint64_t seed = request.sampling.seed;
    request.maxTokens = m_settings.maxTokens;
    auto chatTemplate = requestTemplate();
    if (!chatTemplate) {
        emit failed(chatTemplate.error().message());
        return false;
    }
    request.chatTemplate = *chatTemplate;
    m_streaming.clear();
    m_streamedTokens = 0;
    m_droppedThisTurn = 0;
    m_promptRead = m_promptToRead = 0;
    m_turnClock.start();
    const QString conversation = m_turnConversation = m_conversation;
    InferenceEngine::Callbacks callbacks;
    callbacks.onText = [this](const std::string& text) {
        QMetaObject::invokeMethod(this, [this, chunk = QString::fromStdString(text)] {
            ++m_streamedTokens;
            if (chunk.isEmpty())
                return;
            m_streaming += chunk;
            emit textStreamed(chunk);
        }, Qt::QueuedConnection);
    };
    callbacks.onPromptProgress = [this](int64_t read, int64_t toRead) {
        QMetaObject::invokeMethod(this, [this, read, toRead] {
            m_promptRead = read;
            m_promptToRead = toRead;
            emit promptProgressed(read, toRead);
        }, Qt::QueuedConnection);
    };
    callbacks.onContextShift = [this](int dropped) {
        QMetaObject::invokeMethod(this, [this, dropped] {
            m_droppedThisTurn += dropped;
            emit contextShifted(dropped);
        }, Qt::QueuedConnection);
    };
    // What this answer is generated with, as `bioforge llm generate` takes it.
    const QJsonObject generation{{QStringLiteral("seed"), qint64(seed)},
                                 {QStringLiteral("ctx"), qint64(contextSize())},
                                 {QStringLiteral("n"), request.maxTokens},
                                 {QStringLiteral("temp"), decimalOf(request.sampling.temperature)},
                                 {QStringLiteral("top-k"), request.sampling.topK},
                                 {QStringLiteral("top-p"), decimalOf(request.sampling.topP)},
                                 {QStringLiteral("min-p"), decimalOf(request.sampling.minP)},
                                 {QStringLiteral("repeat-penalty"), decimalOf(request.sampling.repeatPenalty)}};
    callbacks.onFinished = [this, conversation, seed, generation](core::Expected<GenerationResult> result) {
        QMetaObject::invokeMethod(this, [this, conversation, result, seed, generation] {
            m_request = 0;
            emit busyChanged(false);
            const std::optional<AskedQuestion> asked = std::exchange(m_asked, std::nullopt);
            if (!result) {
                // The page's setting, not the command line's flag (trial 22).
                emit failed(QString(result.error().message()).replace(QStringLiteral("(--ctx"), tr("(the Context (tokens) setting")));
                if (asked && asked->conversation == conversation && m_streamedTokens == 0)
                    takeBack(*asked, true); // refused before its answer began: nothing of the turn stays
                return;
            }
            TurnStats stats;
            stats.tokens = int(result->tokens.size());
            stats.seconds = result->generationSeconds;
            stats.tokensPerSecond = stats.seconds > 0 ? stats.tokens / stats.seconds : 0;
            stats.contextUsed = m_contextUsed = result->contextUsed;
            stats.contextSize = contextSize();
            stats.stop = QLatin1String(stopName(result->stop));
            stats.seed = seed;
            stats.promptToRead = result->evaluatedPromptTokens;
            stats.promptRead = result->stop == GenerationResult::Stop::Cancelled && result->tokens.empty() ? m_promptRead : result->evaluatedPromptTokens;
            stats.promptSeconds = result->promptSeconds;
            stats.droppedTokens = m_droppedThisTurn;
            if (ChatStore* s = store(); s && conversation == m_conversation) {
                StoredMessage reply;
                reply.ordinal = int(messages().size());
                reply.role = QStringLiteral("assistant");
                reply.content = QString::fromStdString(result->text);
                reply.tokens = stats.tokens;
                reply.seconds = stats.seconds;
                reply.stop = stats.stop;
                reply.generation = generation;
                if (stats.droppedTokens > 0) // said with the answer in the transcript and the exports (it was said for a moment only: trial 19)
                    reply.contextDropped = stats.droppedTokens;
                (void)s->append(conversation, reply);
            }
            m_streaming.clear();
            if (conversation == m_conversation) // the status line says the shown conversation's turn only
                emit turnFinished(stats);
            emit transcriptChanged();
            emit conversationsChanged();
        }, Qt::QueuedConnection);
    };
    m_request = m_engine->submit(conversation, std::move(request), std::move(callbacks), m_settings.contextSize);
    emit busyChanged(true);
    return true;
}

} // namespace bioforge::llm
