#include "runtime/conversation.h"

#include "model/kv_cache.h"
#include "model/llama_model.h"
#include "runtime/text_streamer.h"
#include "tokenizer/tokenizer.h"

#include <algorithm>
#include <chrono>
#include <iterator>
#include <new>
#include <utility>

namespace bioforge::llm {
namespace {

using Clock = std::chrono::steady_clock;

double secondsSince(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

bool sameMessage(const ChatMessage& a, const ChatMessage& b) { return a.role == b.role && a.content == b.content; }

// The part of a format after {content} (what closes a turn).
std::string closing(const std::string& format)
{
    const size_t at = format.find("{content}");
    return at == std::string::npos ? std::string() : format.substr(at + 9);
}

} // namespace

const char* stopName(GenerationResult::Stop stop)
{
    switch (stop) {
    case GenerationResult::Stop::EndOfGeneration: return "end of generation";
    case GenerationResult::Stop::StopString: return "stop string";
    case GenerationResult::Stop::MaxTokens: return "token limit";
    case GenerationResult::Stop::Cancelled: return "stopped";
    case GenerationResult::Stop::ContextFull: return "context full";
    }
    return "?";
}

Conversation::Conversation(LlamaModel& model, const Tokenizer& tokenizer, int64_t contextSize, int batchSize)
    : m_model(model), m_tokenizer(tokenizer), m_cache(model.newCache(contextSize)), m_batchSize(std::max(1, batchSize))
{
}

Conversation::~Conversation() = default;

int64_t Conversation::contextSize() const { return m_cache->capacity(); }

void Conversation::reset()
{
    m_cache->clear();
    m_tokens.clear();
    m_messages.clear();
    m_keep = 0;
    m_shifted = false;
}

std::vector<TokenId> Conversation::promptFor(const GenerationRequest& request, int64_t* keep)
{
    const Vocab& vocab = m_tokenizer.vocab();
    if (request.messages.empty()) {
        const std::vector<TokenId> tokens = m_tokenizer.tokenize(request.prompt, true, request.parseSpecialInPrompt);
        *keep = vocab.addBos ? 1 : 0;
        return tokens;
    }
    const ChatTemplate& t = request.chatTemplate;
    const bool addBos = t.bos.empty() && vocab.addBos;
    std::vector<ChatMessage> system;
    for (const ChatMessage& m : request.messages)
        if (m.role == "system")
            system.push_back(m);
    *keep = int64_t(system.empty() || t.systemFormat.empty() ? m_tokenizer.tokenize(t.bos, addBos, true).size()
                                                             : m_tokenizer.tokenize(t.renderSegments(system, false), addBos).size());
    return m_tokenizer.tokenize(t.renderSegments(request.messages, true), addBos);
}

int64_t Conversation::messageTokens(const GenerationRequest& request, const std::vector<ChatMessage>& messages) const
{
    ChatTemplate noBos = request.chatTemplate;
    noBos.bos.clear();
    return int64_t(m_tokenizer.tokenize(noBos.renderSegments(messages, true), false).size());
}

std::vector<ChatMessage> Conversation::systemMessages(const GenerationRequest& request)
{
    std::vector<ChatMessage> system;
    std::copy_if(request.messages.begin(), request.messages.end(), std::back_inserter(system), [](const ChatMessage& m) { return m.role == "system"; });
    return system;
}

// "give a larger context (--ctx …) or", or, where the context is the model's own length already
// (--ctx cannot go past it), that this model reads no more.
QString Conversation::largerContextAdvice() const
{
    const int64_t trained = m_model.config().contextLength;
    if (trained > 0 && m_cache->capacity() >= trained)
        return QStringLiteral("this model reads at most %1 tokens at once (the context length in its metadata): give").arg(trained);
    return QStringLiteral("give a larger context (--ctx%1) or").arg(trained > 0 ? QStringLiteral("; this model's context length is %1 tokens").arg(trained)
                                                                                 : QString());
}

core::Status Conversation::checkSystemPromptRoom(const GenerationRequest& request)
{
    GenerationRequest system;
    system.chatTemplate = request.chatTemplate;
    system.messages = systemMessages(request);
    if (system.messages.empty())
        return core::okStatus();
    int64_t keep = 0; // BOS and a system turn the template keeps (the start never shifted out)
    promptFor(system, &keep);
    const int64_t frame = messageTokens(request, {ChatMessage{"user", std::string()}});
    // Templates without a system turn (llama2, mistral, gemma) put the system text in the first user
    // message: it counts there, not in the kept start.
    const bool inFirstTurn = request.chatTemplate.systemFormat.empty();
    std::vector<ChatMessage> firstTurn = system.messages;
    firstTurn.push_back({"user", std::string()});
    const int64_t systemTokens = inFirstTurn ? messageTokens(request, firstTurn) - frame : keep;
    if (keep + (inFirstTurn ? systemTokens : 0) + frame + 1 + 4 <= m_cache->capacity())
        return core::okStatus();
    return core::Error(QStringLiteral("the system prompt is %1 tokens: a context of %2 tokens leaves no room for a message beside it (a "
                                      "message takes at least %3 with its turn's markers, and the answer 4 to start); %4 a shorter system prompt")
                           .arg(QString::number(systemTokens), QString::number(m_cache->capacity()), QString::number(frame + 1), largerContextAdvice()),
                       core::Error::Kind::Invalid);
}

void Conversation::shiftOut(int64_t needed, const GenerationEvents& events, int& shifts)
{
    const int64_t size = int64_t(m_tokens.size());
    const int64_t room = m_cache->capacity() - size;
    if (room >= needed)
        return;
    const int64_t keep = std::min(m_keep, std::max<int64_t>(0, m_cache->capacity() - needed - 1));
    const int64_t discard = std::clamp(std::max(needed - room, (size - keep) / 2), int64_t(0), size - keep);
    if (discard == 0)
        return;
    m_cache->remove(keep, discard, m_model.config().rope);
    m_tokens.erase(m_tokens.begin() + keep, m_tokens.begin() + keep + discard);
    m_shifted = true;
    ++shifts;
    if (events.onContextShift)
        events.onContextShift(int(discard));
}

core::Status Conversation::feed(const std::vector<TokenId>& tokens, std::vector<float>& logits, const GenerationEvents& events,
                                int& shifts, bool* stopped)
{
    size_t done = 0;
    if (stopped && events.onPromptProgress && !tokens.empty()) // said before the first batch: minutes on a big model
        events.onPromptProgress(0, int64_t(tokens.size()));
    while (done < tokens.size()) {
        if (stopped && events.stopRequested && events.stopRequested()) { // a long prompt is minutes on a big model
            *stopped = true;
            return core::okStatus();
        }
        int64_t chunk = std::min<int64_t>(m_batchSize, int64_t(tokens.size() - done));
        chunk = std::min<int64_t>(chunk, std::max<int64_t>(1, (m_cache->capacity() - m_keep) / 2));
        shiftOut(chunk, events, shifts);
        if (core::Status st = m_model.evaluate(tokens.data() + done, chunk, *m_cache, logits); !st)
            return st;
        m_tokens.insert(m_tokens.end(), tokens.begin() + ptrdiff_t(done), tokens.begin() + ptrdiff_t(done + size_t(chunk)));
        done += size_t(chunk);
        if (stopped && events.onPromptProgress)
            events.onPromptProgress(int64_t(done), int64_t(tokens.size()));
    }
    return core::okStatus();
}

PausedGeneration Conversation::capture(const std::vector<TokenId>& generated, const Sampler& sampler, std::vector<float> logits) const
{
    PausedGeneration c;
    c.tokens = generated;
    c.samplerState = sampler.state();
    c.cacheTokens = m_tokens;
    c.keep = m_keep;
    c.shifted = m_shifted;
    m_cache->copyOut(c.keys, c.values);
    c.logits = std::move(logits);
    return c;
}

core::Status Conversation::resume(PausedGeneration&& paused, const GenerationRequest& request)
{
    const PausedGeneration c = std::move(paused); // its keys and values go when this returns
    const auto refuse = [](const QString& what) { return core::Error(QStringLiteral("the paused generation %1").arg(what), core::Error::Kind::Invalid); };
    if (!request.messages.empty())
        return refuse(QStringLiteral("cannot go on as a chat: only a raw prompt's generation is resumed"));
    const int64_t vocabSize = m_model.config().vocabSize;
    const int64_t size = int64_t(c.cacheTokens.size());
    if (size == 0 || size > m_cache->capacity())
        return refuse(QStringLiteral("holds %1 positions, for a context of %2").arg(size).arg(m_cache->capacity()));
    if (int64_t(c.logits.size()) != vocabSize)
        return refuse(QStringLiteral("has %1 logits, for a vocabulary of %2").arg(c.logits.size()).arg(vocabSize));
    for (const std::vector<TokenId>* list : {&c.tokens, &c.cacheTokens})
        for (const TokenId t : *list)
            if (t < 0 || t >= vocabSize)
                return refuse(QStringLiteral("holds token %1, outside this model's vocabulary of %2").arg(t).arg(vocabSize));
    const uint64_t floats = uint64_t(m_cache->layers()) * uint64_t(size) * uint64_t(m_cache->width());
    if (c.keys.size() != floats || c.values.size() != floats)
        return refuse(QStringLiteral("has %1 key and %2 value floats; this model's KV cache holds %3 (%4 layers × %5 positions × %6)")
                          .arg(c.keys.size())
                          .arg(c.values.size())
                          .arg(floats)
                          .arg(m_cache->layers())
                          .arg(size)
                          .arg(m_cache->width()));
    if (Sampler probe(request.sampling); !probe.restoreState(c.samplerState))
        return refuse(QStringLiteral("has no sampler state this build can read"));
    // Its cache begins with this prompt: all of it and then the tokens generated where nothing was
    // shifted out; else the kept start, and the cache ends with the last tokens generated.
    int64_t keep = 0;
    const std::vector<TokenId> prompt = promptFor(request, &keep);
    std::vector<TokenId> whole = prompt;
    whole.insert(whole.end(), c.tokens.begin(), c.tokens.end());
    bool matches = c.keep >= 0 && c.keep <= size;
    if (matches && !c.shifted)
        matches = c.cacheTokens == whole;
    if (matches && c.shifted) {
        const size_t tail = std::min(size_t(size - c.keep), c.tokens.size());
        matches = c.keep <= int64_t(prompt.size()) && std::equal(prompt.begin(), prompt.begin() + ptrdiff_t(c.keep), c.cacheTokens.begin())
                  && std::equal(c.tokens.end() - ptrdiff_t(tail), c.tokens.end(), c.cacheTokens.end() - ptrdiff_t(tail));
    }
    if (!matches)
        return refuse(QStringLiteral("was not made from this prompt"));
    if (!m_cache->restore(size, c.keys, c.values)) // checked above: the sizes fit
        return refuse(QStringLiteral("has a KV cache this model cannot hold"));
    m_tokens = c.cacheTokens;
    m_keep = c.keep;
    m_shifted = c.shifted;
    m_messages.clear();
    m_resumed = Resumed{c.tokens, c.samplerState, c.logits};
    return core::okStatus();
}

core::Expected<GenerationResult> Conversation::generate(const GenerationRequest& request, const GenerationEvents& events)
{
    GenerationResult result;
    int64_t keep = 0;
    const std::vector<TokenId> prompt = promptFor(request, &keep);
    result.promptTokens = int64_t(prompt.size());
    if (prompt.empty())
        return core::Error(QStringLiteral("the prompt is empty"), core::Error::Kind::Invalid);
    const int64_t vocabSize = m_model.config().vocabSize;
    // Taken now: a refusal below leaves no resumed state behind for another request.
    std::optional<Resumed> resumed = std::exchange(m_resumed, std::nullopt);
    if (resumed && !request.messages.empty())
        return core::Error(QStringLiteral("a paused generation goes on in raw mode only"), core::Error::Kind::Invalid);

    // The prompt of a `generate`, or a chat's newest message, must fit beside the kept start (the
    // system prompt) with room for the answer to begin: else only its end would be read — the model
    // answering the last hundred words of a document, with a note that a few tokens were shifted out.
    // Refused with the sizes, as llama.cpp's llama-cli refuses a prompt (BOS included) longer than
    // n_ctx - 4. (Older turns of a chat still shift out as the context fills.)
    if (!request.messages.empty())
        if (core::Status room = checkSystemPromptRoom(request); !room)
            return room.error();
    // The newest message as the template renders it: the first user turn of a template without a
    // system turn carries the system text too.
    std::vector<ChatMessage> newestTurn;
    if (!request.messages.empty()) {
        const bool firstUserTurn = std::count_if(request.messages.begin(), request.messages.end(), [](const ChatMessage& m) { return m.role != "system"; }) == 1;
        if (request.chatTemplate.systemFormat.empty() && firstUserTurn)
            newestTurn = systemMessages(request);
        newestTurn.push_back(request.messages.back());
    }
    const int64_t newest = request.messages.empty() ? int64_t(prompt.size()) : messageTokens(request, newestTurn);
    // A raw prompt is counted with its BOS, as `llm tokenize` and llama-cli count it.
    const int64_t start = request.messages.empty() ? 0 : keep;
    if (const int64_t room = m_cache->capacity() - start - 4; newest > room) {
        const QString what = request.messages.empty() ? QStringLiteral("prompt") : QStringLiteral("message");
        return core::Error(QStringLiteral("the %1 is %2 tokens, more than a context of %3 tokens can read (at most %4, with room for the answer to "
                                          "start): only its last part would be read, and the model would answer that; %5 a shorter %1")
                               .arg(what, QString::number(newest), QString::number(m_cache->capacity()), QString::number(std::max<int64_t>(0, room)),
                                    largerContextAdvice()),
                           core::Error::Kind::Invalid);
    }

    std::vector<TokenId> toFeed;
    const bool extends = !request.messages.empty() && m_messages.size() <= request.messages.size() && !m_messages.empty()
                         && std::equal(m_messages.begin(), m_messages.end() - 1, request.messages.begin(), sameMessage)
                         && m_messages.back().role == request.messages[m_messages.size() - 1].role
                         && m_messages.size() < request.messages.size();
    if (m_shifted && extends) {
        // The cache no longer starts like a fresh rendering: append only the new turns.
        const ChatTemplate& t = request.chatTemplate;
        std::vector<TextSegment> delta;
        if (m_messages.back().role == "assistant")
            delta.push_back({closing(t.assistantFormat), true});
        ChatTemplate noBos = t;
        noBos.bos.clear();
        for (TextSegment& s : noBos.renderSegments({request.messages.begin() + ptrdiff_t(m_messages.size()), request.messages.end()}, true))
            delta.push_back(std::move(s));
        toFeed = m_tokenizer.tokenize(delta, false);
    } else if (!resumed) {
        if (m_shifted)
            reset();
        size_t common = 0;
        while (common < m_tokens.size() && common < prompt.size() && m_tokens[common] == prompt[common])
            ++common;
        if (common == prompt.size())
            --common; // evaluate at least the last token to have its logits
        m_cache->setSize(int64_t(common));
        m_tokens.resize(common);
        m_keep = keep;
        toFeed.assign(prompt.begin() + ptrdiff_t(common), prompt.end());
    }
    std::vector<float> logits;
    if (resumed) // the cache as the pause left it: nothing to read
        logits = std::move(resumed->logits);
    result.evaluatedPromptTokens = int64_t(toFeed.size());

    const auto promptStart = Clock::now();
    bool stoppedReading = false;
    const size_t tokensBefore = m_tokens.size();
    const int shiftsBefore = result.shifts;
    if (core::Status st = feed(toFeed, logits, events, result.shifts, &stoppedReading); !st)
        return st.error();
    result.promptSeconds = secondsSince(promptStart);
    if (stoppedReading) {
        // Stopped before the answer: what was read stays in the cache (a resend reuses it as a common
        // start). A shifted conversation appends whole turns only: its cache goes back to where this
        // message began (the next message appends from there), or, where this read shifted too,
        // starts over.
        if (m_shifted && result.shifts == shiftsBefore) {
            m_cache->setSize(int64_t(tokensBefore));
            m_tokens.resize(tokensBefore);
        } else if (m_shifted) {
            reset();
        }
        result.stop = GenerationResult::Stop::Cancelled;
        result.contextUsed = contextUsed();
        return result;
    }
    if (events.onPromptEvaluated)
        events.onPromptEvaluated(result.promptTokens);

    const auto genStart = Clock::now();
    Sampler sampler(request.sampling);
    TextStreamer streamer(request.messages.empty() ? std::vector<std::string>{} : request.chatTemplate.stop);
    const Vocab& vocab = m_tokenizer.vocab();
    if (resumed) {
        (void)sampler.restoreState(resumed->samplerState); // read by resume() already
        for (const TokenId t : resumed->tokens) {
            result.tokens.push_back(t);
            (void)streamer.push(m_tokenizer.piece(t, false));
        }
    }
    result.stop = GenerationResult::Stop::MaxTokens;
    while (int(result.tokens.size()) < request.maxTokens) {
        if (events.stopRequested && events.stopRequested()) {
            result.stop = GenerationResult::Stop::Cancelled;
            break;
        }
        const TokenId next = sampler.sample(logits.data(), vocabSize, m_tokens);
        if (vocab.isEndOfGeneration(next)) {
            result.stop = GenerationResult::Stop::EndOfGeneration;
            break;
        }
        result.tokens.push_back(next);
        const std::string shown = streamer.push(m_tokenizer.piece(next, false));
        if (events.onText)
            events.onText(shown, next);
        if (streamer.stopped()) {
            result.stop = GenerationResult::Stop::StopString;
            break;
        }
        if (core::Status st = feed({next}, logits, events, result.shifts); !st)
            return st.error();
        // Here the state is the one a pause before the next token keeps.
        if (request.messages.empty() && events.onSnapshot && events.snapshotWanted && events.snapshotWanted()) {
            try {
                events.onSnapshot(capture(result.tokens, sampler, logits));
            } catch (const std::bad_alloc&) {
                events.onSnapshot(PausedGeneration{}); // no memory for the copy: an empty state says so
            }
        }
    }
    const std::string rest = streamer.finish();
    if (!rest.empty() && events.onText)
        events.onText(rest, kNoToken);
    result.generationSeconds = secondsSince(genStart);
    result.text = streamer.text();
    result.contextUsed = contextUsed();
    if (result.stop == GenerationResult::Stop::Cancelled && request.messages.empty()) {
        try { // a copy of the KV cache: without the memory for it, the pause keeps nothing (the caller says so)
            result.paused = capture(result.tokens, sampler, std::move(logits));
        } catch (const std::bad_alloc&) {
            result.paused.reset();
        }
    }
    if (!request.messages.empty()) {
        m_messages = request.messages;
        m_messages.push_back({"assistant", result.text});
    } else {
        m_messages.clear();
    }
    return result;
}

} // namespace bioforge::llm
