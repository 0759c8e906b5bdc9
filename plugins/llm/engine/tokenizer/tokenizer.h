#pragma once

// Text <-> token ids for a vocabulary: special tokens are split out first
// (control tokens only when parseSpecial is set, user-defined ones always),
// then SentencePiece-style or byte-level BPE encoding; BOS/EOS follow the
// vocabulary's rules when addSpecial is set. Ids equal llama.cpp's.

#include "tokenizer/vocab.h"

#include <memory>
#include <string>
#include <vector>

namespace bioforge::llm {

// A piece of a prompt and whether special-token texts in it may become
// special tokens: true for what a chat template inserts, false for what a
// person typed (so "<|im_end|>" in a message stays text).
struct TextSegment {
    std::string text;
    bool parseSpecial = false;
};

class Tokenizer {
public:
    explicit Tokenizer(std::shared_ptr<const Vocab> vocab) : m_vocab(std::move(vocab)) {}

    const Vocab& vocab() const { return *m_vocab; }
    std::vector<TokenId> tokenize(const std::string& text, bool addSpecial, bool parseSpecial) const;
    // The segments as one text (ids equal those of the joined text wherever no
    // special token is refused), special tokens split out only where allowed.
    std::vector<TokenId> tokenize(const std::vector<TextSegment>& segments, bool addSpecial) const;

    // The bytes a token stands for (control tokens only when `special`).
    std::string piece(TokenId token, bool special) const;
    // Joins pieces; drops the leading space SentencePiece adds when removeLeadingSpace.
    std::string detokenize(const std::vector<TokenId>& tokens, bool special, bool removeLeadingSpace = true) const;

private:
    struct Fragment {
        TokenId token; // kNoToken for text
        size_t offset;
        size_t length;
        bool parseSpecial = false; // control tokens may be split out of this text
    };
    std::vector<Fragment> partition(const std::string& text, std::vector<Fragment> fragments) const;
    std::vector<TokenId> encode(const std::string& text, const std::vector<Fragment>& fragments, bool addSpecial) const;

    std::shared_ptr<const Vocab> m_vocab;
};

} // namespace bioforge::llm
