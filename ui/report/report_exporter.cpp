#include "report/report_exporter.h"

#include "io/path_guard.h"

#include "plugin/plugin_manager.h"
#include "report/report_builder.h"
#include "store/project.h"

#include <QDir>

namespace bioforge::ui {

core::Expected<QStringList> ReportExporter::exportRun(const core::Project& project, const core::PluginManager& plugins,
                                                      const QString& runId, Targets targets)
{
    auto run = project.store().run(runId);
    if (!run)
        return run.error();
    if (run->state != core::RunState::Finished)
        return core::Error(QStringLiteral("run %1 is %2; reports are made from finished runs").arg(runId, core::runStateName(run->state)));
    core::IPlugin* plugin = plugins.plugin(run->pluginId);
    if (!plugin)
        return core::Error(QStringLiteral("run %1 was made by plugin '%2', which is not loaded").arg(runId, run->pluginId));
    auto content = plugin->reportContent(*run, project.runDir(runId));
    if (!content)
        return content.error().withContext(QStringLiteral("report of run %1").arg(runId));
    if (targets.html.isEmpty() && targets.pdf.isEmpty()) {
        // The record's id (checked to be one path component when it was read), never the text typed.
        for (auto [target, suffix] : {std::pair{&targets.html, ".html"}, {&targets.pdf, ".pdf"}}) {
            auto path = core::PathGuard::childOf(project.reportsDir(), run->runId + QLatin1String(suffix), QStringLiteral("report name"));
            if (!path)
                return path.error();
            *target = *path;
        }
    }
    const ReportBuilder builder(*run, *content);
    QStringList written;
    if (!targets.html.isEmpty()) {
        if (core::Status st = builder.writeHtml(targets.html); !st)
            return st.error();
        written << targets.html;
    }
    if (!targets.pdf.isEmpty()) {
        if (core::Status st = builder.writePdf(targets.pdf); !st)
            return st.error();
        written << targets.pdf;
    }
    return written;
}

} // namespace bioforge::ui
