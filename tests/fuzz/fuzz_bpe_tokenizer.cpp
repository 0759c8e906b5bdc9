// The GPT-2-style byte-level BPE tokenizer of the llm engine (qwen2, llama3,
// gpt-2 and starcoder pre-tokenizers; the first input byte picks one) on
// arbitrary bytes, with a vocabulary written here: the 256 byte symbols, BPE
// merges of common English pieces (each merge's result a token) and one
// control token. Invariants: every id is in the vocabulary; the round trip
// holds — detokenize(tokenize(text)) is the text, byte for byte, for valid
// UTF-8 (every byte has a symbol, so nothing may be lost); a text without
// special tokens never yields the control token's id; parsing special
// tokens out of the text never crashes.

#include "fuzz_support.h"
#include "gguf/gguf_file.h"
#include "gguf/gguf_writer.h"
#include "tokenizer/tokenizer.h"
#include "tokenizer/unicode_text.h"
#include "tokenizer/vocab.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>

#include <cstdio>
#include <cstdlib>
#include <set>

using namespace bioforge;

namespace {

// Merges as GPT-2's merges.txt writes them ("Ġ" is the space's symbol).
const char* const kMerges[] = {
    "Ġ t", "Ġ a", "h e", "i n", "r e", "o n", "Ġt he", "e r", "Ġ s", "a t", "Ġ w", "Ġ o", "e n", "Ġ c", "i t", "i s", "a n", "o r",
    "e s", "Ġ b", "e d", "Ġ f", "in g", "Ġ p", "o u", "Ġa n", "a l", "a r", "Ġt o", "Ġ m", "Ġo f", "Ġ in", "Ġ d", "Ġ h", "Ġan d",
    "i c", "a s", "l e", "Ġt h", "i on", "o m", "l l", "en t", "Ġ n", "Ġ l", "s t", "Ġ re", "v e", "Ġ e", "r o", "l y", "Ġb e",
    "Ġ g", "Ġ T", "c t", "Ġ S", "i d", "o t", "Ġ I", "u t", "e t", "Ġ A", "Ġi s", "Ġo n", "i m", "a m", "o w", "a y", "a d",
    "s e", "Ġth at", "Ġ C", "i g", "Ġf or", "a c", "Ġ y", "v er", "u r", "Ġ u", "l d", "Ġs t", "Ġ M", "' s", "Ġ he", "Ġ it",
    "at ion", "it h", "i r", "c e", "Ġy ou", "i l", "Ġ B", "Ġw h", "o l", "Ġ P", "Ġw ith", "Ġ 1", "t er", "c h", "Ġa s", "Ġw e",
    "Ġ (", "n d", "i ll", "Ġ D", "i f", "Ġ 2", "a g", "er s", "k e", "Ġ \"", "Ġ H", "e m", "Ġc on", "Ġ W", "Ġ R", "he r",
    "Ġw as", "Ġ r", "o d", "Ġ F", "u l", "at e", "Ġa t", "r i", "p p", "o re", "ĠT he", "Ġs e", "u s", "Ġp ro", "Ġh a",
    "u m", "Ġa re", "Ġd e", "a in", "an d", "Ġo r", "ig h", "es t", "is t", "a b", "r om", "Ġ N", "t h", "Ġc om", "Ġ G",
    "u n", "o p", "0 0", "Ġ L", "Ġn ot", "es s", "Ġe x", "Ġ v", "re s", "Ġ E", "e w", "it y", "an t", "Ġb y", "e l", "o s",
    "or t", "o c", "q u", "Ġf rom", "Ġha ve", "Ġs u", "i ve", "ou ld", "Ġs h", "Ġth is", "n t", "r a", "p e", "igh t", "ar t",
    "m ent", "a l", "u st", "en d", "- -", "al l", "Ġ O", "ac k", "c h", "Ġ le", "i es", "re d", "ar d", "â Ģ",
};

const llm::Tokenizer& tokenizer(int pre)
{
    static const char* const kPre[] = {"qwen2", "llama-bpe", "gpt-2", "starcoder"};
    static std::unique_ptr<llm::Tokenizer> cached[4];
    if (cached[pre])
        return *cached[pre];
    std::vector<std::string> tokens;
    std::vector<int32_t> types;
    std::set<std::string> known;
    for (int b = 0; b < 256; ++b) {
        tokens.push_back(llm::byteToUnicode(uint8_t(b)));
        types.push_back(1);
        known.insert(tokens.back());
    }
    std::vector<std::string> merges;
    for (const char* merge : kMerges) {
        const std::string m = merge;
        const size_t space = m.find(' ');
        const std::string joined = m.substr(0, space) + m.substr(space + 1);
        if (!known.insert(joined).second)
            continue; // a repeated merge in the list
        merges.push_back(m);
        tokens.push_back(joined);
        types.push_back(1);
    }
    tokens.push_back("<|endoftext|>");
    types.push_back(3);
    llm::GgufWriter w;
    w.setString("general.architecture", "qwen2");
    w.setString("tokenizer.ggml.model", "gpt2");
    w.setString("tokenizer.ggml.pre", kPre[pre]);
    w.setStringArray("tokenizer.ggml.tokens", tokens);
    w.setInt32Array("tokenizer.ggml.token_type", types);
    w.setStringArray("tokenizer.ggml.merges", merges);
    w.setUInt32("tokenizer.ggml.eos_token_id", uint32_t(tokens.size() - 1));
    w.setUInt32("tokenizer.ggml.bos_token_id", uint32_t(tokens.size() - 1));
    w.setBool("tokenizer.ggml.add_bos_token", false);
    const QString path = QDir::temp().filePath(QStringLiteral("bioforge-fuzz-bpe-%1-%2.gguf").arg(QCoreApplication::applicationPid()).arg(pre));
    auto vocab = [&]() -> core::Expected<std::shared_ptr<const llm::Vocab>> {
        if (auto st = w.write(path); !st)
            return st.error();
        auto file = llm::GgufFile::open(path);
        if (!file)
            return file.error();
        return llm::Vocab::fromGguf(**file);
    }();
    QFile::remove(path);
    if (!vocab) {
        std::fprintf(stderr, "fuzz: no vocabulary: %s\n", qPrintable(vocab.error().message()));
        std::abort();
    }
    cached[pre] = std::make_unique<llm::Tokenizer>(*vocab);
    return *cached[pre];
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    if (size == 0)
        return 0;
    const llm::Tokenizer& t = tokenizer(data[0] % 4);
    const std::string text(reinterpret_cast<const char*>(data + 1), size - 1);
    const llm::TokenId control = llm::TokenId(t.vocab().size() - 1);
    const std::vector<llm::TokenId> ids = t.tokenize(text, false, false);
    for (llm::TokenId id : ids) {
        fuzz::require(id >= 0 && id < llm::TokenId(t.vocab().size()), "a token id outside the vocabulary");
        fuzz::require(id != control, "the control token from a text read without special tokens");
    }
    const QByteArray bytes = QByteArray::fromStdString(text);
    if (QString::fromUtf8(bytes).toUtf8() == bytes) {
        const std::string back = t.detokenize(ids, false, true);
        fuzz::require(back == text, "the round trip changed the text", QString::fromUtf8(QByteArray::fromStdString(back).toHex()));
    }
    for (llm::TokenId id : t.tokenize(text, false, true))
        fuzz::require(id >= 0 && id < llm::TokenId(t.vocab().size()), "a token id outside the vocabulary (special tokens parsed)");
    return 0;
}
