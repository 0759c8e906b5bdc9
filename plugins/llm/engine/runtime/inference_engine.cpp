#include "runtime/inference_engine.h"

#include "gguf/gguf_file.h"
#include "model/llama_model.h"
#include "tokenizer/tokenizer.h"

namespace bioforge::llm {

InferenceEngine::InferenceEngine(Options options) : m_options(options), m_thread([this] { loop(); }) {}

InferenceEngine::~InferenceEngine()
{
    {
        std::lock_guard lock(m_mutex);
        m_stop = true;
        for (uint64_t id = 1; id < m_nextId; ++id)
            m_cancelled.insert(id); // a running generation stops before its next token
    }
    m_wake.notify_all();
    m_thread.join();
}

void InferenceEngine::post(std::function<void()> task)
{
    {
        std::lock_guard lock(m_mutex);
        m_tasks.push_back(std::move(task));
    }
    m_wake.notify_one();
}

void InferenceEngine::loop()
{
    for (;;) {
        std::function<void()> task;
        {
            std::unique_lock lock(m_mutex);
            m_wake.wait(lock, [&] { return m_stop || !m_tasks.empty(); });
            if (m_stop)
                return;
            task = std::move(m_tasks.front());
            m_tasks.pop_front();
        }
        // Tasks report their own failures through their callbacks; this is the
        // last line, so that nothing a model file triggers can end the process.
        try {
            task();
        } catch (const std::exception& e) {
            qWarning("llm engine: a task failed: %s", e.what());
        } catch (...) {
            qWarning("llm engine: a task failed with an unknown exception");
        }
    }
}

namespace {
core::Error failure(const char* what, const std::exception& e)
{
    return core::Error(QStringLiteral("%1 failed: %2").arg(QLatin1String(what), QString::fromLocal8Bit(e.what())));
}
} // namespace

core::Expected<ModelSummary> InferenceEngine::summarize(const QString& path, const GgufFile& file, const LlamaModel& model)
{
    ModelSummary s;
    s.path = path;
    s.architecture = model.config().architecture;
    s.name = model.config().name;
    s.parameters = model.parameterCount();
    s.weightBytes = model.weightBytes();
    s.contextLength = model.config().contextLength;
    s.vocabSize = model.config().vocabSize;
    s.chatTemplate = file.stringOr("tokenizer.chat_template", "");
    s.detectedFamily = ChatTemplate::detect(s.chatTemplate).family;
    for (const GgufTensorInfo& t : file.tensors())
        ++s.tensorTypes[ggmlTypeName(t.type)];
    s.backend = model.backend().name();
    return s;
}

void InferenceEngine::loadModel(const QString& path, std::function<void(core::Expected<ModelSummary>)> done, const DeviceChoice& device)
{
    post([this, path, done = std::move(done), device] {
      try {
        // The file, its vocabulary and the device are checked while the loaded model stays: a
        // refusal (no such GPU, a damaged file) leaves the chat as it was. The mapping is lazy.
        auto file = GgufFile::open(path);
        if (!file) {
            done(file.error());
            return;
        }
        std::shared_ptr<const GgufFile> shared(std::move(*file));
        auto vocab = Vocab::fromGguf(*shared);
        if (!vocab) {
            done(vocab.error());
            return;
        }
        auto options = device.kind == DeviceChoice::Kind::Cpu ? core::Expected<LlamaModel::Options>(LlamaModel::Options::cpu(m_options.threads, m_options.kernels))
                                                              : backendOptions(device, m_options.threads, *shared, m_options.kernels);
        if (!options) {
            done(options.error());
            return;
        }
        m_conversations.clear(); // the old model's memory goes before the new one's is taken
        m_model.reset();
        m_tokenizer.reset();
        m_file.reset();
        auto model = LlamaModel::load(shared, *options);
        if (!model) {
            done(model.error());
            return;
        }
        m_file = shared;
        m_tokenizer = std::make_unique<Tokenizer>(*vocab);
        m_model = std::move(*model);
        done(summarize(path, *m_file, *m_model));
      } catch (const std::exception& e) { // e.g. std::bad_alloc for a model too large for this machine
        m_model.reset();
        m_tokenizer.reset();
        m_file.reset();
        done(failure("loading the model", e));
      }
    });
}

uint64_t InferenceEngine::submit(const QString& conversation, GenerationRequest request, Callbacks callbacks, int64_t contextSize)
{
    uint64_t id = 0;
    {
        std::lock_guard lock(m_mutex);
        id = m_nextId++;
    }
    post([this, id, conversation, request = std::move(request), callbacks = std::move(callbacks), contextSize]() mutable {
        if (!m_model) {
            if (callbacks.onFinished)
                callbacks.onFinished(core::Error(QStringLiteral("no model is loaded")));
            return;
        }
      try {
        Slot& kept = m_conversations[conversation]; // a reference that erasing other slots keeps valid
        kept.lastUsed = ++m_uses;
        std::unique_ptr<Conversation>& slot = kept.conversation;
        const int64_t context = std::min(contextSize > 0 ? contextSize : m_options.contextSize, m_model->config().contextLength);
        if (slot && slot->contextSize() != context)
            slot.reset(); // another size asked for: the conversation is read anew at it
        if (!slot) {
            // Every conversation answered in a session kept its cache, until the next one found no
            // memory (review 64 F14): at most keptConversations, and others' dropped before a refusal.
            while (m_conversations.size() > size_t(std::max(1, m_options.keptConversations)) && dropLeastRecent(conversation)) {
            }
            core::Status st = m_model->checkCache(context);
            while (!st && dropLeastRecent(conversation))
                st = m_model->checkCache(context);
            if (!st) {
                m_conversations.erase(conversation);
                if (callbacks.onFinished)
                    callbacks.onFinished(st.error());
                return;
            }
            slot = std::make_unique<Conversation>(*m_model, *m_tokenizer, context, m_options.batchSize);
        }
        GenerationEvents events;
        events.onText = [&](const std::string& text, TokenId) {
            if (callbacks.onText)
                callbacks.onText(text); // once per token, text possibly empty (held back)
        };
        events.onContextShift = callbacks.onContextShift;
        events.onPromptProgress = callbacks.onPromptProgress;
        events.stopRequested = [this, id] {
            std::lock_guard lock(m_mutex);
            return m_cancelled.count(id) != 0;
        };
        auto result = slot->generate(request, events);
        {
            std::lock_guard lock(m_mutex);
            m_cancelled.erase(id);
        }
        if (callbacks.onFinished)
            callbacks.onFinished(std::move(result));
      } catch (const std::exception& e) { // e.g. std::bad_alloc where memory ran out after checkCache
        m_conversations.erase(conversation);
        if (callbacks.onFinished)
            callbacks.onFinished(failure("generation", e));
      }
    });
    return id;
}

void InferenceEngine::cancel(uint64_t requestId)
{
    std::lock_guard lock(m_mutex);
    m_cancelled.insert(requestId);
}

bool InferenceEngine::dropLeastRecent(const QString& keep)
{
    auto oldest = m_conversations.end();
    for (auto it = m_conversations.begin(); it != m_conversations.end(); ++it)
        if (it->first != keep && (oldest == m_conversations.end() || it->second.lastUsed < oldest->second.lastUsed))
            oldest = it;
    if (oldest == m_conversations.end())
        return false;
    m_conversations.erase(oldest);
    return true;
}

void InferenceEngine::dropConversation(const QString& conversation)
{
    post([this, conversation] { m_conversations.erase(conversation); });
}

void InferenceEngine::withTokenizer(std::function<void(const Tokenizer*)> task)
{
    post([this, task = std::move(task)] { task(m_tokenizer.get()); });
}

} // namespace bioforge::llm
