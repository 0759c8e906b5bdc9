#include "tokenizer/vocab.h"

#include "gguf/gguf_file.h"
#include "tokenizer/unicode_text.h"

#include <QByteArray>

#include <algorithm>
#include <cctype>

namespace bioforge::llm {

using core::Error;

struct VocabLoader {
    static core::Status load(Vocab& v, const GgufFile& f);
    static core::Status loadKind(Vocab& v, const GgufFile& f);
    static void findSpecialTokens(Vocab& v, const GgufFile& f);
};

namespace {

// Token types stored in tokenizer.ggml.token_type.
uint32_t attrFromType(int64_t type)
{
    switch (type) {
    case 1: return TokenAttr::Normal;
    case 2: return TokenAttr::Unknown;
    case 3: return TokenAttr::Control;
    case 4: return TokenAttr::UserDefined;
    case 5: return TokenAttr::Unused;
    case 6: return TokenAttr::Byte;
    default: return TokenAttr::Undefined;
    }
}

QString q(const std::string& s) { return QString::fromStdString(s); }

} // namespace

core::Status VocabLoader::loadKind(Vocab& v, const GgufFile& f)
{
    auto model = f.getString("tokenizer.ggml.model");
    if (!model)
        return model.error();
    v.modelName = *model;
    v.preName = f.stringOr("tokenizer.ggml.pre", "");
    if (v.modelName == "llama") {
        v.kind = VocabKind::SentencePiece;
        v.bos = 1;
        v.eos = 2;
        v.unk = 0;
        v.addSpacePrefix = true;
        v.addBos = true;
        v.addEos = false;
    } else if (v.modelName == "gpt2") {
        v.kind = VocabKind::BytePairEncoding;
        v.bos = 11;
        v.eos = 11;
        v.addSpacePrefix = false;
        const std::string& p = v.preName;
        if (p == "llama3" || p == "llama-v3" || p == "llama-bpe" || p == "falcon3" || p == "dbrx" || p == "smaug-bpe") {
            v.pre = PreTokenizer::Llama3;
            v.ignoreMerges = p != "dbrx" && p != "smaug-bpe";
            v.addBos = v.ignoreMerges;
        } else if (p == "chatglm-bpe") {
            v.pre = PreTokenizer::Llama3;
            v.bos = kNoToken;
        } else if (p == "qwen2" || p == "deepseek-r1-qwen" || p == "stablelm2" || p == "megrez") {
            v.pre = PreTokenizer::Qwen2;
        } else if (p == "gpt-2" || p == "phi-2" || p == "jina-es" || p == "jina-de" || p == "gigachat" || p == "jina-v1-en"
                   || p == "jina-v2-es" || p == "jina-v2-de" || p == "jina-v2-code" || p == "roberta-bpe" || p == "mpt"
                   || p == "olmo" || p == "jais") {
            v.pre = PreTokenizer::Gpt2;
        } else if (p == "starcoder" || p == "refact" || p == "command-r" || p == "smollm" || p == "codeshell" || p == "exaone"
                   || p == "minerva-7b") {
            v.pre = PreTokenizer::StarCoder;
        } else {
            return Error(QStringLiteral("%1: pre-tokenizer '%2' is not supported (supported: gpt-2, llama3, qwen2, starcoder and their aliases)")
                             .arg(f.path(), q(p.empty() ? std::string("(none)") : p)));
        }
        auto merges = f.getArray("tokenizer.ggml.merges", GgufType::String);
        if (!merges)
            return merges.error();
        v.m_mergeRanks.reserve((*merges)->strings.size());
        for (size_t i = 0; i < (*merges)->strings.size(); ++i) {
            const std::string& m = (*merges)->strings[i];
            const size_t space = m.find(' ', 1);
            if (space == std::string::npos)
                continue; // llama.cpp keeps such a merge as ("", ""), which never matches
            v.m_mergeRanks.emplace(m.substr(0, space) + '\0' + m.substr(space + 1), int(i));
        }
    } else {
        return Error(QStringLiteral("%1: tokenizer model '%2' is not supported (supported: llama, gpt2)").arg(f.path(), q(v.modelName)));
    }
    v.addSpacePrefix = f.boolOr("tokenizer.ggml.add_space_prefix", v.addSpacePrefix);
    return core::okStatus();
}

void VocabLoader::findSpecialTokens(Vocab& v, const GgufFile& f)
{
    const auto n = TokenId(v.tokens.size());
    auto read = [&](const char* key, TokenId& id) {
        const int64_t value = f.integerOr(key, -1);
        if (value >= 0 && value < n)
            id = TokenId(value);
    };
    read("tokenizer.ggml.bos_token_id", v.bos);
    read("tokenizer.ggml.eos_token_id", v.eos);
    read("tokenizer.ggml.eot_token_id", v.eot);
    read("tokenizer.ggml.eom_token_id", v.eom);
    read("tokenizer.ggml.unknown_token_id", v.unk);
    read("tokenizer.ggml.seperator_token_id", v.sep);
    read("tokenizer.ggml.padding_token_id", v.pad);
    v.addBos = f.boolOr("tokenizer.ggml.add_bos_token", v.addBos);
    v.addEos = f.boolOr("tokenizer.ggml.add_eos_token", v.addEos);

    // Chat models mark turn ends with tokens the metadata may not name.
    auto markControl = [&](TokenId id) { v.tokens[size_t(id)].attr = TokenAttr::Control; };
    static const char* eotTexts[] = {"<|eot_id|>", "<|im_end|>", "<|end|>", "<end_of_turn>", "<|endoftext|>", "<EOT>",
                                     "<\xef\xbd\x9c" "end\xe2\x96\x81" "of\xe2\x96\x81" "sentence\xef\xbd\x9c>"};
    for (const char* text : eotTexts) {
        const TokenId id = v.find(text);
        if (id != kNoToken && v.eot == kNoToken) {
            v.eot = id;
            if (!(v.tokens[size_t(id)].attr & TokenAttr::Control))
                markControl(id);
        }
    }
    if (v.eom == kNoToken && v.find("<|eom_id|>") != kNoToken)
        v.eom = v.find("<|eom_id|>");
    for (const char* text : {"<|eot_id|>", "<|im_end|>", "<|end|>", "<end_of_turn>", "<|endoftext|>", "<|eom_id|>", "<EOT>"}) {
        const TokenId id = v.find(text);
        if (id != kNoToken) {
            v.endOfGeneration.insert(id);
            if (!(v.tokens[size_t(id)].attr & TokenAttr::Control))
                markControl(id);
        }
    }
    for (TokenId id : {v.eos, v.eot, v.eom})
        if (id != kNoToken)
            v.endOfGeneration.insert(id);

    if (v.kind == VocabKind::SentencePiece) {
        v.linefeed = v.byteToken('\n');
    }

    for (TokenId id = 0; id < n; ++id)
        if (v.tokens[size_t(id)].attr & (TokenAttr::Control | TokenAttr::UserDefined | TokenAttr::Unknown))
            v.specialTokens.push_back(id);
    std::stable_sort(v.specialTokens.begin(), v.specialTokens.end(), [&](TokenId a, TokenId b) {
        return v.tokens[size_t(a)].text.size() > v.tokens[size_t(b)].text.size();
    });

    // Per-model attribute fix-ups llama.cpp applies by name.
    std::string name = f.stringOr("general.name", "");
    std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return char(std::tolower(c)); });
    if (name.find("phi-3") != std::string::npos || name.find("phi3") != std::string::npos) {
        for (TokenId id : v.specialTokens)
            v.tokens[size_t(id)].attr |= TokenAttr::RStrip;
        for (const char* t : {"</s>"})
            if (v.find(t) != kNoToken)
                v.tokens[size_t(v.find(t))].attr |= TokenAttr::RStrip;
        for (const char* t : {"<unk>", "<s>", "<|endoftext|>"})
            if (v.find(t) != kNoToken)
                v.tokens[size_t(v.find(t))].attr &= ~TokenAttr::RStrip;
    }
}

