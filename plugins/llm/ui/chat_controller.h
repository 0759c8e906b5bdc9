#pragma once

// The chat page's logic, without widgets: it loads a model (a job with
// progress, then the engine thread maps it), keeps the current conversation
// in the project store, sends turns to the engine and relays the streamed
// text back to the UI thread as signals. The engine thread owns the model;
// this object only posts requests and receives results.

#include "chat_settings.h"
#include "runtime/inference_engine.h"
#include "store/chat_store.h"

#include <QElapsedTimer>
#include <QObject>

#include <memory>
#include <optional>

namespace bioforge::core {
class Session;
}

namespace bioforge::llm {

struct ModelCard {
    ModelSummary summary;
    QString sha256;
};

struct TurnStats {
    int tokens = 0;
    double seconds = 0;
    double tokensPerSecond = 0;
    int64_t contextUsed = 0;
    int64_t contextSize = 0;
    QString stop;
    uint64_t seed = 0; // the sampler seed this answer was drawn with
    int64_t promptRead = 0, promptToRead = 0; // tokens of the message evaluated now (a stop may come before the end)
    double promptSeconds = 0;
    int64_t droppedTokens = 0; // shifted out of a full context during this turn (the system prompt is kept)
};

class ChatController : public QObject {
    Q_OBJECT
public:
    explicit ChatController(core::Session& session, QObject* parent = nullptr);
    ~ChatController() override;

    // `device`: where the model runs (the page's device choice); a GPU that cannot be had is a failed() with the reason.
    void loadModel(const QString& path, const DeviceChoice& device = {});
    const std::optional<ModelCard>& model() const { return m_model; }
    const QString& modelPath() const { return m_loadPath; }
    bool busy() const { return m_request != 0; }

    ChatSettings settings() const { return m_settings; }
    void setSettings(const ChatSettings& settings);

    // Where exports go first: the open project's reports folder (empty without a project).
    QString exportFolder() const;
    // Conversations of the open project.
    QList<ConversationSummary> conversations(const QString& search = {}) const;
    void newConversation();
    void openConversation(const QString& id);
    void renameConversation(const QString& id, const QString& title);
    void deleteConversation(const QString& id);
    const QString& conversationId() const { return m_conversation; }
    // One stored conversation's title, message count, …; none where it is not in the store.
    std::optional<ConversationSummary> conversationSummary(const QString& id) const;
    QList<StoredMessage> messages() const;
    core::Expected<QString> exportMarkdown(const QString& id) const;
    core::Expected<QJsonObject> exportJson(const QString& id) const;

    // Asks `text` in the shown conversation (a new one when none is shown). False when refused before
    // anything is stored (no model or project, a template override that does not parse: `failed`
    // says why; the page keeps the text). A turn the engine refuses before its first token (a context
    // too small for the system prompt) takes the question back out: questionReturned.
    bool send(const QString& text);
    void stop();
    void regenerate();
    void editAndResend(int ordinal, const QString& text);
    const QString& streamingText() const { return m_streaming; }
    double liveTokensPerSecond() const;
    // While the message is read, before the answer's first token: tokens read of those to read (0, 0 otherwise).
    std::pair<int64_t, int64_t> promptProgress() const { return busy() && m_streamedTokens == 0 ? std::pair{m_promptRead, m_promptToRead} : std::pair<int64_t, int64_t>{0, 0}; }
    // Whether the turn under way is the shown conversation's (another may be shown while it runs:
    // its figures are not this one's).
    bool turnIsShown() const { return busy() && m_turnConversation == m_conversation; }
    int64_t contextUsed() const { return m_contextUsed; }
    int64_t contextSize() const;

signals:
    void modelLoading(const QString& path);
    void modelLoaded();
    void failed(const QString& message);
    // A question sent was refused before its answer's first token: removed from its conversation (the
    // conversation too when it held nothing else), given back to be edited and sent again (a refused
    // Send left an unanswered question, and the next made two user turns in a row: trial 22).
    void questionReturned(const QString& text);
    void conversationsChanged();
    void transcriptChanged();
    void conversationSwitched(); // another conversation shown (opened, new, the shown one deleted)
    void textStreamed(const QString& chunk);
    void promptProgressed(qint64 read, qint64 toRead); // the message read: 0 before its first batch, then after each
    void turnFinished(const TurnStats& stats);
    void contextShifted(int droppedTokens);
    void busyChanged(bool busy);

private:
    ChatStore* store() const;
    // The chat template of a request: the model's, or the settings' override (an error names its field).
    core::Expected<ChatTemplate> requestTemplate() const;
    // Starts the turn; false (failed said why) when its template override does not parse.
    bool generate();
    // A question sent whose answer has not started: taken back out if the engine refuses the turn.
    struct AskedQuestion {
        QString conversation;
        int ordinal = 0;
        QString text;
        bool newConversation = false;
    };
    // Removes `asked` from its conversation (and the conversation, when it made it and holds nothing
    // else); `giveBack`: questionReturned gives its text back to the page.
    void takeBack(const AskedQuestion& asked, bool giveBack);
    void onModelJobEnded(const QString& runId);

    core::Session& m_session;
    std::unique_ptr<InferenceEngine> m_engine;
    std::optional<ModelCard> m_model;
    QString m_loadRunId;
    QString m_loadPath;
    DeviceChoice m_loadDevice;
    ChatSettings m_settings;
    QString m_conversation;
    uint64_t m_request = 0;
    QString m_streaming;
    int m_streamedTokens = 0;
    int64_t m_droppedThisTurn = 0;
    int64_t m_promptRead = 0, m_promptToRead = 0; // while the message is read (before the first token)
    QString m_turnConversation;                   // the conversation of the turn under way
    int64_t m_promptTokens = 0;
    int64_t m_contextUsed = 0;
    QElapsedTimer m_turnClock;
    // Regenerate draws with the settings' seed + the number of regenerations
    // of this turn: a new answer each time, every one reproducible.
    uint64_t m_seedOffset = 0;
    std::optional<AskedQuestion> m_asked;
    mutable std::unique_ptr<ChatStore> m_store;
};

} // namespace bioforge::llm

Q_DECLARE_METATYPE(bioforge::llm::TurnStats)
