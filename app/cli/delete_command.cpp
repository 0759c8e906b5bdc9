// `bioforge delete <run-id>…`: a project's runs that ended, removed for good — their records,
// their run folders, their reports in reports/ and, once no run left uses it, their checkpoint
// folder. A run that can still go on (running, paused, interrupted, not yet resumed) is refused,
// and so is a part of a chain of resumes: the chain is deleted whole (trial 21: runs could not be
// deleted, and folders removed by hand left runs listed as finished).

#include "cli_context.h"
#include "commands.h"
#include "exit_codes.h"
#include "provenance/run_record.h"
#include "runs/run_service.h"
#include "runs/session.h"
#include "store/project.h"
#include "store/project_store.h"

#include <QDir>
#include <QFileInfo>
#include <QSet>

#include <algorithm>

namespace bioforge::cli {

int cmdDelete(CliContext& ctx, const QStringList& args)
{
    if (args.isEmpty()) {
        ctx.err() << "usage: bioforge delete <run-id>…" << Qt::endl;
        return kUsage;
    }
    core::Project* project = ctx.project(false);
    if (!project)
        return kProjectError;
    if (core::Status st = project->store().writable(); !st) {
        ctx.err() << "bioforge: " << st.error().message() << Qt::endl;
        return kProjectError;
    }
    if (auto recovered = ctx.session().runs()->recoverInterrupted(); !recovered) { // a crash's runs are not "running"
        ctx.err() << "bioforge: " << recovered.error().message() << Qt::endl;
        return kProjectError;
    }
    auto all = project->store().runs();
    if (!all) {
        ctx.err() << "bioforge: " << all.error().message() << Qt::endl;
        return kProjectError;
    }
    const QSet<QString> asked(args.begin(), args.end());
    QList<core::RunRecord> doomed;
    for (const QString& id : args) {
        const auto run = std::find_if(all->begin(), all->end(), [&](const core::RunRecord& r) { return r.runId == id; });
        if (run == all->end()) {
            ctx.err() << "bioforge: no run '" << id << "' in " << project->folder() << " (bioforge runs lists them)" << Qt::endl;
            return kNotFound;
        }
        const bool resumed = core::lastContinuationOf(*all, id) != nullptr;
        if (!core::runStateIsFinal(run->state) && !resumed) {
            ctx.err() << "bioforge: run " << id << " is " << core::runStateName(run->state) << ": "
                      << (core::runStateIsResumable(run->state) ? QStringLiteral("it can still be resumed; cancel it first (bioforge cancel %1), then delete it").arg(id)
                                                                 : QStringLiteral("it is deleted once it has ended"))
                      << "; nothing was deleted" << Qt::endl;
            return kProjectError;
        }
        QStringList chain; // shares its checkpoints: deleted whole
        for (const core::RunRecord* r : core::runsOfChain(*all, id))
            chain << r->runId;
        QStringList missing;
        for (const QString& other : chain)
            if (!asked.contains(other))
                missing << other;
        if (!missing.isEmpty()) {
            ctx.err() << "bioforge: run " << id << " is part of a chain of resumes (" << chain.join(QStringLiteral(" → "))
                      << "), which shares its checkpoints and is deleted whole: bioforge delete " << chain.join(QLatin1Char(' ')) << "; nothing was deleted"
                      << Qt::endl;
            return kProjectError;
        }
        if (std::none_of(doomed.begin(), doomed.end(), [&](const core::RunRecord& r) { return r.runId == id; }))
            doomed << *run;
    }
    QStringList ids;
    for (const core::RunRecord& r : doomed)
        ids << r.runId;
    // The records first: a folder that cannot be removed is then a leftover said by name, never a
    // run listed whose files are gone.
    if (core::Status st = project->store().deleteRuns(ids); !st) { // checked again there, as the project stands now
        ctx.err() << "bioforge: " << st.error().message() << "; nothing was deleted" << Qt::endl;
        return st.error().kind() == core::Error::Kind::NotFound ? kNotFound : kProjectError;
    }
    // The checkpoint folders the runs left use, read after the deletion (a run started meanwhile
    // in another process with the same checkpoints keeps them).
    auto left = project->store().runs();
    if (!left) {
        ctx.err() << "bioforge: " << left.error().message() << "; the runs' records are deleted, their folders are not" << Qt::endl;
        return kProjectError;
    }
    QSet<QString> checkpointsInUse;
    for (const core::RunRecord& r : *left)
        checkpointsInUse.insert(r.checkpointId);
    int code = kOk;
    const auto remove = [&](const QString& path, QStringList& removed) {
        const QFileInfo info(path);
        if (!info.exists() && !info.isSymLink())
            return;
        const bool gone = info.isDir() && !info.isSymLink() ? QDir(path).removeRecursively() : QFile::remove(path);
        if (gone) {
            removed << QDir(project->folder()).relativeFilePath(path);
        } else {
            ctx.err() << "bioforge: " << path << ": could not be removed; remove it by hand" << Qt::endl;
            code = kProjectError;
        }
    };
    QSet<QString> checkpointsRemoved;
    for (const core::RunRecord& r : doomed) {
        QStringList removed;
        remove(project->runDir(r.runId), removed);
        for (const char* suffix : {".html", ".pdf", ".json"}) // the reports, and the Provenance dock's export of the record
            remove(QDir(project->reportsDir()).filePath(r.runId + QLatin1String(suffix)), removed);
        if (!r.checkpointId.isEmpty() && !checkpointsInUse.contains(r.checkpointId) && !checkpointsRemoved.contains(r.checkpointId)) {
            checkpointsRemoved.insert(r.checkpointId);
            remove(project->checkpointDir(r.checkpointId), removed);
        }
        ctx.out() << "deleted run " << r.runId << (r.title.isEmpty() ? QString() : QStringLiteral(" (%1)").arg(r.title))
                  << (removed.isEmpty() ? QString() : QStringLiteral(": ") + removed.join(QStringLiteral(", "))) << Qt::endl;
    }
    return code;
}

} // namespace bioforge::cli
