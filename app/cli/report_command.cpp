// bioforge report: export a finished run's report as HTML and/or PDF.

#include "cli_context.h"
#include "commands.h"
#include "exit_codes.h"

#include "report/report_exporter.h"
#include "runs/session.h"
#include "store/project.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>

#include <utility>

namespace bioforge::cli {

namespace {

// Why the report may not be written to `path`, or empty. Never into the project's own files (its
// database, runs/, checkpoints/: a run's output overwritten by its report can never be reported
// again); an existing file only when it is a report already (an HTML page, a PDF) or `force`.
QString refusedTarget(const QString& path, bool pdf, const core::Project& project, bool force)
{
    // Both sides through their links: a project reached by a symbolic link is still the project.
    const auto canonical = [](const QString& p) {
        const QString c = QFileInfo(p).canonicalFilePath();
        return c.isEmpty() ? QDir::cleanPath(QFileInfo(p).absoluteFilePath()) : c;
    };
    const QFileInfo target(path);
    const QString resolved = target.exists() ? canonical(path) : QDir(canonical(target.absolutePath())).filePath(target.fileName());
    const QString folder = canonical(project.folder());
    const QString inside = QDir(folder).relativeFilePath(resolved);
    const bool outside = inside == QLatin1String("..") || inside.startsWith(QLatin1String("../")) || QDir::isAbsolutePath(inside);
    if (!outside && !inside.startsWith(QLatin1String("reports/")))
        return QStringLiteral("%1 is inside the project's own files (%2): choose a path outside it, or in its reports/ folder").arg(path, inside);
    if (!target.exists() || force)
        return QString();
    if (target.isDir())
        return QStringLiteral("%1 is a folder; give a file name").arg(path);
    QFile existing(path);
    const QByteArray head = existing.open(QIODevice::ReadOnly) ? existing.read(512).trimmed().toLower() : QByteArray();
    const bool report = pdf ? head.startsWith("%pdf") : (head.startsWith("<!doctype html") || head.startsWith("<html"));
    return report ? QString()
                  : QStringLiteral("%1 exists and is not %2: it is not replaced (give --force to replace it)").arg(path, pdf ? QStringLiteral("a PDF") : QStringLiteral("an HTML page"));
}

} // namespace

int cmdReport(CliContext& ctx, const QStringList& argsIn)
{
    QStringList args = argsIn;
    const bool force = args.removeAll(QStringLiteral("--force")) > 0;
    ui::ReportExporter::Targets targets;
    for (const QString& flag : {QStringLiteral("--html"), QStringLiteral("--pdf")}) {
        const qsizetype i = args.indexOf(flag);
        if (i < 0)
            continue;
        if (i + 1 >= args.size()) {
            ctx.err() << "bioforge: " << flag << " needs a file name" << Qt::endl;
            return kUsage;
        }
        if (args[i + 1].isEmpty()) { // `--html "$OUT"` with OUT unset wrote both default reports
            ctx.err() << "bioforge: " << flag << ": an empty file name (was the variable that should hold it unset?)" << Qt::endl;
            return kUsage;
        }
        (flag == QLatin1String("--html") ? targets.html : targets.pdf) = args[i + 1];
        args.remove(i, 2);
    }
    if (!targets.html.isEmpty() && QFileInfo(targets.html).absoluteFilePath() == QFileInfo(targets.pdf).absoluteFilePath()) {
        ctx.err() << "bioforge: --html and --pdf name the same file (" << targets.html << "): the PDF would replace the page" << Qt::endl;
        return kUsage;
    }
    if (args.size() != 1) {
        ctx.err() << "usage: bioforge report <run-id> [--html FILE] [--pdf FILE] [--force]" << Qt::endl;
        return kUsage;
    }
    core::Project* project = ctx.project(false);
    if (!project)
        return kProjectError;
    if (auto run = project->store().run(args.first()); !run) { // "no such run" is 6, as for show and resume
        ctx.err() << "bioforge: " << run.error().message() << Qt::endl;
        return exitCodeFor(run.error(), kProjectError);
    }
    if (project->store().readOnly() && targets.html.isEmpty() && targets.pdf.isEmpty()) { // its reports/ cannot take the page
        ctx.err() << "bioforge: the project is read-only here, so the report cannot go to its reports/ folder: give --html FILE (or --pdf FILE) "
                     "in a folder you can write"
                  << Qt::endl;
        return kProjectError;
    }
    for (const auto& [path, pdf] : {std::pair{targets.html, false}, std::pair{targets.pdf, true}}) {
        if (path.isEmpty())
            continue;
        if (const QString why = refusedTarget(path, pdf, *project, force); !why.isEmpty()) {
            ctx.err() << "bioforge: " << why << Qt::endl;
            return kProjectError;
        }
    }
    auto written = ui::ReportExporter::exportRun(*project, ctx.session().plugins(), args.first(), targets);
    if (!written) {
        ctx.err() << "bioforge: " << written.error().message() << Qt::endl;
        return exitCodeFor(written.error(), kProjectError); // an output missing: 6
    }
    for (const QString& path : *written)
        ctx.out() << "wrote " << path << Qt::endl;
    return kOk;
}

} // namespace bioforge::cli
