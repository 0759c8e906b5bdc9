#pragma once

// The engine thread: it alone owns the loaded model, its thread pool and
// every conversation's KV cache. Chats talk to it through a request queue and
// receive streamed text through callbacks (run on the engine thread: a UI
// forwards them as queued signals). No state is shared between chats; a
// cancelled request stops before its next token.

#include "compute/device_choice.h"
#include "runtime/conversation.h"
#include "quant/vec_dot.h"
#include "util/expected.h"

#include <QString>

#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>

namespace bioforge::llm {

class GgufFile;
class LlamaModel;
class Tokenizer;

struct ModelSummary {
    QString path;
    std::string architecture;
    std::string name;
    int64_t parameters = 0;
    size_t weightBytes = 0;
    int64_t contextLength = 0;
    int64_t vocabSize = 0;
    std::string chatTemplate; // the model's Jinja template, if any
    std::string detectedFamily;
    std::map<std::string, int> tensorTypes; // type name -> tensor count
    std::string backend;                    // where it runs: the back-end's name (CPU kernels and threads, or the GPU)
};

class InferenceEngine {
public:
    struct Options {
        int threads = 1;
        KernelPath kernels = bestKernelPath();
        int64_t contextSize = 4096;
        int batchSize = 512;
        // The KV caches of at most this many conversations are kept (each is layers × context ×
        // KV width × 8 bytes: 4 GiB for an 8B Llama 3 at 16384 tokens); the least recently
        // answered goes first, and others' go before a new cache is refused for memory.
        int keptConversations = 4;
    };
    struct Callbacks {
        std::function<void(const std::string& text)> onText;
        std::function<void(int droppedTokens)> onContextShift;
        std::function<void(int64_t read, int64_t toRead)> onPromptProgress; // the message read, a batch at a time
        std::function<void(core::Expected<GenerationResult> result)> onFinished;
    };

    explicit InferenceEngine(Options options);
    ~InferenceEngine();
    InferenceEngine(const InferenceEngine&) = delete;
    InferenceEngine& operator=(const InferenceEngine&) = delete;

    // Loads (or replaces) the model; conversations of the previous model are dropped.
    // `device` (device_choice.h): a GPU is opened, and its free memory checked, before the
    // weights load; a machine without one gets that error through `done`.
    void loadModel(const QString& path, std::function<void(core::Expected<ModelSummary>)> done, const DeviceChoice& device = {});
    // Queues a generation for a conversation; returns its request id. `contextSize` (tokens; 0:
    // Options::contextSize) is capped at the model's: a conversation held at another size is read
    // anew at this one, as is one whose cache was dropped (Options::keptConversations).
    uint64_t submit(const QString& conversation, GenerationRequest request, Callbacks callbacks, int64_t contextSize = 0);
    void cancel(uint64_t requestId);
    void dropConversation(const QString& conversation);
    // Runs `task` on the engine thread with the tokenizer (null when no model is loaded).
    void withTokenizer(std::function<void(const Tokenizer*)> task);

    static core::Expected<ModelSummary> summarize(const QString& path, const GgufFile& file, const LlamaModel& model);

private:
    void post(std::function<void()> task);
    void loop();

    Options m_options;
    std::mutex m_mutex;
    std::condition_variable m_wake;
    std::deque<std::function<void()>> m_tasks;
    std::set<uint64_t> m_cancelled;
    uint64_t m_nextId = 1;
    bool m_stop = false;

    // Engine-thread state only.
    std::shared_ptr<const GgufFile> m_file;
    std::unique_ptr<Tokenizer> m_tokenizer;
    std::unique_ptr<LlamaModel> m_model;
    struct Slot {
        std::unique_ptr<Conversation> conversation;
        uint64_t lastUsed = 0; // m_uses when last answered
    };
    std::map<QString, Slot> m_conversations;
    uint64_t m_uses = 0;
    // Drops the cache of the least recently answered conversation other than `keep`; false where
    // there is none.
    bool dropLeastRecent(const QString& keep);

    std::thread m_thread; // last: starts after the members above exist
};

} // namespace bioforge::llm
