#pragma once

// The Unicode facts the tokenizers need: UTF-8 decoding (an invalid byte
// becomes U+FFFD and consumes one byte, as llama.cpp does), the general
// category class of a code point, the White_Space set, and GPT-2's
// byte <-> printable-character mapping.

#include <cstdint>
#include <string>
#include <vector>

namespace bioforge::llm {

enum class UnicodeClass : uint8_t { Undefined, Letter, Number, Separator, Mark, Punctuation, Symbol, Control };

struct CodepointInfo {
    UnicodeClass cls = UnicodeClass::Undefined;
    bool whitespace = false;
    bool isLetter() const { return cls == UnicodeClass::Letter; }
    bool isNumber() const { return cls == UnicodeClass::Number; }
};

// Sentinel for positions outside a fragment.
constexpr uint32_t kNoCodepoint = 0xFFFFFFFF;

std::vector<uint32_t> utf8ToCodepoints(const std::string& text);
std::string codepointToUtf8(uint32_t cpt);
size_t utf8SequenceLength(uint8_t firstByte); // 1..4 by the lead byte
CodepointInfo codepointInfo(uint32_t cpt);

// GPT-2 byte-level encoding: each byte maps to a printable code point.
const std::string& byteToUnicode(uint8_t byte);
// Reverse of byteToUnicode for one encoded character; -1 if it is none.
int unicodeToByte(const std::string& utf8Char);

} // namespace bioforge::llm
