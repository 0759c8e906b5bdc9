#include "tokenizer/pre_tokenizer.h"

#include "tokenizer/unicode_text.h"

namespace bioforge::llm {
namespace {

// A view of one fragment of the code points; outside it, nothing matches.
class Fragment {
public:
    Fragment(const std::vector<uint32_t>& cpts, size_t begin, size_t end) : m_cpts(cpts), m_begin(begin), m_end(end) {}
    size_t begin() const { return m_begin; }
    size_t end() const { return m_end; }
    uint32_t at(size_t pos) const { return pos >= m_begin && pos < m_end ? m_cpts[pos] : kNoCodepoint; }
    CodepointInfo info(size_t pos) const { return pos >= m_begin && pos < m_end ? codepointInfo(m_cpts[pos]) : CodepointInfo{}; }
    bool inside(size_t pos) const { return pos >= m_begin && pos < m_end; }

private:
    const std::vector<uint32_t>& m_cpts;
    size_t m_begin, m_end;
};

// Appends word lengths (in code points) for consecutive matches of a split.
class Splitter {
public:
    Splitter(std::vector<size_t>& out, size_t start) : m_out(out), m_prev(start) {}
    size_t cut(size_t end)
    {
        const size_t len = end - m_prev;
        if (len > 0)
            m_out.push_back(len);
        m_prev = end;
        return len;
    }

private:
    std::vector<size_t>& m_out;
    size_t m_prev;
};

bool isContractionTail(uint32_t c1, uint32_t c2, bool caseInsensitive)
{
    auto lower = [&](uint32_t c) { return caseInsensitive && c >= 'A' && c <= 'Z' ? c + 32 : c; };
    c1 = lower(c1);
    c2 = lower(c2);
    return (c1 == 'r' && c2 == 'e') || (c1 == 'v' && c2 == 'e') || (c1 == 'l' && c2 == 'l');
}

bool isContraction1(uint32_t c, bool caseInsensitive)
{
    if (caseInsensitive && c >= 'A' && c <= 'Z')
        c += 32;
    return c == 's' || c == 't' || c == 'm' || c == 'd';
}

// Whitespace alternatives shared by the expressions: [\s*[\r\n]+ |] \s+(?!\S) | \s+.
bool splitWhitespace(const Fragment& f, size_t& pos, Splitter& s, bool newlineRule)
{
    size_t count = 0, lastNewlineEnd = 0;
    while (f.info(pos + count).whitespace) {
        const uint32_t c = f.at(pos + count);
        if (c == '\r' || c == '\n')
            lastNewlineEnd = pos + count + 1;
        ++count;
    }
    if (newlineRule && lastNewlineEnd > 0) { // \s*[\r\n]+
        pos = lastNewlineEnd;
        s.cut(pos);
        return true;
    }
    if (count > 1 && f.inside(pos + count)) { // \s+(?!\S): leave the last space to the next word
        pos += count - 1;
        s.cut(pos);
        return true;
    }
    if (count > 0) { // \s+
        pos += count;
        s.cut(pos);
        return true;
    }
    return false;
}

// 's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
void splitGpt2(const Fragment& f, std::vector<size_t>& out)
{
    Splitter s(out, f.begin());
    for (size_t pos = f.begin(); pos < f.end();) {
        const uint32_t c = f.at(pos);
        if (c == '\'' && pos + 1 < f.end()) {
            if (isContraction1(f.at(pos + 1), false)) {
                pos += s.cut(pos + 2);
                continue;
            }
            if (pos + 2 < f.end() && isContractionTail(f.at(pos + 1), f.at(pos + 2), false)) {
                pos += s.cut(pos + 3);
                continue;
            }
        }
        CodepointInfo next = c == ' ' ? f.info(pos + 1) : f.info(pos);
        if (next.isLetter() || next.isNumber()) {
            const bool letters = next.isLetter();
            pos += c == ' ';
            while (letters ? next.isLetter() : next.isNumber())
                next = f.info(++pos);
            s.cut(pos);
            continue;
        }
        if (!next.whitespace && !next.isLetter() && !next.isNumber() && f.inside(c == ' ' ? pos + 1 : pos)) {
            pos += c == ' ';
            while (!next.whitespace && !next.isLetter() && !next.isNumber() && f.inside(pos))
                next = f.info(++pos);
            s.cut(pos);
            continue;
        }
        if (splitWhitespace(f, pos, s, false))
            continue;
        s.cut(++pos); // no alternative matched: one code point on its own
    }
}

// (?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,D}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+
// with D = 3 (LLaMA-3) or 1 (Qwen2).
void splitLlama3(const Fragment& f, std::vector<size_t>& out, size_t maxDigits)
{
    Splitter s(out, f.begin());
    for (size_t pos = f.begin(); pos < f.end();) {
        const uint32_t c = f.at(pos);
        const CodepointInfo info = f.info(pos);
        if (c == '\'' && pos + 1 < f.end()) {
            if (isContraction1(f.at(pos + 1), true)) {
                pos += s.cut(pos + 2);
                continue;
            }
            if (pos + 2 < f.end() && isContractionTail(f.at(pos + 1), f.at(pos + 2), true)) {
                pos += s.cut(pos + 3);
                continue;
            }
        }
        if (!(c == '\r' || c == '\n' || info.isNumber()) && (info.isLetter() || f.info(pos + 1).isLetter())) {
            ++pos; // the optional leading non-letter, or the first letter
            while (f.info(pos).isLetter())
                ++pos;
            s.cut(pos);
            continue;
        }
        if (info.isNumber()) {
            size_t start = pos;
            while (f.info(pos).isNumber()) {
                if (++pos - start >= maxDigits) {
                    s.cut(pos);
                    start = pos;
                }
            }
            s.cut(pos);
            continue;
        }
        CodepointInfo next = c == ' ' ? f.info(pos + 1) : info;
        if (!next.whitespace && !next.isLetter() && !next.isNumber() && f.inside(c == ' ' ? pos + 1 : pos)) {
            pos += c == ' ';
            while (!next.whitespace && !next.isLetter() && !next.isNumber() && f.inside(pos))
                next = f.info(++pos);
            while (f.at(pos) == '\r' || f.at(pos) == '\n')
                ++pos;
            s.cut(pos);
            continue;
        }
        if (splitWhitespace(f, pos, s, true))
            continue;
        s.cut(++pos);
    }
}

// \p{N} first (each digit a word), then the GPT-2 expression within the rest.
void splitStarCoder(const std::vector<uint32_t>& cpts, const Fragment& f, std::vector<size_t>& out)
{
    size_t start = f.begin();
    for (size_t pos = f.begin(); pos <= f.end(); ++pos) {
        if (pos < f.end() && !f.info(pos).isNumber())
            continue;
        if (pos > start)
            splitGpt2(Fragment(cpts, start, pos), out);
        if (pos < f.end())
            out.push_back(1);
        start = pos + 1;
    }
}

} // namespace

std::vector<std::string> preTokenize(const std::string& text, PreTokenizer pre)
{
    const std::vector<uint32_t> cpts = utf8ToCodepoints(text);
    std::vector<size_t> lengths;
    const Fragment all(cpts, 0, cpts.size());
    switch (pre) {
    case PreTokenizer::Gpt2: splitGpt2(all, lengths); break;
    case PreTokenizer::Llama3: splitLlama3(all, lengths, 3); break;
    case PreTokenizer::Qwen2: splitLlama3(all, lengths, 1); break;
    case PreTokenizer::StarCoder: splitStarCoder(cpts, all, lengths); break;
    case PreTokenizer::None: lengths.push_back(cpts.size()); break;
    }
    std::vector<std::string> words;
    words.reserve(lengths.size());
    size_t start = 0;
    for (size_t len : lengths) {
        std::string utf8;
        for (size_t i = start; i < start + len; ++i)
            utf8 += codepointToUtf8(cpts[i]);
        std::string encoded;
        for (unsigned char byte : utf8)
            encoded += byteToUnicode(byte);
        words.push_back(std::move(encoded));
        start += len;
    }
    return words;
}

} // namespace bioforge::llm
