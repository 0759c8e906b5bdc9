// Commands that stop runs: pause (a run another program runs), cancel (a paused or interrupted
// run; a running one another program runs is asked to cancel it).

#include "cli_context.h"
#include "commands.h"
#include "exit_codes.h"

#include "provenance/run_record.h"
#include "runs/run_service.h"
#include "runs/session.h"
#include "store/project.h"
#include "store/project_store.h"

#include <QDeadlineTimer>
#include <QThread>

namespace bioforge::cli {

namespace {

// Asks the program running `id` to pause (cancel) it and waits, at most `waitMs`, for its record to
// say it stopped. kOk once it did; kOk too when it has not yet (said: it stops at its next unit).
int askToStop(CliContext& ctx, const QString& id, bool cancel, int waitMs = 30000)
{
    if (core::Status asked = ctx.session().runs()->requestStop(id, cancel); !asked) {
        ctx.err() << "bioforge: " << asked.error().message() << Qt::endl;
        return exitCodeFor(asked.error(), kProjectError);
    }
    ctx.err() << "run " << id << ": asked the program running it to " << (cancel ? "cancel" : "pause") << " it…" << Qt::endl;
    const QDeadlineTimer deadline(waitMs);
    while (!deadline.hasExpired()) {
        auto run = ctx.session().project()->store().run(id);
        if (run && run->state != core::RunState::Running && run->state != core::RunState::Queued) {
            ctx.out() << "run " << id << ": " << core::runStateName(run->state);
            if (run->state == core::RunState::Paused)
                ctx.out() << " (bioforge --project " << ctx.session().project()->folder() << " resume " << id << " continues it)";
            ctx.out() << Qt::endl;
            return kOk;
        }
        QThread::msleep(200);
    }
    ctx.out() << "run " << id << ": asked; not " << (cancel ? "cancelled" : "paused") << " yet (it stops at its next unit of work: 'bioforge runs' shows when)"
              << Qt::endl;
    return kOk;
}

} // namespace

int cmdPause(CliContext& ctx, const QStringList& args)
{
    if (args.isEmpty()) {
        ctx.err() << "usage: bioforge pause <run-id>…" << Qt::endl;
        return kUsage;
    }
    if (!ctx.project(false))
        return kProjectError;
    int code = kOk;
    for (const QString& id : args)
        if (const int one = askToStop(ctx, id, false); one != kOk && code == kOk)
            code = one;
    return code;
}

int cmdCancel(CliContext& ctx, const QStringList& args)
{
    if (args.isEmpty()) {
        ctx.err() << "usage: bioforge cancel <run-id>…" << Qt::endl;
        return kUsage;
    }
    core::Project* project = ctx.project(false);
    if (!project)
        return kProjectError;
    int code = kOk;
    for (const QString& id : args) {
        // Running in another program (a background run, a window): that program is asked to cancel
        // it (it said "pause or cancel it there": trial 24 T24-12).
        if (auto run = project->store().run(id); run && (run->state == core::RunState::Running || run->state == core::RunState::Queued)) {
            bool orphan = false;
            if (auto orphans = project->store().orphanedRuns())
                for (const core::RunRecord& r : *orphans)
                    orphan = orphan || r.runId == id;
            if (!orphan) {
                if (const int one = askToStop(ctx, id, true); one != kOk && code == kOk)
                    code = one;
                continue;
            }
        }
        auto ended = ctx.session().runs()->discard(id);
        if (!ended) {
            ctx.err() << "bioforge: " << ended.error().message() << Qt::endl;
            code = code == kOk ? exitCodeFor(ended.error(), kProjectError) : code;
            continue;
        }
        ctx.out() << "run " << id << ": cancelled (" << ended->error << ")" << Qt::endl; // an interrupted cluster run's jobs included
    }
    return code;
}

} // namespace bioforge::cli
