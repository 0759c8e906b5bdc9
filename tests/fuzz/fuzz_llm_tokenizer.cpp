// The llama (SentencePiece, byte-fallback) tokenizer of a synthesized model
// on arbitrary bytes. Invariants: every id is in the vocabulary; the round
// trip holds — detokenize(tokenize(text)) is the text, byte for byte, for any
// bytes (invalid UTF-8 goes through the <0xNN> byte tokens); parsing special
// tokens out of the text never crashes.

#include "fuzz_support.h"
#include "gguf/gguf_file.h"
#include "synth/model_synthesizer.h"
#include "tokenizer/tokenizer.h"
#include "tokenizer/vocab.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>

#include <cstdio>
#include <cstdlib>

using namespace bioforge;

namespace {

const llm::Tokenizer& tokenizer()
{
    static const llm::Tokenizer t = [] {
        llm::SynthSpec spec;
        spec.embedding = 32;
        spec.layers = 1;
        spec.heads = 2;
        spec.kvHeads = 1;
        spec.feedForward = 64;
        spec.vocab = 800;
        spec.context = 64;
        spec.weightType = "F32";
        const QString path = QDir::temp().filePath(QStringLiteral("bioforge-fuzz-tokenizer-%1.gguf").arg(QCoreApplication::applicationPid()));
        auto vocab = [&]() -> core::Expected<std::shared_ptr<const llm::Vocab>> {
            if (auto st = llm::ModelSynthesizer::write(spec, path); !st)
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
        return llm::Tokenizer(*vocab);
    }();
    return t;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    const llm::Tokenizer& t = tokenizer();
    const std::string text(reinterpret_cast<const char*>(data), size);
    const std::vector<llm::TokenId> ids = t.tokenize(text, false, false);
    for (llm::TokenId id : ids)
        fuzz::require(id >= 0 && id < llm::TokenId(t.vocab().size()), "a token id outside the vocabulary");
    const QByteArray bytes = QByteArray::fromStdString(text);
    const bool validUtf8 = QString::fromUtf8(bytes).toUtf8() == bytes;
    if (validUtf8 && text.find("\xe2\x96\x81") == std::string::npos) {
        const std::string back = t.detokenize(ids, false, true);
        fuzz::require(back == text, "the round trip changed the text", QString::fromUtf8(QByteArray::fromStdString(back).toHex()));
    }
    (void)t.tokenize(text, true, true);
    return 0;
}
