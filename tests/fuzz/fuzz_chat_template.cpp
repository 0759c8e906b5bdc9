// Chat templates: a user's JSON override (before the first NUL byte) and
// messages (the rest, split at 0x01, roles in turn), plus family detection
// from arbitrary Jinja text. Invariants: a template that parses re-serialises
// to the same JSON; the segments joined are the rendered prompt; message text
// is never a segment where special tokens are parsed.

#include "chat/chat_template.h"
#include "fuzz_support.h"

#include <string>

using namespace bioforge;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    const std::string input(reinterpret_cast<const char*>(data), size);
    (void)llm::ChatTemplate::detect(input);
    const size_t nul = input.find('\0');
    auto parsed = llm::ChatTemplate::fromJson(input.substr(0, nul));
    if (!parsed) {
        fuzz::require(!parsed.error().message().trimmed().isEmpty(), "an error without a message");
        return 0;
    }
    const std::string json = parsed->toJson();
    auto again = llm::ChatTemplate::fromJson(json);
    fuzz::require(bool(again) && again->toJson() == json, "a template that changes on a round trip", QString::fromStdString(json));
    std::vector<llm::ChatMessage> messages;
    if (nul != std::string::npos) {
        static const char* roles[] = {"system", "user", "assistant", "user"};
        size_t start = nul + 1;
        for (int i = 0; start <= input.size() && i < 64; ++i) {
            const size_t end = std::min(input.find('\1', start), input.size());
            messages.push_back({roles[i % 4], input.substr(start, end - start)});
            start = end + 1;
        }
    }
    for (bool prompt : {false, true}) {
        std::string joined;
        for (const llm::TextSegment& s : parsed->renderSegments(messages, prompt))
            joined += s.text;
        fuzz::require(joined == parsed->render(messages, prompt), "segments that differ from the rendered prompt");
    }
    return 0;
}
