#pragma once

// A model's vocabulary as its GGUF metadata describes it: tokens with scores
// and attributes, BPE merges, special-token ids, BOS/EOS rules and the
// pre-tokenizer, with llama.cpp's defaults and fix-ups where the metadata is
// silent (so ids equal llama.cpp's).

#include "util/expected.h"

#include <cstdint>
#include <memory>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

namespace bioforge::llm {

class GgufFile;

using TokenId = int32_t;
constexpr TokenId kNoToken = -1;

namespace TokenAttr {
enum : uint32_t {
    Undefined = 0, Unknown = 1u << 0, Unused = 1u << 1, Normal = 1u << 2, Control = 1u << 3,
    UserDefined = 1u << 4, Byte = 1u << 5, LStrip = 1u << 7, RStrip = 1u << 8,
};
}

enum class VocabKind { SentencePiece, BytePairEncoding };
enum class PreTokenizer { None, Gpt2, Llama3, Qwen2, StarCoder };

struct TokenData {
    std::string text;
    float score = 0;
    uint32_t attr = TokenAttr::Normal;
    int byte = -1; // the byte a SentencePiece byte-fallback token ("<0xHH>") stands for
};

class Vocab {
public:
    static core::Expected<std::shared_ptr<const Vocab>> fromGguf(const GgufFile& file);

    VocabKind kind = VocabKind::SentencePiece;
    PreTokenizer pre = PreTokenizer::None;
    std::string modelName;  // tokenizer.ggml.model
    std::string preName;    // tokenizer.ggml.pre
    std::vector<TokenData> tokens;

    TokenId bos = kNoToken, eos = kNoToken, eot = kNoToken, eom = kNoToken, unk = kNoToken, pad = kNoToken,
            sep = kNoToken, linefeed = kNoToken;
    std::set<TokenId> endOfGeneration;
    bool addBos = false, addEos = false, addSpacePrefix = false, ignoreMerges = false;
    std::string chatTemplate;

    // Tokens that split the text before tokenizing (control, user-defined,
    // unknown), longest text first.
    std::vector<TokenId> specialTokens;

    size_t size() const { return tokens.size(); }
    TokenId find(const std::string& text) const;
    int mergeRank(const std::string& left, const std::string& right) const; // -1: no merge
    TokenId byteToken(uint8_t byte) const;                                  // kNoToken if absent
    bool isEndOfGeneration(TokenId id) const { return endOfGeneration.count(id) != 0; }

private:
    std::unordered_map<std::string, TokenId> m_textToId;
    std::unordered_map<std::string, int> m_mergeRanks; // "left\0right"
    friend struct VocabLoader;
};

} // namespace bioforge::llm
