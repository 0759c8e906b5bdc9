#include "cli_context.h"

#include "exit_codes.h"
#include "common/interrupt_bridge.h"
#include "terminal_progress.h"

#include "jobs/job_scheduler.h"
#include "runs/session.h"
#include "settings/workbench_settings.h"
#include "store/project.h"
#include "store/project_store.h"

#include <QDir>
#include <QRegularExpression>
#include <QEventLoop>
#include <QProcessEnvironment>

namespace bioforge::cli {

CliContext::CliContext(CliOptions options, QTextStream& out, QTextStream& err)
    : m_options(std::move(options)), m_out(out), m_err(err)
{
}

CliContext::~CliContext() = default;

core::Session& CliContext::session()
{
    if (!m_session) {
        core::Session::Options options;
        options.maxConcurrentJobs = core::WorkbenchSettings().maxConcurrentJobs();
        m_session = std::make_unique<core::Session>(options);
    }
    return *m_session;
}

QString CliContext::projectFolder() const
{
    if (!m_options.project.isEmpty())
        return m_options.project;
    const QString env = QProcessEnvironment::systemEnvironment().value(QStringLiteral("BIOFORGE_PROJECT"));
    if (!env.isEmpty())
        return env;
    return core::WorkbenchSettings().defaultProjectFolder();
}

bool CliContext::projectNamed() const
{
    return !m_options.project.isEmpty() || !QProcessEnvironment::systemEnvironment().value(QStringLiteral("BIOFORGE_PROJECT")).isEmpty();
}

core::Project* CliContext::project(bool create, bool remember)
{
    core::Session& s = session();
    if (!s.project()) {
        if (core::Status st = s.openProject(projectFolder(), create); !st) {
            m_err << "bioforge: " << st.error().message() << Qt::endl;
            return nullptr;
        }
        if (remember)
            core::WorkbenchSettings().noteProjectUsed(s.project()->folder());
    }
    return s.project();
}

int CliContext::waitForRuns(const QStringList& runIds, bool listOutputs, const QString& pausedHint)
{
    core::JobScheduler& scheduler = session().scheduler();
    TerminalProgress progress(scheduler, m_options.quiet);
    app::InterruptBridge interrupts;
    QEventLoop loop;
    auto allEnded = [&] {
        for (const QString& id : runIds) {
            auto h = scheduler.handle(id);
            if (h && (h->state() == core::RunState::Queued || h->state() == core::RunState::Running))
                return false;
        }
        return true;
    };
    QObject::connect(&scheduler, &core::JobScheduler::jobEnded, &loop, [&] {
        if (allEnded())
            loop.quit();
    });
    QObject::connect(&interrupts, &app::InterruptBridge::interrupted, &loop, [&](int count) {
        progress.finishLine();
        if (count == 1) {
            m_err << "bioforge: pausing (checkpoint and stop); press Ctrl-C again to quit at once" << Qt::endl;
            for (const QString& id : runIds)
                scheduler.pause(id);
        } else {
            m_err << "bioforge: quitting; the runs resume from their last checkpoint with 'bioforge resume'" << Qt::endl;
            std::_Exit(kPaused);
        }
    });
    if (!allEnded())
        loop.exec();
    progress.finishLine();
    bool failed = false, cancelled = false, paused = false, unrecorded = false;
    for (const QString& id : runIds) {
        auto h = scheduler.handle(id);
        if (!h)
            continue;
        const core::RunRecord& r = h->record();
        m_out << "run " << id << ": " << core::runStateName(r.state);
        if (!r.error.isEmpty())
            m_out << ": " << r.error;
        if (r.state == core::RunState::Paused && !pausedHint.isEmpty()) {
            m_out << " (" << pausedHint << ')';
        } else if (r.state == core::RunState::Paused) {
            QString project;
            if (!m_options.project.isEmpty()) {
                project = QDir(m_options.project).absolutePath();
                static const QRegularExpression plain(QStringLiteral("^[A-Za-z0-9_./@%+=:,-]+$")); // pastes into a shell as it is
                if (!plain.match(project).hasMatch())
                    project = QLatin1Char('\'') + QString(project).replace(QLatin1Char('\''), QLatin1String("'\\''")) + QLatin1Char('\'');
                project.prepend(QStringLiteral(" --project "));
            }
            m_out << " (bioforge" << project << " resume " << id << " continues it)";
        }
        m_out << Qt::endl;
        // Where the results are: each output by its role (an llm response, the contig calls, …).
        if (listOutputs && r.state == core::RunState::Finished && session().project())
            for (const core::FileRef& f : r.outputs)
                m_out << "  " << f.name << ": "
                      << (QDir::isRelativePath(f.path) ? QDir(session().project()->runDir(id)).filePath(f.path) : f.path) << Qt::endl;
        failed = failed || r.state == core::RunState::Failed;
        cancelled = cancelled || r.state == core::RunState::Cancelled;
        paused = paused || r.state == core::RunState::Paused;
        // How it ended must be in the project: a record the database refused (its reason is in the
        // log above) would list the run as running, and then interrupted, with a success here.
        if (session().project() && !session().project()->store().readOnly()) {
            const auto stored = session().project()->store().run(id);
            if (!stored || stored->state != r.state) {
                m_err << "bioforge: run " << id << " ended " << core::runStateName(r.state) << ", but the project database "
                      << (stored ? QStringLiteral("still records it as %1").arg(core::runStateName(stored->state)) : stored.error().message())
                      << ": its record was not written" << Qt::endl;
                unrecorded = true;
            }
        }
    }
    const int code = unrecorded ? kProjectError : failed ? kRunFailed : cancelled ? kCancelled : paused ? kPaused : kOk;
    return code;
}

} // namespace bioforge::cli