core::Status VocabLoader::load(Vocab& v, const GgufFile& f)
{
    if (core::Status st = loadKind(v, f); !st)
        return st;
    auto tokens = f.getArray("tokenizer.ggml.tokens", GgufType::String);
    if (!tokens)
        return tokens.error();
    const std::vector<std::string>& texts = (*tokens)->strings;
    if (texts.empty())
        return Error(QStringLiteral("%1: tokenizer.ggml.tokens is empty").arg(f.path()));
    const std::vector<double>* scores = nullptr;
    if (f.find("tokenizer.ggml.scores")) {
        auto s = f.getArray("tokenizer.ggml.scores", GgufType::Float32);
        if (!s)
            return s.error();
        if ((*s)->floats.size() != texts.size())
            return Error(QStringLiteral("%1: %2 scores for %3 tokens").arg(f.path(), QString::number((*s)->floats.size()), QString::number(texts.size())));
        scores = &(*s)->floats;
    }
    const std::vector<int64_t>* types = nullptr;
    if (f.find("tokenizer.ggml.token_type")) {
        auto t = f.getArray("tokenizer.ggml.token_type", GgufType::Int32);
        if (!t)
            return t.error();
        if ((*t)->integers.size() != texts.size())
            return Error(QStringLiteral("%1: %2 token types for %3 tokens").arg(f.path(), QString::number((*t)->integers.size()),
                                                                                QString::number(texts.size())));
        types = &(*t)->integers;
    }
    v.tokens.resize(texts.size());
    v.m_textToId.reserve(texts.size());
    for (size_t i = 0; i < texts.size(); ++i) {
        TokenData& t = v.tokens[i];
        t.text = texts[i].empty() ? "[EMPTY_" + std::to_string(i) + "]" : texts[i];
        t.score = scores ? float((*scores)[i]) : 0.0f;
        t.attr = types ? attrFromType((*types)[i]) : TokenAttr::Normal;
        v.m_textToId[t.text] = TokenId(i); // a repeated text maps to its last id, as in llama.cpp
    }
    if (v.kind == VocabKind::SentencePiece)
        for (size_t i = 0; i < v.tokens.size(); ++i) {
            TokenData& t = v.tokens[i];
            if (!(t.attr & TokenAttr::Byte))
                continue;
            // A byte-fallback token must read "<0xHH>"; anything else is a broken vocabulary, refused here
            // rather than met (or misread) in the middle of a generation.
            bool ok = t.text.size() == 6 && t.text.compare(0, 3, "<0x") == 0 && t.text[5] == '>';
            const int value = ok ? QByteArray::fromStdString(t.text.substr(3, 2)).toInt(&ok, 16) : -1;
            if (!ok || !std::isxdigit(static_cast<unsigned char>(t.text[3])) || !std::isxdigit(static_cast<unsigned char>(t.text[4])))
                return Error(QStringLiteral("%1: token %2 is a byte-fallback token, but its text '%3' is not of the form <0xHH>")
                                 .arg(f.path(), QString::number(i), q(t.text)));
            t.byte = value;
        }
    findSpecialTokens(v, f);
    // Defaults (bos = 1, …) are llama.cpp's; in a vocabulary too small for them they name no token.
    for (TokenId* id : {&v.bos, &v.eos, &v.eot, &v.eom, &v.unk, &v.pad, &v.sep, &v.linefeed})
        if (*id != kNoToken && size_t(*id) >= v.tokens.size())
            *id = kNoToken;
    v.chatTemplate = f.stringOr("tokenizer.chat_template", "");
    return core::okStatus();
}

