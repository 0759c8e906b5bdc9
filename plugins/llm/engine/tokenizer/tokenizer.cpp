#include "tokenizer/tokenizer.h"

#include "tokenizer/merge_tokenizers.h"
#include "tokenizer/pre_tokenizer.h"
#include "tokenizer/unicode_text.h"

#include <cctype>
#include <iterator>
#include <list>

namespace bioforge::llm {
namespace {

const std::string kSpaceMark = "\xe2\x96\x81"; // U+2581, SentencePiece's visible space

void replaceAll(std::string& s, const std::string& from, const std::string& to)
{
    for (size_t pos = 0; (pos = s.find(from, pos)) != std::string::npos; pos += to.size())
        s.replace(pos, from.size(), to);
}

} // namespace

std::vector<Tokenizer::Fragment> Tokenizer::partition(const std::string& text, std::vector<Fragment> initial) const
{
    std::list<Fragment> fragments(initial.begin(), initial.end());
    for (TokenId special : m_vocab->specialTokens) {
        const TokenData& data = m_vocab->tokens[size_t(special)];
        const bool control = data.attr & (TokenAttr::Control | TokenAttr::Unknown);
        for (auto it = fragments.begin(); it != fragments.end(); ++it) {
            if (it->token != kNoToken)
                continue;
            if (control && !it->parseSpecial)
                continue; // user-defined tokens are split out even without parseSpecial
            size_t offset = it->offset, length = it->length;
            bool split = false;
            std::list<Fragment> pieces;
            for (;;) {
                const size_t match = text.find(data.text, offset);
                if (match == std::string::npos || match + data.text.size() > offset + length)
                    break;
                size_t leftLength = match - offset;
                if (data.attr & TokenAttr::LStrip)
                    while (leftLength > 0 && std::isspace(static_cast<unsigned char>(text[offset + leftLength - 1])))
                        --leftLength;
                if (leftLength > 0)
                    pieces.push_back({kNoToken, offset, leftLength, it->parseSpecial});
                pieces.push_back({special, 0, 0, false});
                split = true;
                size_t rightOffset = match + data.text.size();
                size_t rightLength = offset + length - rightOffset;
                if (data.attr & TokenAttr::RStrip)
                    while (rightLength > 0 && std::isspace(static_cast<unsigned char>(text[rightOffset]))) {
                        ++rightOffset;
                        --rightLength;
                    }
                offset = rightOffset;
                length = rightLength;
                if (length == 0)
                    break;
            }
            if (!split)
                continue;
            if (length > 0)
                pieces.push_back({kNoToken, offset, length, it->parseSpecial});
            it = fragments.erase(it);
            it = fragments.insert(it, pieces.begin(), pieces.end());
            std::advance(it, std::ptrdiff_t(pieces.size()) - 1);
        }
    }
    // Text fragments that touch (segments of one prompt) are encoded as one text.
    std::vector<Fragment> merged;
    for (const Fragment& f : fragments) {
        if (f.token == kNoToken && f.length == 0)
            continue;
        if (f.token == kNoToken && !merged.empty() && merged.back().token == kNoToken && merged.back().offset + merged.back().length == f.offset)
            merged.back().length += f.length;
        else
            merged.push_back(f);
    }
    return merged;
}

std::vector<TokenId> Tokenizer::tokenize(const std::string& text, bool addSpecial, bool parseSpecial) const
{
    return encode(text, text.empty() ? std::vector<Fragment>{} : partition(text, {{kNoToken, 0, text.size(), parseSpecial}}), addSpecial);
}

std::vector<TokenId> Tokenizer::tokenize(const std::vector<TextSegment>& segments, bool addSpecial) const
{
    std::string text;
    std::vector<Fragment> initial;
    for (const TextSegment& s : segments) {
        if (s.text.empty())
            continue;
        initial.push_back({kNoToken, text.size(), s.text.size(), s.parseSpecial});
        text += s.text;
    }
    return encode(text, partition(text, std::move(initial)), addSpecial);
}

std::vector<TokenId> Tokenizer::encode(const std::string& text, const std::vector<Fragment>& fragments, bool addSpecial) const
{
    const Vocab& v = *m_vocab;
    std::vector<TokenId> out;
    if (addSpecial && v.addBos && v.bos != kNoToken)
        out.push_back(v.bos);
    if (v.kind == VocabKind::SentencePiece) {
        bool previousWasSpecial = true; // the first piece gets the space prefix
        for (const Fragment& f : fragments) {
            if (f.token != kNoToken) {
                out.push_back(f.token);
                previousWasSpecial = true;
                continue;
            }
            std::string piece = v.addSpacePrefix && previousWasSpecial ? " " : "";
            piece += text.substr(f.offset, f.length);
            replaceAll(piece, " ", kSpaceMark);
            sentencePieceEncode(v, piece, out);
            previousWasSpecial = false;
        }
    } else {
        for (const Fragment& f : fragments) {
            if (f.token != kNoToken) {
                out.push_back(f.token);
                continue;
            }
            for (const std::string& word : preTokenize(text.substr(f.offset, f.length), v.pre))
                bytePairEncode(v, word, out);
        }
    }
    if (addSpecial && v.addEos && v.eos != kNoToken)
        out.push_back(v.eos);
    return out;
}

std::string Tokenizer::piece(TokenId token, bool special) const
{
    const Vocab& v = *m_vocab;
    if (token < 0 || size_t(token) >= v.size())
        return {};
    const TokenData& t = v.tokens[size_t(token)];
    if (!special && (t.attr & (TokenAttr::Control | TokenAttr::Unknown)))
        return {};
    if (t.attr & (TokenAttr::Control | TokenAttr::Unknown | TokenAttr::UserDefined))
        return t.text;
    if (v.kind == VocabKind::SentencePiece) {
        if (t.attr & TokenAttr::Byte) // "<0xAB>", decoded and checked when the vocabulary was loaded
            return t.byte >= 0 ? std::string(1, char(t.byte)) : std::string();
        std::string text = t.text;
        replaceAll(text, kSpaceMark, " ");
        return text;
    }
    std::string bytes;
    for (uint32_t cpt : utf8ToCodepoints(t.text)) {
        const int b = unicodeToByte(codepointToUtf8(cpt));
        if (b >= 0)
            bytes.push_back(char(b));
    }
    return bytes;
}

std::string Tokenizer::detokenize(const std::vector<TokenId>& tokens, bool special, bool removeLeadingSpace) const
{
    std::string text;
    for (size_t i = 0; i < tokens.size(); ++i) {
        std::string p = piece(tokens[i], special);
        // SentencePiece prefixes a space to the text; the first token carries it.
        if (i == 0 && removeLeadingSpace && m_vocab->addSpacePrefix && !p.empty() && p[0] == ' ')
            p.erase(0, 1);
        text += p;
    }
    return text;
}

} // namespace bioforge::llm
