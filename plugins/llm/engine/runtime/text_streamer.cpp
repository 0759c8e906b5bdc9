#include "runtime/text_streamer.h"

#include "tokenizer/unicode_text.h"

#include <algorithm>

namespace bioforge::llm {
namespace {

// Bytes at the end of `s` that start a UTF-8 sequence not yet complete.
size_t incompleteUtf8Tail(const std::string& s)
{
    for (size_t back = 1; back <= std::min<size_t>(4, s.size()); ++back) {
        const auto c = uint8_t(s[s.size() - back]);
        if ((c & 0xC0) == 0x80)
            continue; // continuation byte: look further back
        const size_t need = utf8SequenceLength(c);
        return need > back ? back : 0;
    }
    return 0;
}

} // namespace

std::string TextStreamer::push(const std::string& piece)
{
    if (m_stopped)
        return {};
    m_pending += piece;
    for (const std::string& stop : m_stops) {
        const size_t at = stop.empty() ? std::string::npos : m_pending.find(stop);
        if (at != std::string::npos) {
            m_pending.resize(at);
            m_stopped = true;
        }
    }
    if (m_stopped) {
        std::string out = m_pending;
        m_pending.clear();
        m_text += out;
        return out;
    }
    // Hold back the longest tail that is a prefix of a stop string.
    size_t hold = incompleteUtf8Tail(m_pending);
    for (const std::string& stop : m_stops)
        for (size_t len = std::min(stop.size() - 1, m_pending.size()); len > hold; --len)
            if (m_pending.compare(m_pending.size() - len, len, stop, 0, len) == 0) {
                hold = len;
                break;
            }
    std::string out = m_pending.substr(0, m_pending.size() - hold);
    m_pending.erase(0, m_pending.size() - hold);
    m_text += out;
    return out;
}

std::string TextStreamer::finish()
{
    std::string out = m_stopped ? std::string() : m_pending;
    m_pending.clear();
    m_text += out;
    return out;
}

} // namespace bioforge::llm
