#pragma once

// ESM's alphabet and tokenizer, read from a model folder's vocab.txt (one
// token per line, line number = id), behaving as fair-esm's Alphabet does:
// the text is split on every vocabulary token in vocabulary order (white
// space around a token is dropped), the pieces left over are split on white
// space, and each is looked up whole — an unknown piece (a run such as "**"
// or "mkl") becomes one <unk>. encode() adds <cls> … <eos>. Unknown pieces
// are counted so the caller can report them; nothing is dropped silently.

#include "util/expected.h"

#include <QString>

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace bioforge::viral {

struct EsmEncoding {
    std::vector<int64_t> ids;
    std::vector<std::string> unknownPieces; // the pieces that became <unk>
};

class EsmAlphabet {
public:
    static core::Expected<EsmAlphabet> fromVocabFile(const QString& path);
    static core::Expected<EsmAlphabet> fromTokens(std::vector<std::string> tokens, const QString& source);

    int64_t size() const { return int64_t(m_tokens.size()); }
    int64_t cls() const { return m_cls; }
    int64_t pad() const { return m_pad; }
    int64_t eos() const { return m_eos; }
    int64_t unk() const { return m_unk; }
    int64_t mask() const { return m_mask; }
    const std::string& token(int64_t id) const { return m_tokens[size_t(id)]; }

    // fair-esm's Alphabet.tokenize.
    std::vector<std::string> tokenize(std::string_view text) const;
    // <cls> + ids of tokenize(text) (unknown → <unk>) + <eos>.
    EsmEncoding encode(std::string_view text) const;

private:
    std::vector<std::string> m_tokens;
    std::map<std::string, int64_t, std::less<>> m_ids;
    bool m_singleCharFast[256] = {}; // characters that are whole tokens
    bool m_fastPath = false;         // text of such characters maps one to one
    int64_t m_cls = -1, m_pad = -1, m_eos = -1, m_unk = -1, m_mask = -1;
};

} // namespace bioforge::viral
