// Benchmarks of the workbench shell (figures in docs/performance.md):
//  1. cold start of the GUI to a shown window (the real program, offscreen);
//  2. event-loop latency on the UI thread while two CPU jobs saturate both
//     cores (a 10 ms timer's lateness, p50/p99), with the Jobs dock polling;
//  3. cost of progress reporting: JobContext::advance() per call, and its
//     overhead at 1 M units/s.
// Prints figures; asserts nothing.

#include "jobs/clock.h"
#include "jobs/job_context.h"
#include "jobs/job_scheduler.h"
#include "log/logging.h"
#include "runs/run_service.h"
#include "runs/session.h"
#include "shell/main_window.h"

#include <QApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTimer>

#include <algorithm>
#include <cstdio>
#include <vector>

using namespace bioforge;

namespace {

double percentile(std::vector<double> v, double p)
{
    if (v.empty())
        return 0;
    std::sort(v.begin(), v.end());
    return v[std::min(v.size() - 1, size_t(p / 100.0 * double(v.size())))];
}

void coldStart(const QString& workbench, const QString& project)
{
    std::vector<double> ms;
    for (int i = 0; i < 5; ++i) {
        QProcess p;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
        p.setProcessEnvironment(env);
        QElapsedTimer t;
        t.start();
        p.start(workbench, {QStringLiteral("--project"), project, QStringLiteral("--quit-when-shown")});
        p.waitForReadyRead(60000);
        const bool shown = p.readAllStandardOutput().contains("shown");
        const double elapsed = double(t.nsecsElapsed()) / 1e6;
        p.waitForFinished(30000);
        if (shown)
            ms.push_back(elapsed);
    }
    std::printf("cold start to shown window (offscreen, %zu runs): median %.0f ms, max %.0f ms\n", ms.size(),
                percentile(ms, 50), percentile(ms, 100));
}

void uiLatencyUnderLoad(const QString& projectDir)
{
    core::Session session(core::Session::Options{2, {}, {}});
    ui::MainWindow window(session);
    window.openProject(projectDir, true);
    window.show();
    const QJsonObject heavy{{QStringLiteral("units"), 400}, {QStringLiteral("work"), 20000}};
    for (int i = 0; i < 2; ++i)
        (void)session.runs()->start(QStringLiteral("workbench"), QStringLiteral("selftest"), heavy);
    std::vector<double> lateness;
    QElapsedTimer clock;
    clock.start();
    qint64 last = clock.nsecsElapsed();
    QTimer tick;
    tick.setTimerType(Qt::PreciseTimer);
    QObject::connect(&tick, &QTimer::timeout, [&] {
        const qint64 now = clock.nsecsElapsed();
        lateness.push_back(std::max(0.0, double(now - last) / 1e6 - 10.0));
        last = now;
        if (now > 8'000'000'000LL)
            QApplication::quit();
    });
    tick.start(10);
    QApplication::exec();
    std::printf("UI event-loop lateness with 2 CPU jobs running (10 ms timer, %zu samples): p50 %.2f ms, p99 %.2f ms, max %.2f ms\n",
                lateness.size(), percentile(lateness, 50), percentile(lateness, 99), percentile(lateness, 100));
    session.scheduler().pauseAllAndWait();
}

void progressOverhead()
{
    const core::Clock& clock = core::SteadyClock::instance();
    core::JobContext ctx(QStringLiteral("bench"), clock, {});
    constexpr qint64 n = 20'000'000;
    ctx.beginStage(QStringLiteral("s"), n);
    volatile quint64 sink = 0;
    QElapsedTimer t;
    t.start();
    for (qint64 i = 0; i < n; ++i)
        sink = sink + quint64(i);
    const double baseNs = double(t.nsecsElapsed()) / double(n);
    t.restart();
    for (qint64 i = 0; i < n; ++i) {
        sink = sink + quint64(i);
        ctx.advance();
    }
    const double withNs = double(t.nsecsElapsed()) / double(n);
    const double perCall = withNs - baseNs;
    std::printf("progress reporting: %.1f ns per advance(); at 1 M units/s that is %.2f %% of one core\n", perCall,
                perCall * 1e6 / 1e9 * 100.0);
}

} // namespace

int main(int argc, char** argv)
{
    qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    QStandardPaths::setTestModeEnabled(true);
    core::Logging::initialize(core::Logging::Console::Off);
    QTemporaryDir dir;
    const QString workbench = QDir(QCoreApplication::applicationDirPath()).filePath(QStringLiteral("../../bin/bioforge-workbench"));
    progressOverhead();
    coldStart(workbench, dir.filePath(QStringLiteral("start")));
    uiLatencyUnderLoad(dir.filePath(QStringLiteral("load")));
    return 0;
}
