#include "tokenizer/unicode_text.h"

#include <algorithm>
#include <array>
#include <unordered_map>

namespace bioforge::llm {
namespace {

struct ClassRun {
    uint32_t first;
    UnicodeClass cls;
};

constexpr ClassRun kRuns[] = {
#include "tokenizer/data/unicode_classes.inc"
};

bool isWhiteSpace(uint32_t c)
{
    // The Unicode White_Space property.
    return (c >= 0x09 && c <= 0x0D) || c == 0x20 || c == 0x85 || c == 0xA0 || c == 0x1680 || (c >= 0x2000 && c <= 0x200A)
           || c == 0x2028 || c == 0x2029 || c == 0x202F || c == 0x205F || c == 0x3000;
}

struct ByteMaps {
    std::array<std::string, 256> toUnicode;
    std::unordered_map<std::string, uint8_t> toByte;
    ByteMaps()
    {
        // Printable Latin-1 bytes map to themselves; the rest to U+0100 upwards, in byte order.
        int next = 0;
        for (int b = 0; b < 256; ++b) {
            const bool printable = (b >= 0x21 && b <= 0x7E) || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            toUnicode[size_t(b)] = codepointToUtf8(printable ? uint32_t(b) : uint32_t(256 + next++));
            toByte[toUnicode[size_t(b)]] = uint8_t(b);
        }
    }
};

const ByteMaps& byteMaps()
{
    static const ByteMaps maps;
    return maps;
}

} // namespace

size_t utf8SequenceLength(uint8_t b)
{
    static const size_t lookup[16] = {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 3, 4};
    return lookup[b >> 4];
}

std::vector<uint32_t> utf8ToCodepoints(const std::string& text)
{
    std::vector<uint32_t> out;
    out.reserve(text.size());
    const auto* s = reinterpret_cast<const uint8_t*>(text.data());
    const size_t n = text.size();
    auto cont = [&](size_t i) { return i < n && (s[i] & 0xC0) == 0x80; };
    size_t i = 0;
    while (i < n) {
        const uint8_t b = s[i];
        if (b < 0x80) {
            out.push_back(b);
            i += 1;
        } else if ((b & 0xE0) == 0xC0 && cont(i + 1)) {
            out.push_back(uint32_t(b & 0x1F) << 6 | (s[i + 1] & 0x3F));
            i += 2;
        } else if ((b & 0xF0) == 0xE0 && cont(i + 1) && cont(i + 2)) {
            out.push_back(uint32_t(b & 0x0F) << 12 | uint32_t(s[i + 1] & 0x3F) << 6 | (s[i + 2] & 0x3F));
            i += 3;
        } else if ((b & 0xF8) == 0xF0 && cont(i + 1) && cont(i + 2) && cont(i + 3)) {
            out.push_back(uint32_t(b & 0x07) << 18 | uint32_t(s[i + 1] & 0x3F) << 12 | uint32_t(s[i + 2] & 0x3F) << 6 | (s[i + 3] & 0x3F));
            i += 4;
        } else {
            out.push_back(0xFFFD); // invalid: one replacement character per bad byte
            i += 1;
        }
    }
    return out;
}

std::string codepointToUtf8(uint32_t c)
{
    std::string out;
    if (c <= 0x7F) {
        out.push_back(char(c));
    } else if (c <= 0x7FF) {
        out.push_back(char(0xC0 | (c >> 6)));
        out.push_back(char(0x80 | (c & 0x3F)));
    } else if (c <= 0xFFFF) {
        out.push_back(char(0xE0 | (c >> 12)));
        out.push_back(char(0x80 | ((c >> 6) & 0x3F)));
        out.push_back(char(0x80 | (c & 0x3F)));
    } else if (c <= 0x10FFFF) {
        out.push_back(char(0xF0 | (c >> 18)));
        out.push_back(char(0x80 | ((c >> 12) & 0x3F)));
        out.push_back(char(0x80 | ((c >> 6) & 0x3F)));
        out.push_back(char(0x80 | (c & 0x3F)));
    }
    return out;
}

CodepointInfo codepointInfo(uint32_t cpt)
{
    CodepointInfo info;
    if (cpt > 0x10FFFF)
        return info;
    const auto it = std::upper_bound(std::begin(kRuns), std::end(kRuns), cpt,
                                     [](uint32_t c, const ClassRun& run) { return c < run.first; });
    info.cls = (it - 1)->cls;
    info.whitespace = isWhiteSpace(cpt);
    return info;
}

const std::string& byteToUnicode(uint8_t byte) { return byteMaps().toUnicode[byte]; }

int unicodeToByte(const std::string& utf8Char)
{
    const auto& map = byteMaps().toByte;
    const auto it = map.find(utf8Char);
    return it == map.end() ? -1 : it->second;
}

} // namespace bioforge::llm
