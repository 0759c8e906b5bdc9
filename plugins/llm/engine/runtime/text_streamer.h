#pragma once

// Turns token pieces into text that is safe to show as it streams: holds
// back an incomplete UTF-8 sequence and any tail that could be the start of
// a stop string, and reports when a stop string has appeared (the text then
// ends before it).

#include <string>
#include <vector>

namespace bioforge::llm {

class TextStreamer {
public:
    explicit TextStreamer(std::vector<std::string> stopStrings) : m_stops(std::move(stopStrings)) {}

    // Adds a piece; returns the text that can be shown now.
    std::string push(const std::string& piece);
    // Whatever is held back, at the end of generation.
    std::string finish();
    bool stopped() const { return m_stopped; }
    const std::string& text() const { return m_text; } // everything shown so far

private:
    std::vector<std::string> m_stops;
    std::string m_pending;
    std::string m_text;
    bool m_stopped = false;
};

} // namespace bioforge::llm
