#include "terminal_progress.h"

#include "jobs/job_scheduler.h"

#include <cstdio>
#include <sys/ioctl.h>
#include <unistd.h>

namespace bioforge::cli {

TerminalProgress::TerminalProgress(core::JobScheduler& scheduler, bool quiet, QObject* parent, std::FILE* out)
    : QObject(parent), m_scheduler(scheduler), m_tty(isatty(fileno(out)) == 1), m_quiet(quiet), m_out(out)
{
    connect(&m_timer, &QTimer::timeout, this, &TerminalProgress::tick);
    m_timer.start(m_tty ? 250 : 1000);
}

QString TerminalProgress::formatDuration(qint64 ms)
{
    const qint64 s = ms / 1000;
    if (s >= 3600)
        return QStringLiteral("%1:%2:%3").arg(s / 3600).arg((s / 60) % 60, 2, 10, QLatin1Char('0')).arg(s % 60, 2, 10, QLatin1Char('0'));
    return QStringLiteral("%1:%2").arg(s / 60).arg(s % 60, 2, 10, QLatin1Char('0'));
}

QString TerminalProgress::line(const QString& title, const core::ProgressSnapshot& s, int width)
{
    constexpr int kBar = 20;
    const int filled = int(s.fraction * kBar);
    const QString bar = QString(filled, QLatin1Char('#')) + QString(kBar - filled, QLatin1Char('.'));
    const QString done = QStringLiteral("[%1] %2%").arg(bar, QStringLiteral("%1").arg(int(s.fraction * 100), 3));
    QString detail = QLatin1Char(' ') + s.stageLabel;
    if (s.stageTotal > 0)
        detail += QStringLiteral(" %1/%2").arg(QString::number(s.stageDone), QString::number(s.stageTotal));
    if (!s.message.isEmpty()) // what the stage does now (a cluster run's shards done, running, queued)
        detail += QStringLiteral(" — ") + s.message;
    if (s.unitsPerSecond > 0)
        detail += QLatin1Char(' ') + core::formatRate(s.unitsPerSecond, s.unit);
    if (s.warnings > 0)
        detail += QStringLiteral(" warnings %1").arg(s.warnings);
    const QString times = QStringLiteral(" ETA %1 elapsed %2").arg(s.etaMs ? formatDuration(*s.etaMs) : QStringLiteral("unknown"), formatDuration(s.elapsedMs));
    if (width <= 0)
        return title + QLatin1Char(' ') + done + detail + times;
    // A line that wraps leaves a stale half line at each redraw. The last column stays free (no
    // wrap on any terminal); the title gives way first, then the stage's details: the bar, the
    // ETA and the elapsed time are what the line is for.
    const auto elided = [](const QString& text, qsizetype room) {
        return text.size() <= room ? text : room >= 2 ? text.left(room - 1) + QChar(0x2026) : QString();
    };
    const qsizetype room = qsizetype(width) - 1;
    const qsizetype fixed = done.size() + times.size();
    const QString head = room - fixed - detail.size() - 1 >= 8 ? elided(title, room - fixed - detail.size() - 1) : QString();
    const qsizetype used = (head.isEmpty() ? 0 : head.size() + 1) + fixed;
    const QString text = (head.isEmpty() ? QString() : head + QLatin1Char(' ')) + done + elided(detail, room - used) + times;
    return text.left(room);
}

int TerminalProgress::terminalColumns()
{
    winsize size{};
    if (::ioctl(STDERR_FILENO, TIOCGWINSZ, &size) == 0 && size.ws_col > 0)
        return size.ws_col;
    bool ok = false;
    const int columns = qEnvironmentVariableIntValue("COLUMNS", &ok);
    return ok && columns > 0 ? columns : 80;
}

void TerminalProgress::tick()
{
    for (const auto& h : m_scheduler.handles()) {
        if (h->state() != core::RunState::Running)
            continue;
        const core::ProgressSnapshot s = h->snapshot();
        if (s.notice != m_lastNotice.value(h->runId())) {
            m_lastNotice.insert(h->runId(), s.notice);
            if (!s.notice.isEmpty()) {
                finishLine();
                std::fprintf(m_out, "%s: %s\n", qUtf8Printable(h->record().title), qUtf8Printable(s.notice));
                std::fflush(m_out);
            }
        }
        if (m_quiet)
            continue;
        if (m_tty) { // redrawn in place, within the terminal's width (asked each time: a window may be resized), the rest erased
            const QString text = line(h->record().title, s, terminalColumns());
            std::fprintf(m_out, "\r%s\x1b[K", qUtf8Printable(text));
            std::fflush(m_out);
            m_openLine = true;
        } else {
            const QString text = line(h->record().title, s);
            const int decile = int(s.fraction * 10);
            if (m_lastDecile.value(h->runId(), -1) != decile) {
                m_lastDecile.insert(h->runId(), decile);
                std::fprintf(m_out, "%s\n", qUtf8Printable(text));
            }
        }
    }
}

void TerminalProgress::finishLine()
{
    if (m_openLine) {
        std::fprintf(m_out, "\n");
        m_openLine = false;
    }
}

} // namespace bioforge::cli
