// `bioforge recover [--dry-run]`: a project's run list put back from the runs' own records
// (runs/<id>/provenance.json, core/store/project_recovery.h). A damaged, lost or empty
// project.sqlite is rebuilt (the damaged file set aside, never deleted); a sound one gets the runs
// of runs/ it lacks. Trial 24 T24-3: a damaged database was refused safely, with no way back.

#include "cli_context.h"
#include "commands.h"
#include "exit_codes.h"
#include "store/project_recovery.h"

#include <QDir>
#include <QFileInfo>

namespace bioforge::cli {
namespace {

QString idList(const QList<core::RunRecord>& runs)
{
    QStringList ids;
    for (const core::RunRecord& r : runs)
        ids << r.runId;
    return ids.join(QStringLiteral(", "));
}

} // namespace

int cmdRecover(CliContext& ctx, const QStringList& args)
{
    bool dryRun = false, evenIfRunning = false;
    for (const QString& a : args) {
        if (a == QLatin1String("--dry-run") || a == QLatin1String("--dry_run")) {
            dryRun = true;
        } else if (a == QLatin1String("--even-if-running") || a == QLatin1String("--even_if_running")) {
            evenIfRunning = true;
        } else {
            ctx.err() << "usage: bioforge recover [--dry-run] [--even-if-running]" << Qt::endl;
            return kUsage;
        }
    }
    const QString folder = QFileInfo(ctx.projectFolder()).absoluteFilePath();
    auto r = core::recoverProjectRuns(folder, dryRun, evenIfRunning);
    if (!r) {
        ctx.err() << "bioforge: " << r.error().message() << Qt::endl;
        return exitCodeFor(r.error(), kProjectError);
    }
    const QString database = QDir(folder).filePath(QStringLiteral("project.sqlite"));
    const QString would = dryRun ? QStringLiteral("would be ") : QString();
    using D = core::ProjectRecovery::Database;
    if (r->database == D::Sound) {
        if (!r->updated.isEmpty())
            ctx.out() << r->updated.size() << " run(s) ended since the database's copy was made, as their provenance.json records; " << (dryRun ? "would be " : "")
                      << "updated from it: " << r->updated.join(QStringLiteral(", ")) << Qt::endl;
        if (r->runs.isEmpty())
            ctx.out() << database << " is sound and holds every run of runs/ (" << r->present.size() << "): nothing to recover" << Qt::endl;
        else
            ctx.out() << database << " is sound; " << r->runs.size() << " run(s) of runs/ it lacked " << (dryRun ? "would be" : "were") << " added: "
                      << idList(r->runs) << Qt::endl;
    } else {
        const QString why = r->database == D::Damaged ? QStringLiteral("is damaged (%1)").arg(r->damage)
                            : r->database == D::Empty ? QStringLiteral("is empty (0 bytes)")
                                                      : QStringLiteral("is missing");
        ctx.out() << database << " " << why << ": " << (dryRun ? "it would be rebuilt" : "rebuilt") << " from the records of " << r->runs.size()
                  << " run(s) in runs/" << Qt::endl;
        if (!r->setAside.isEmpty())
            ctx.out() << "  the old database is kept as " << r->setAside
                      << " (the llm plugin's chat conversations were only in it: `sqlite3 FILE .recover` may get them back)" << Qt::endl;
    }
    if (!r->interrupted.isEmpty())
        ctx.out() << "  " << r->interrupted.size() << " of them were under way when they were lost and " << would
                  << (dryRun ? "" : "are ") << "listed as interrupted: `bioforge resume` continues them from their checkpoints ("
                  << r->interrupted.join(QStringLiteral(", ")) << ")" << Qt::endl;
    if (!r->live.isEmpty())
        ctx.out() << "  still going (" << (dryRun ? "recover refuses while they run" : "recovered as told") << "): " << r->live.join(QStringLiteral(", "))
                  << Qt::endl;
    if (!r->unreadable.isEmpty()) {
        ctx.out() << "  " << r->unreadable.size() << " run folder(s) hold no record that reads; they are not listed (their files stay):" << Qt::endl;
        for (const QString& u : r->unreadable)
            ctx.out() << "    " << u << Qt::endl;
    }
    return kOk;
}

} // namespace bioforge::cli
