#include "report/report_exporter.h"

#include "provenance/environment_info.h"

#include "io/path_guard.h"
#include "io/sha256.h"
#include "plugin/plugin_manager.h"
#include "provenance/run_state_text.h"
#include "report/report_builder.h"
#include "store/project.h"

#include <QDir>
#include <QFileInfo>
#include <QFutureWatcher>
#include <QObject>
#include <QUrl>
#include <QtConcurrent>

namespace bioforge::ui {

ReportExporter::StopFacts ReportExporter::stopFactsOf(const core::Project& project, const core::RunRecord& run)
{
    StopFacts facts;
    if (const auto all = project.store().runs())
        if (const core::RunRecord* last = core::lastContinuationOf(*all, run.runId))
            facts.continuation = *last;
    if (const auto progress = project.store().runProgress(run.runId))
        facts.progress = *progress;
    if (const QString folder = project.checkpointDir(run.checkpointId.isEmpty() ? run.runId : run.checkpointId); QFileInfo(folder).isDir())
        facts.checkpointFolder = folder; // named only where there is one
    return facts;
}

core::ReportContent ReportExporter::failedRunContent(const core::RunRecord& run, const StopFacts& facts)
{
    const std::optional<core::RunRecord>& continuation = facts.continuation;
    // No results to show: what was asked (parameters, inputs, models and software are in the
    // provenance appendix), how far it came, and why it stopped.
    core::ReportContent content;
    content.title = run.title.isEmpty() ? QStringLiteral("Run %1").arg(run.runId) : run.title;
    const QString state = core::runStateName(run.state);
    content.summary = run.state == core::RunState::Failed
                          ? QStringLiteral("This run failed: %1").arg(run.error.isEmpty() ? QStringLiteral("(no message)") : run.error)
                          : QStringLiteral("This run was cancelled.");
    const auto when = [](const QDateTime& t) { return t.isValid() ? t.toString(Qt::ISODate) : QStringLiteral("—"); };
    core::ReportSection section;
    section.heading = QStringLiteral("What happened");
    QList<QStringList> ended{{QStringLiteral("state"), state},
                             {QStringLiteral("plugin, verb"), run.pluginId + QStringLiteral(", ") + run.verb},
                             {QStringLiteral("started"), when(run.startedAt)},
                             {QStringLiteral("ended"), when(run.endedAt)}};
    if (run.state != core::RunState::Failed) // a failure's error is the summary above: said once
        ended.append({QStringLiteral("why"), run.error.isEmpty() ? QStringLiteral("—") : run.error});
    if (facts.progress && *facts.progress > 0)
        ended.append({QStringLiteral("progress when it stopped"), QStringLiteral("%1 %").arg(QString::number(*facts.progress * 100, 'f', 1))});
    ended.append({QStringLiteral("outputs written before it stopped"), QString::number(run.outputs.size())});
    if (!facts.checkpointFolder.isEmpty())
        ended.append({QStringLiteral("checkpoint folder"), facts.checkpointFolder});
    section.tables.append({QStringLiteral("How the run ended"), {QStringLiteral("field"), QStringLiteral("value")}, ended});
    if (continuation) // resumed already: the advice to resume it would be refused
        section.paragraphs << QStringLiteral("This run was resumed as run %1, %2: %3.")
                                  .arg(continuation->runId, core::whichRunState(continuation->state),
                                       core::runStateIsFinal(continuation->state) ? QStringLiteral("its report is bioforge report %1").arg(continuation->runId)
                                       : core::runStateIsResumable(continuation->state) ? QStringLiteral("bioforge resume %1 continues it").arg(continuation->runId)
                                                                                        : QStringLiteral("its report can be made when it ends"));
    // A failure on what the run was given (a gene list with no gene): a resume would fail the same way.
    else if (run.failedOnInput())
        section.paragraphs << QStringLiteral("The error names the cause: the run's input or parameters. A resume would read them as they were, so "
                                             "start a new run with the corrected file or value.");
    else if (run.state == core::RunState::Failed)
        section.paragraphs << QStringLiteral("If the cause lies outside the run's parameters and input files (a model, the machine, the network), fix it "
                                             "and the run continues from its last checkpoint with: bioforge resume %1. A resumed run keeps the parameters "
                                             "it was started with and reads the same input files (their SHA-256 are checked, and a changed file is "
                                             "refused): if an input file or a parameter was the cause, start a new run with the corrected file or value.")
                                  .arg(run.runId);
    else if (run.state == core::RunState::Cancelled)
        section.paragraphs << QStringLiteral("It was cancelled (bioforge cancel, or Cancel in the window) and will not be resumed. What it wrote "
                                             "before it stopped stays in its folder%1; a new run computes its results.")
                                  .arg(facts.checkpointFolder.isEmpty() ? QString() : QStringLiteral(" and its checkpoint folder"));
    content.sections.append(section);
    return content;
}

core::Status ReportExporter::checkOutputs(const core::RunRecord& run, const QString& runDir)
{
    // A report vouches for the run's files by their SHA-256: it is made from those files only.
    for (const core::FileRef& out : run.outputs) {
        const QString path = QDir(runDir).filePath(out.path); // an absolute path stays as it is
        const QFileInfo info(path);
        if (!info.isFile())
            return core::Error(QStringLiteral("run %1: its output %2 is missing; a report is made from the files the run wrote").arg(run.runId, path),
                               core::Error::Kind::NotFound);
        // Another size needs no hashing: sha empty stands for "changed", said by its sizes.
        auto sha = out.size != 0 && info.size() != out.size ? core::Expected<QString>(QString()) : core::Sha256::ofFile(path);
        if (!sha)
            return sha.error();
        if (*sha != out.sha256)
            return core::Error(QStringLiteral("run %1: its output %2 changed since the run wrote it (%3, recorded %4); a report is made from the "
                                              "files the run wrote, which its provenance vouches for (put the file back, or report a new run)")
                                   .arg(run.runId, path,
                                        sha->isEmpty() ? QStringLiteral("%1 bytes").arg(info.size()) : QStringLiteral("SHA-256 %1").arg(*sha),
                                        sha->isEmpty() ? QStringLiteral("%1 bytes").arg(out.size) : out.sha256),
                               core::Error::Kind::Failed);
    }
    return core::okStatus();
}

core::Expected<ReportExporter::Job> ReportExporter::prepare(const core::Project& project, const core::PluginManager& plugins, const QString& runId,
                                                             Targets targets)
{
    auto run = project.store().run(runId);
    if (!run)
        return run.error();
    const bool ended = run->state == core::RunState::Failed || run->state == core::RunState::Cancelled;
    if (run->state != core::RunState::Finished && !ended) { // still to come: a queued or running run ends, a paused or interrupted one resumes
        QString next = core::runStateIsResumable(run->state) ? QStringLiteral("resume it first: bioforge resume %1").arg(runId)
                                                             : QStringLiteral("wait for it to end");
        // Resumed already: the report is the continuation's (the last of the chain).
        if (const auto all = project.store().runs())
            if (const core::RunRecord* continuation = core::lastContinuationOf(*all, runId))
                next = QStringLiteral("it was resumed as run %1: bioforge report %1").arg(continuation->runId);
        return core::Error(QStringLiteral("run %1 is %2; reports are made from runs that finished, failed or were cancelled (%3)")
                               .arg(runId, core::runStateName(run->state), next));
    }
    Job job;
    job.run = *run;
    job.runDir = project.runDir(runId);
    job.ended = ended;
    if (ended)
        job.facts = stopFactsOf(project, *run);
    else if (!(job.plugin = plugins.plugin(run->pluginId)))
        return core::Error(QStringLiteral("run %1 was made by plugin '%2', which is not loaded").arg(runId, run->pluginId));
    if (targets.html.isEmpty() && targets.pdf.isEmpty()) {
        // The record's id (checked to be one path component when it was read), never the text typed.
        for (auto [target, suffix] : {std::pair{&targets.html, ".html"}, {&targets.pdf, ".pdf"}}) {
            auto path = core::PathGuard::childOf(project.reportsDir(), run->runId + QLatin1String(suffix), QStringLiteral("report name"));
            if (!path)
                return path.error();
            *target = *path;
        }
    }
    job.targets = targets;
    job.projectFolder = project.folder();
    if (const core::IPlugin* owner = plugins.plugin(run->pluginId))
        job.references = owner->references(*run);
    // The runs it continues (a resumed run's report showed its last leg alone: trial 21).
    if (const auto all = project.store().runs())
        for (const core::RunRecord* leg : core::chainUpTo(*all, runId)) {
            const auto progress = project.store().runProgress(leg->runId);
            job.history.append({*leg, progress ? std::optional<double>(*progress) : std::nullopt});
        }
    if (job.history.size() < 2)
        job.history.clear();
    return job;
}

core::ReportSection ReportExporter::historySection(const Job& job)
{
    core::ReportSection section;
    section.heading = QStringLiteral("Run history");
    const core::RunRecord& first = job.history.first().first;
    qint64 working = 0;
    int unended = 0; // a run killed has no end recorded: its time is not counted
    core::ReportTable legs{QStringLiteral("Each run of the chain, the first started first"),
                           {QStringLiteral("run"), QStringLiteral("state"), QStringLiteral("started"), QStringLiteral("ended"), QStringLiteral("working time"),
                            QStringLiteral("progress at its end"), QStringLiteral("why it stopped"), QStringLiteral("machine")},
                           {}};
    const auto when = [](const QDateTime& t) { return t.isValid() ? t.toUTC().toString(Qt::ISODateWithMs) : QStringLiteral("—"); };
    for (const auto& [leg, progress] : job.history) {
        const qint64 ms = leg.startedAt.isValid() && leg.endedAt.isValid() ? leg.startedAt.msecsTo(leg.endedAt) : -1;
        working += std::max<qint64>(ms, 0);
        unended += ms < 0 ? 1 : 0;
        const bool last = &leg == &job.history.last().first;
        legs.rows.append({leg.runId, core::runStateName(leg.state), when(leg.startedAt), when(leg.endedAt),
                          ms >= 0 ? QStringLiteral("%1 s").arg(QString::number(double(ms) / 1000, 'f', 3)) : QStringLiteral("—"),
                          last && leg.state == core::RunState::Finished ? QStringLiteral("100 %")
                          : progress                                    ? QStringLiteral("%1 %").arg(QString::number(*progress * 100, 'f', 1))
                                                                        : QStringLiteral("—"),
                          !leg.error.isEmpty()                        ? leg.error
                          : leg.state == core::RunState::Paused       ? QStringLiteral("paused (Ctrl-C, Pause, a signal or another program's pause): "
                                                                                       "its checkpoints kept, the next run went on from them")
                          : leg.state == core::RunState::Interrupted  ? QStringLiteral("interrupted: its process ended without closing it (a crash, a "
                                                                                       "kill, a power cut); the next run went on from its last checkpoints")
                          : leg.state == core::RunState::Finished     ? QStringLiteral("finished")
                                                                      : QStringLiteral("—"),
                          leg.environment.value(QLatin1String("host")).toString().isEmpty() ? QStringLiteral("—")
                                                                                             : leg.environment.value(QLatin1String("host")).toString()});
    }
    section.paragraphs << QStringLiteral("This run continues run %1, started %2: the work ran in %3 runs, %4 s of working time in all%5; each went on from "
                                         "the checkpoints the one before it kept.")
                              .arg(first.runId, when(first.startedAt), QString::number(job.history.size()), QString::number(double(working) / 1000, 'f', 3),
                                   unended > 0 ? QStringLiteral(" (not counting %1 run(s) whose end was not recorded: killed, or a power cut)").arg(unended) : QString());
    section.tables.append(legs);
    return section;
}

core::Expected<core::ReportContent> ReportExporter::content(const Job& job)
{
    core::Expected<core::ReportContent> content = job.ended ? failedRunContent(job.run, job.facts) : core::ReportContent{};
    if (!job.ended) {
        if (core::Status same = checkOutputs(job.run, job.runDir); !same)
            return same.error();
        content = job.plugin->reportContent(job.run, job.runDir);
        if (!content)
            return content.error().withContext(QStringLiteral("report of run %1").arg(job.run.runId));
    }
    if (!job.history.isEmpty())
        content->sections.append(historySection(job));
    if (!job.references.isEmpty())
        content->sections.append({QStringLiteral("Methods and references"),
                                  QStringList{QStringLiteral("The methods and data this run's results rest on; cite them with the software (About this report).")}
                                      + job.references,
                                  {},
                                  {}});
    content->sections.append(aboutSection(job));
    return content;
}

core::ReportSection ReportExporter::aboutSection(const Job& job)
{
    core::ReportSection section;
    section.heading = QStringLiteral("About this report");
    const QJsonObject env = job.run.environment;
    const QString madeWith = env.value(QLatin1String("version")).toString().isEmpty()
                                 ? QStringLiteral("(not recorded)")
                                 : env.value(QLatin1String("version")).toString()
                                       + (env.value(QLatin1String("commit")).toString().isEmpty()
                                              ? QString()
                                              : QStringLiteral(" (commit %1)").arg(env.value(QLatin1String("commit")).toString()));
    section.paragraphs << QStringLiteral("Exported %1 by BioForge Workbench %2 from the project %3. The run was made with BioForge Workbench %4, "
                                         "plugin %5 %6. Its whole record — every input and model with its SHA-256, every parameter, the software "
                                         "and the machine — is runs/%7/provenance.json (with ro-crate-metadata.json) in that project.")
                              .arg(QDateTime::currentDateTimeUtc().toString(Qt::ISODate), core::EnvironmentInfo::versionText(), job.projectFolder,
                                   madeWith, job.run.pluginId, job.run.pluginVersion.isEmpty() ? QStringLiteral("(version not recorded)") : job.run.pluginVersion,
                                   job.run.runId);
    return section;
}

core::Expected<QStringList> ReportExporter::write(const Job& job, const core::ReportContent& content)
{
    const ReportBuilder builder(job.run, content);
    QStringList written;
    if (!job.targets.html.isEmpty()) {
        if (core::Status st = builder.writeHtml(job.targets.html); !st)
            return st.error();
        written << job.targets.html;
    }
    if (!job.targets.pdf.isEmpty()) {
        if (core::Status st = builder.writePdf(job.targets.pdf); !st)
            return st.error();
        written << job.targets.pdf;
    }
    return written;
}

core::Expected<QStringList> ReportExporter::exportRun(const core::Project& project, const core::PluginManager& plugins,
                                                      const QString& runId, Targets targets)
{
    auto job = prepare(project, plugins, runId, std::move(targets));
    if (!job)
        return job.error();
    auto made = content(*job);
    if (!made)
        return made.error();
    return write(*job, *made);
}

void ReportExporter::exportInBackground(QObject* context, const core::Project& project, const core::PluginManager& plugins, const QString& runId,
                                        Targets targets, std::function<void(core::Expected<QStringList>)> done)
{
    auto job = prepare(project, plugins, runId, std::move(targets)); // the store is read on its own thread
    if (!job) {
        done(job.error());
        return;
    }
    auto* watcher = new QFutureWatcher<core::Expected<core::ReportContent>>(context);
    QObject::connect(watcher, &QFutureWatcherBase::finished, context, [watcher, job = *job, done = std::move(done)] {
        watcher->deleteLater();
        const core::Expected<core::ReportContent> made = watcher->result();
        done(made ? write(job, *made) : core::Expected<QStringList>(made.error())); // written here: the plots are widgets
    });
    watcher->setFuture(QtConcurrent::run([job = *job] { return content(job); }));
}

QString ReportExporter::writtenText(const QStringList& paths)
{
    QStringList links;
    for (const QString& path : paths)
        links << QStringLiteral("<a href=\"%1\">%2</a>").arg(QUrl::fromLocalFile(path).toString(), QFileInfo(path).fileName().toHtmlEscaped());
    const QString folder = paths.isEmpty() ? QString() : QFileInfo(paths.first()).absolutePath();
    return QObject::tr("Report written: %1 — in <a href=\"%2\">%3</a>").arg(links.join(QStringLiteral(", ")), QUrl::fromLocalFile(folder).toString(), folder.toHtmlEscaped());
}

} // namespace bioforge::ui
