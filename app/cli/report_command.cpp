// bioforge report: export a finished run's report as HTML and/or PDF.

#include "cli_context.h"
#include "commands.h"
#include "exit_codes.h"

#include "report/report_exporter.h"
#include "runs/session.h"
#include "store/project.h"

namespace bioforge::cli {

int cmdReport(CliContext& ctx, const QStringList& argsIn)
{
    QStringList args = argsIn;
    ui::ReportExporter::Targets targets;
    for (const QString& flag : {QStringLiteral("--html"), QStringLiteral("--pdf")}) {
        const qsizetype i = args.indexOf(flag);
        if (i < 0)
            continue;
        if (i + 1 >= args.size()) {
            ctx.err() << "bioforge: " << flag << " needs a file name" << Qt::endl;
            return kUsage;
        }
        (flag == QLatin1String("--html") ? targets.html : targets.pdf) = args[i + 1];
        args.remove(i, 2);
    }
    if (args.size() != 1) {
        ctx.err() << "usage: bioforge report <run-id> [--html FILE] [--pdf FILE]" << Qt::endl;
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
