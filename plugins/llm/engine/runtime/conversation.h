#pragma once

// One chat's state in the engine: its own KV cache (explicit capacity), the
// tokens that cache holds, and the messages they came from. A new turn reuses
// the cached prefix and evaluates only what is new. When the context fills,
// the oldest turns are shifted out (the system prompt is kept) instead of
// failing, and the caller is told.

#include "chat/chat_template.h"
#include "sampling/sampler.h"
#include "tokenizer/vocab.h"
#include "util/expected.h"

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace bioforge::llm {

class KvCache;
class LlamaModel;
class Tokenizer;

struct GenerationRequest {
    std::vector<ChatMessage> messages; // chat mode
    std::string prompt;                // raw mode (when messages is empty): BOS + prompt
    bool parseSpecialInPrompt = false; // raw mode: special-token texts in the prompt become special tokens
    SamplingSettings sampling;
    int maxTokens = 512;
    ChatTemplate chatTemplate = ChatTemplate::named("chatml");
};

// Where a paused raw generation stopped (GenerationResult::paused), to go on from there exactly
// (Conversation::resume): the KV cache as it was — not evaluated again: a batched pass's logits
// differ from one-token ones in the last bits, and a greedy run parted from the uninterrupted one
// within a hundred tokens — with the next token's logits and the sampler's state.
struct PausedGeneration {
    std::vector<TokenId> tokens;      // generated before the pause
    std::string samplerState;         // Sampler::state() after the last draw
    std::vector<TokenId> cacheTokens; // what the KV cache holds, position by position (after any shift)
    int64_t keep = 0;                 // leading positions never shifted out
    bool shifted = false;
    std::vector<float> keys, values;  // KvCache::copyOut: [layers][cacheTokens.size()][KV width]
    std::vector<float> logits;        // [vocabulary]: the next token's
};

struct GenerationEvents {
    std::function<void(const std::string& text, TokenId token)> onText; // streamed text (may be empty for a token)
    std::function<void(int droppedTokens)> onContextShift;
    std::function<void(int64_t promptTokens)> onPromptEvaluated;        // once, after the prompt is in the KV cache
    std::function<void(int64_t read, int64_t toRead)> onPromptProgress; // before the prompt's first batch (0) and after each (tokens evaluated now)
    std::function<bool()> stopRequested;                                 // polled before each token
    // Raw mode: polled after each generated token is in the KV cache; true asks for the state to go
    // on from exactly there (onSnapshot gets it: a periodic checkpoint, so that a crash or a kill
    // loses only what came after it). A snapshot copies the KV cache's used positions.
    std::function<bool()> snapshotWanted;
    std::function<void(PausedGeneration&& state)> onSnapshot;
};

struct GenerationResult {
    enum class Stop { EndOfGeneration, StopString, MaxTokens, Cancelled, ContextFull };
    std::vector<TokenId> tokens; // generated
    std::string text;
    Stop stop = Stop::EndOfGeneration;
    int64_t promptTokens = 0;    // of the rendered prompt
    int64_t evaluatedPromptTokens = 0; // of those, evaluated now (the rest came from the cache)
    int64_t contextUsed = 0;
    int shifts = 0;
    double promptSeconds = 0;
    double generationSeconds = 0;
    // Stopped (Cancelled) after the prompt was read: the state to continue from (raw mode only;
    // none where the KV cache's copy found no memory).
    std::optional<PausedGeneration> paused;
};

const char* stopName(GenerationResult::Stop stop);

class Conversation {
public:
    Conversation(LlamaModel& model, const Tokenizer& tokenizer, int64_t contextSize, int batchSize = 512);
    ~Conversation();

    core::Expected<GenerationResult> generate(const GenerationRequest& request, const GenerationEvents& events);
    /// Puts a paused raw generation back (its KV cache, logits and sampler state), so that the next
    /// generate() of `request` goes on from it: the paused tokens open the result's tokens and text
    /// (not streamed again) and count towards maxTokens. Kind::Invalid, the conversation unchanged,
    /// where `paused` is not of this model, context and prompt (a token outside the vocabulary, a
    /// cache of another shape, another prompt, a sampler state this build cannot read). `paused`'s
    /// keys and values are released here (a large model's cache is gigabytes).
    core::Status resume(PausedGeneration&& paused, const GenerationRequest& request);
    /// Whether the request's system prompt leaves room in this context for a message: its tokens, the
    /// template's frame around a user turn and 4 tokens for the answer to start (llama-cli's n_ctx - 4)
    /// must fit. Error (Kind::Invalid) with the system prompt's length and the context's size; ok for
    /// a request without a system prompt or in raw mode. A chat checks it before the first message.
    core::Status checkSystemPromptRoom(const GenerationRequest& request);
    int64_t contextSize() const;
    int64_t contextUsed() const { return int64_t(m_tokens.size()); }
    void reset();

private:
    // Evaluates `tokens` into the KV cache, a batch at a time. With `stopped` (the prompt), a stop
    // request is honoured between batches (*stopped set; the cache holds what was read) and each
    // batch is reported (onPromptProgress: 0 before the first, then the tokens read).
    core::Status feed(const std::vector<TokenId>& tokens, std::vector<float>& logits, const GenerationEvents& events, int& shifts, bool* stopped = nullptr);
    void shiftOut(int64_t needed, const GenerationEvents& events, int& shifts);
    std::vector<TokenId> promptFor(const GenerationRequest& request, int64_t* keep);
    // The state to go on from (a pause's, a snapshot's): the tokens generated, the sampler's state, the
    // KV cache copied out and the next token's logits. Throws std::bad_alloc where the copy finds no memory.
    PausedGeneration capture(const std::vector<TokenId>& generated, const Sampler& sampler, std::vector<float> logits) const;

    int64_t messageTokens(const GenerationRequest& request, const std::vector<ChatMessage>& messages) const;
    static std::vector<ChatMessage> systemMessages(const GenerationRequest& request);
    QString largerContextAdvice() const;

    LlamaModel& m_model;
    const Tokenizer& m_tokenizer;
    std::unique_ptr<KvCache> m_cache;
    int m_batchSize;
    std::vector<TokenId> m_tokens; // what the cache holds, position by position
    int64_t m_keep = 0;            // leading tokens never shifted out (BOS and system prompt)
    bool m_shifted = false;
    std::vector<ChatMessage> m_messages; // the messages m_tokens renders (the last reply left open)
    struct Resumed {                     // set by resume(), taken by the next generate()
        std::vector<TokenId> tokens;
        std::string samplerState;
        std::vector<float> logits;
    };
    std::optional<Resumed> m_resumed;
};

} // namespace bioforge::llm
