#include "tokenizer/merge_tokenizers.h"

#include "tokenizer/unicode_text.h"

#include <map>
#include <queue>

namespace bioforge::llm {
namespace {

struct Symbol {
    int prev;
    int next;
    const char* text;
    size_t length;
};

std::vector<Symbol> splitCharacters(const std::string& text)
{
    std::vector<Symbol> symbols;
    size_t offset = 0;
    int index = 0;
    while (offset < text.size()) {
        const size_t len = std::min(text.size() - offset, utf8SequenceLength(uint8_t(text[offset])));
        symbols.push_back({index - 1, offset + len == text.size() ? -1 : index + 1, text.data() + offset, len});
        offset += len;
        ++index;
    }
    return symbols;
}

void mergeInto(std::vector<Symbol>& symbols, int left, int right)
{
    Symbol& l = symbols[size_t(left)];
    Symbol& r = symbols[size_t(right)];
    l.length += r.length;
    r.length = 0;
    l.next = r.next;
    if (r.next >= 0)
        symbols[size_t(r.next)].prev = left;
}

struct SpmPair {
    int left, right;
    float score;
    size_t size;
};
struct SpmOrder {
    bool operator()(const SpmPair& a, const SpmPair& b) const { return a.score < b.score || (a.score == b.score && a.left > b.left); }
};

class SpmSession {
public:
    SpmSession(const Vocab& vocab, const std::string& text) : m_vocab(vocab), m_symbols(splitCharacters(text)) {}

    void encode(std::vector<TokenId>& out)
    {
        for (int i = 1; i < int(m_symbols.size()); ++i)
            tryPair(i - 1, i);
        while (!m_queue.empty()) {
            const SpmPair p = m_queue.top();
            m_queue.pop();
            Symbol& l = m_symbols[size_t(p.left)];
            Symbol& r = m_symbols[size_t(p.right)];
            if (l.length == 0 || r.length == 0 || l.length + r.length != p.size)
                continue; // one side was merged since this pair was queued
            mergeInto(m_symbols, p.left, p.right);
            tryPair(l.prev, p.left);
            tryPair(p.left, l.next);
        }
        for (int i = 0; i != -1 && !m_symbols.empty(); i = m_symbols[size_t(i)].next)
            resegment(m_symbols[size_t(i)], out);
    }

private:
    void tryPair(int left, int right)
    {
        if (left == -1 || right == -1)
            return;
        const std::string text(m_symbols[size_t(left)].text, m_symbols[size_t(left)].length + m_symbols[size_t(right)].length);
        const TokenId id = m_vocab.find(text);
        if (id == kNoToken)
            return;
        m_queue.push({left, right, m_vocab.tokens[size_t(id)].score, text.size()});
        m_reverseMerge[text] = {left, right};
    }

    void resegment(const Symbol& symbol, std::vector<TokenId>& out)
    {
        const std::string text(symbol.text, symbol.length);
        const TokenId id = m_vocab.find(text);
        if (id != kNoToken) {
            out.push_back(id);
            return;
        }
        const auto it = m_reverseMerge.find(text);
        if (it == m_reverseMerge.end()) {
            for (unsigned char byte : text) {
                const TokenId b = m_vocab.byteToken(byte) != kNoToken ? m_vocab.byteToken(byte) : m_vocab.unk;
                if (b != kNoToken) // a vocabulary without that byte token: <unk>, and never the id -1
                    out.push_back(b);
            }
            return;
        }
        resegment(m_symbols[size_t(it->second.first)], out);
        resegment(m_symbols[size_t(it->second.second)], out);
    }

    const Vocab& m_vocab;
    std::vector<Symbol> m_symbols;
    std::priority_queue<SpmPair, std::vector<SpmPair>, SpmOrder> m_queue;
    std::map<std::string, std::pair<int, int>> m_reverseMerge;
};

struct BpePair {
    int left, right;
    std::string text;
    int rank;
};
struct BpeOrder {
    bool operator()(const BpePair& a, const BpePair& b) const { return a.rank > b.rank || (a.rank == b.rank && a.left > b.left); }
};

} // namespace

void sentencePieceEncode(const Vocab& vocab, const std::string& text, std::vector<TokenId>& out)
{
    SpmSession(vocab, text).encode(out);
}

void bytePairEncode(const Vocab& vocab, const std::string& word, std::vector<TokenId>& out)
{
    if (vocab.ignoreMerges) {
        const TokenId whole = vocab.find(word);
        if (whole != kNoToken) {
            out.push_back(whole);
            return;
        }
    }
    std::vector<Symbol> symbols = splitCharacters(word);
    std::priority_queue<BpePair, std::vector<BpePair>, BpeOrder> queue;
    auto tryPair = [&](int left, int right) {
        if (left == -1 || right == -1)
            return;
        const std::string l(symbols[size_t(left)].text, symbols[size_t(left)].length);
        const std::string r(symbols[size_t(right)].text, symbols[size_t(right)].length);
        const int rank = vocab.mergeRank(l, r);
        if (rank >= 0)
            queue.push({left, right, l + r, rank});
    };
    for (int i = 1; i < int(symbols.size()); ++i)
        tryPair(i - 1, i);
    while (!queue.empty()) {
        const BpePair p = queue.top();
        queue.pop();
        Symbol& l = symbols[size_t(p.left)];
        Symbol& r = symbols[size_t(p.right)];
        if (l.length == 0 || r.length == 0 || std::string(l.text, l.length) + std::string(r.text, r.length) != p.text)
            continue; // outdated
        mergeInto(symbols, p.left, p.right);
        tryPair(l.prev, p.left);
        tryPair(p.left, l.next);
    }
    for (const Symbol& s : symbols) {
        if (s.length == 0)
            continue;
        const std::string text(s.text, s.length);
        const TokenId id = vocab.find(text);
        if (id != kNoToken) {
            out.push_back(id);
            continue;
        }
        for (char byte : text) { // not a token: its single bytes, where those are tokens
            const TokenId b = vocab.find(std::string(1, byte));
            if (b != kNoToken)
                out.push_back(b);
        }
    }
}

} // namespace bioforge::llm
