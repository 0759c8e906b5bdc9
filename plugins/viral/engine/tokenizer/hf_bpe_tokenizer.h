#pragma once

// A Hugging Face `tokenizer.json` BPE tokenizer (what DNABERT-2 / DNABERT-S
// ship), read without Python: the BPE model (vocab, merges by rank, unk
// token, fuse_unk), the added tokens (matched in the raw text first,
// leftmost-longest), the `Whitespace` pre-tokenizer (\w+|[^\w\s]+) or none,
// and the post-processor (`TemplateProcessing` single template or
// `BertProcessing`) that adds [CLS] … [SEP]. The file's stored `padding` and
// `truncation` are ignored, as transformers ignores them per call. A
// component this reader does not implement is an error naming it, never a
// silent difference.

#include "util/expected.h"

#include <QString>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace bioforge::viral {

class HfBpeTokenizer {
public:
    static core::Expected<HfBpeTokenizer> fromFile(const QString& path);
    static core::Expected<HfBpeTokenizer> fromJson(const QByteArray& json, const QString& source);

    // Ids of `text`, with the post-processor's special tokens when asked.
    std::vector<int64_t> encode(std::string_view text, bool addSpecialTokens = true) const;

    int64_t vocabSize() const { return int64_t(m_vocab.size()); }
    int64_t unkId() const { return m_unk; }
    int64_t tokenId(std::string_view token) const; // -1 when absent
    int64_t padId() const { return m_pad; }         // "[PAD]" / "<pad>", or -1

private:
    struct Merge {
        int rank;
        int64_t result;
    };
    struct TemplatePiece {
        bool sequence = false;      // $A
        std::vector<int64_t> ids;   // a special token's ids
    };

    void encodeWord(std::string_view word, std::vector<int64_t>& out) const;
    void encodePlain(std::string_view text, std::vector<int64_t>& out) const;

    std::unordered_map<std::string, int64_t> m_vocab;
    std::unordered_map<uint64_t, Merge> m_merges; // (left << 32 | right) -> rank, merged id
    std::vector<std::pair<std::string, int64_t>> m_added; // longest first
    std::vector<TemplatePiece> m_template;
    int64_t m_unk = -1;
    int64_t m_pad = -1;
    bool m_fuseUnk = false;
    bool m_whitespacePreTokenizer = false;
};

} // namespace bioforge::viral
