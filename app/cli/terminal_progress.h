#pragma once

// Prints the progress of running jobs on the terminal (stderr): a line
// refreshed in place on a TTY, a line per tenth of progress otherwise.
// It only reads snapshots; it never touches the jobs.

#include <QHash>
#include <QObject>
#include <QTimer>

#include <cstdio>

namespace bioforge::core {
class JobScheduler;
struct ProgressSnapshot;
} // namespace bioforge::core

namespace bioforge::cli {

class TerminalProgress : public QObject {
    Q_OBJECT
public:
    // Writes to `out` (stderr; a test's file); a TTY gets the line redrawn in place.
    explicit TerminalProgress(core::JobScheduler& scheduler, bool quiet, QObject* parent = nullptr, std::FILE* out = stderr);
    static QString formatDuration(qint64 ms);
    // "TITLE [####......]  30% Stage 3/10 1.2 MB/s ETA 0:07 elapsed 0:03"; within `width` columns
    // less one when width > 0 (the title shortened with "…" first, then the end cut).
    static QString line(const QString& title, const core::ProgressSnapshot& s, int width = 0);
    // The terminal's columns (stderr's window size, else $COLUMNS, else 80).
    static int terminalColumns();
    void finishLine();
    // One refresh (the timer's): each running run's line; a run's notice (ProgressSnapshot::notice),
    // when it appears or changes, on a line of its own ("TITLE: NOTICE"), even with `quiet`.
    void tick();

private:

    core::JobScheduler& m_scheduler;
    QTimer m_timer;
    bool m_tty;
    bool m_quiet;
    bool m_openLine = false;
    QHash<QString, int> m_lastDecile;
    QHash<QString, QString> m_lastNotice;
    std::FILE* m_out;
};

} // namespace bioforge::cli
