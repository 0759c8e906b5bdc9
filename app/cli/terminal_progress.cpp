#include "terminal_progress.h"

#include "jobs/job_scheduler.h"

#include <cstdio>
#include <unistd.h>

namespace bioforge::cli {

TerminalProgress::TerminalProgress(core::JobScheduler& scheduler, bool quiet, QObject* parent)
    : QObject(parent), m_scheduler(scheduler), m_tty(isatty(STDERR_FILENO) == 1), m_quiet(quiet)
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

QString TerminalProgress::line(const QString& title, const core::ProgressSnapshot& s)
{
    constexpr int kBar = 20;
    const int filled = int(s.fraction * kBar);
    const QString bar = QString(filled, QLatin1Char('#')) + QString(kBar - filled, QLatin1Char('.'));
    QString text = QStringLiteral("%1 [%2] %3% %4").arg(title, bar, QStringLiteral("%1").arg(int(s.fraction * 100), 3), s.stageLabel);
    if (s.stageTotal > 0)
        text += QStringLiteral(" %1/%2").arg(QString::number(s.stageDone), QString::number(s.stageTotal));
    if (s.unitsPerSecond > 0)
        text += QLatin1Char(' ') + core::formatRate(s.unitsPerSecond, s.unit);
    if (s.warnings > 0)
        text += QStringLiteral(" warnings %1").arg(s.warnings);
    text += QStringLiteral(" ETA %1").arg(s.etaMs ? formatDuration(*s.etaMs) : QStringLiteral("unknown"));
    text += QStringLiteral(" elapsed %1").arg(formatDuration(s.elapsedMs));
    return text;
}

void TerminalProgress::tick()
{
    if (m_quiet)
        return;
    for (const auto& h : m_scheduler.handles()) {
        if (h->state() != core::RunState::Running)
            continue;
        const core::ProgressSnapshot s = h->snapshot();
        const QString text = line(h->record().title, s);
        if (m_tty) {
            std::fprintf(stderr, "\r%-110s", qPrintable(text.left(110)));
            std::fflush(stderr);
            m_openLine = true;
        } else {
            const int decile = int(s.fraction * 10);
            if (m_lastDecile.value(h->runId(), -1) != decile) {
                m_lastDecile.insert(h->runId(), decile);
                std::fprintf(stderr, "%s\n", qPrintable(text));
            }
        }
    }
}

void TerminalProgress::finishLine()
{
    if (m_openLine) {
        std::fprintf(stderr, "\n");
        m_openLine = false;
    }
}

} // namespace bioforge::cli
