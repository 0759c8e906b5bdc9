// ESM-2's alphabet: a vocabulary (the lines before the first NUL byte, as
// vocab.txt holds them) and a protein text (after it). Invariants: an error
// names the source; every id of an encoding is in the alphabet and it starts
// with <cls> and ends with <eos>.

#include "fuzz_support.h"
#include "tokenizer/esm_alphabet.h"

using namespace bioforge;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    const std::string input(reinterpret_cast<const char*>(data), size);
    const size_t nul = input.find('\0');
    std::vector<std::string> tokens;
    const std::string vocab = input.substr(0, nul);
    for (size_t start = 0; start < vocab.size();) {
        const size_t end = std::min(vocab.find('\n', start), vocab.size());
        tokens.push_back(vocab.substr(start, end - start));
        start = end + 1;
    }
    const QString source = QStringLiteral("fuzz-vocab.txt");
    auto alphabet = viral::EsmAlphabet::fromTokens(tokens, source);
    if (!alphabet) {
        fuzz::requireNamesFile(alphabet.error().message(), source);
        return 0;
    }
    const viral::EsmEncoding e = alphabet->encode(nul == std::string::npos ? std::string_view() : std::string_view(input).substr(nul + 1));
    fuzz::require(e.ids.size() >= 2 && e.ids.front() == alphabet->cls() && e.ids.back() == alphabet->eos(), "an encoding without <cls> … <eos>");
    for (int64_t id : e.ids)
        fuzz::require(id >= 0 && id < alphabet->size(), "an id outside the alphabet");
    return 0;
}
