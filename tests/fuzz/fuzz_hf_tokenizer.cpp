// Hugging Face tokenizer.json (BPE, as DNABERT-S ships it): the JSON before
// the first NUL byte, then the text after it encoded with and without the
// post-processor's special tokens. Invariants: an error names the source;
// encoding never crashes and gives ids only for texts it was given.

#include "fuzz_support.h"
#include "tokenizer/hf_bpe_tokenizer.h"

using namespace bioforge;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    const QByteArray input = QByteArray::fromRawData(reinterpret_cast<const char*>(data), qsizetype(size));
    const qsizetype nul = input.indexOf('\0');
    const QString source = QStringLiteral("fuzz-tokenizer.json");
    auto tokenizer = viral::HfBpeTokenizer::fromJson(nul < 0 ? input : input.left(nul), source);
    if (!tokenizer) {
        fuzz::requireNamesFile(tokenizer.error().message(), source);
        return 0;
    }
    const std::string text = nul < 0 ? std::string() : input.mid(nul + 1).toStdString();
    const std::vector<int64_t> plain = tokenizer->encode(text, false);
    fuzz::require(!text.empty() || plain.empty(), "ids for an empty text");
    (void)tokenizer->encode(text, true);
    return 0;
}
