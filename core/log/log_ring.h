#pragma once

// The last N log lines, with a sequence number per line so a reader (the UI
// log panel, polling on a timer) can ask for what it has not seen yet.
// Thread-safe.

#include <QList>
#include <QString>

#include <deque>
#include <mutex>

namespace bioforge::core {

struct LogLine {
    quint64 sequence = 0;
    qint64 timeMs = 0; // since the epoch
    int level = 0;     // spdlog level: 0 trace … 5 critical
    QString text;
};

class LogRing {
public:
    explicit LogRing(int capacity = 5000) : m_capacity(capacity) {}

    void append(qint64 timeMs, int level, QString text);
    QList<LogLine> since(quint64 afterSequence) const;
    quint64 lastSequence() const;
    // Lines kept; the oldest goes when one more arrives.
    int capacity() const { return m_capacity; }

private:
    int m_capacity;
    mutable std::mutex m_mutex;
    std::deque<LogLine> m_lines;
    quint64 m_next = 1;
};

} // namespace bioforge::core