core::Expected<std::shared_ptr<const Vocab>> Vocab::fromGguf(const GgufFile& file)
{
    auto vocab = std::make_shared<Vocab>();
    if (core::Status st = VocabLoader::load(*vocab, file); !st)
        return st.error();
    return std::shared_ptr<const Vocab>(std::move(vocab));
}

TokenId Vocab::find(const std::string& text) const
{
    const auto it = m_textToId.find(text);
    return it == m_textToId.end() ? kNoToken : it->second;
}

int Vocab::mergeRank(const std::string& left, const std::string& right) const
{
    std::string key;
    key.reserve(left.size() + right.size() + 1);
    key.append(left).push_back('\0');
    key.append(right);
    const auto it = m_mergeRanks.find(key);
    return it == m_mergeRanks.end() ? -1 : it->second;
}

TokenId Vocab::byteToken(uint8_t byte) const
{
    if (kind == VocabKind::SentencePiece) {
        static const char* hex = "0123456789ABCDEF";
        const char buf[7] = {'<', '0', 'x', hex[byte >> 4], hex[byte & 15], '>', 0};
        const TokenId id = find(buf);
        return id != kNoToken ? id : find(std::string(1, char(byte)));
    }
    return find(byteToUnicode(byte));
}

} // namespace bioforge::llm
