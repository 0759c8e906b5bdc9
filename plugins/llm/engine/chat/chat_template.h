#pragma once

// Chat formats. A model's tokenizer.chat_template (Jinja) is recognised as
// one of the common families (ChatML, llama-2, llama-3, mistral, gemma,
// phi-3, zephyr) and rendered by a small, exact formatter; the user can
// override it with a JSON description of the same fields.

#include "tokenizer/tokenizer.h"
#include "util/expected.h"

#include <string>
#include <vector>

namespace bioforge::llm {

struct ChatMessage {
    std::string role; // system, user, assistant
    std::string content;
};

struct ChatTemplate {
    std::string family;          // chatml, llama2, llama3, mistral, gemma, phi3, zephyr, custom
    std::string bos;             // text before everything (e.g. "<|begin_of_text|>"), parsed as special
    std::string systemFormat;    // "{content}" is replaced; empty: system joins the first user turn
    std::string userFormat;
    std::string assistantFormat;
    std::string generationPrompt;
    std::string systemJoin;      // how a merged system prompt precedes the first user message
    std::vector<std::string> stop; // strings that end a reply

    static ChatTemplate named(const std::string& family);
    // Recognises the family from a Jinja template (or the default, ChatML, for none).
    static ChatTemplate detect(const std::string& jinja);
    static core::Expected<ChatTemplate> fromJson(const std::string& json);
    std::string toJson() const;

    // The prompt for `messages`, ending with the generation prompt when asked,
    // as segments: the template's own text may hold special tokens, the
    // messages' content is text (a user who types "<|im_end|>" cannot end
    // the turn or open a system turn).
    std::vector<TextSegment> renderSegments(const std::vector<ChatMessage>& messages, bool addGenerationPrompt) const;
    // The same joined into one string (for display and for counting).
    std::string render(const std::vector<ChatMessage>& messages, bool addGenerationPrompt) const;
};

} // namespace bioforge::llm
