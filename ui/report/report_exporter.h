#pragma once

// Exports a stored run's report: asks the run's plugin for its content (a
// failed or cancelled run: how it ended), adds
// the provenance from the project store, and writes HTML and/or PDF (by
// default into the project's reports/ folder).

#include "provenance/run_record.h"
#include "report/report_content.h"
#include "util/expected.h"

#include <QString>
#include <QStringList>

#include <functional>
#include <optional>

class QObject;

namespace bioforge::core {
class IPlugin;
class PluginManager;
class Project;
} // namespace bioforge::core

namespace bioforge::ui {

class ReportExporter {
public:
    struct Targets {
        QString html; // empty: not written (unless both are empty: defaults)
        QString pdf;
    };
    // Returns the paths written. A finished run's report is its plugin's; a failed or cancelled
    // run's says how it ended (failedRunContent) above the same provenance. Errors: no such run
    // (NotFound), a run still queued, running, paused or interrupted, the plugin's, a file not written.
    static core::Expected<QStringList> exportRun(const core::Project& project, const core::PluginManager& plugins,
                                                 const QString& runId, Targets targets = {});
    // As exportRun from the window: the record read here, the content made (outputs read and
    // checked) on a worker thread, the files written back on `context`'s thread (the plots are
    // QCustomPlot widgets); `done` gets the paths written or the error, there.
    static void exportInBackground(QObject* context, const core::Project& project, const core::PluginManager& plugins, const QString& runId,
                                   Targets targets, std::function<void(core::Expected<QStringList>)> done);
    // "Report written: a.pdf, a.html — in FOLDER", each a link (rich text).
    static QString writtenText(const QStringList& paths);
    // A finished run's report vouches for its outputs by the SHA-256 its record holds: each output
    // (relative to runDir) must be there (else NotFound) and the same (else Failed, naming both
    // checksums, or sizes). Reads every output: call it off the UI thread.
    static core::Status checkOutputs(const core::RunRecord& run, const QString& runDir);
    // What the project knows of a failed or cancelled run beside its record.
    struct StopFacts {
        std::optional<core::RunRecord> continuation; // the last run of its chain of resumes, if it was resumed
        std::optional<double> progress;              // 0 … 1 where it stopped (ProjectStore::runProgress)
        QString checkpointFolder;                    // where its checkpoints are kept
    };
    static StopFacts stopFactsOf(const core::Project& project, const core::RunRecord& run);
    // The content of a failed or cancelled run's report: its state, error (once), times, how far it
    // got and where its checkpoints are, and what to do: resume it, start a new run (a failure on
    // what it was given, RunRecord::newRunNeeded), or — where it was resumed already — read the
    // report of the last run of its chain.
    static core::ReportContent failedRunContent(const core::RunRecord& run, const StopFacts& facts = {});

private:
    struct Job {
        core::RunRecord run;
        QString runDir;
        bool ended = false;             // failed or cancelled: how it ended, no plugin needed
        core::IPlugin* plugin = nullptr; // a finished run's
        StopFacts facts;
        Targets targets;
        // A continuation's chain: the runs it resumes, first started first, then itself, each with
        // the progress its pause or end kept (empty for a run that resumes none).
        QList<std::pair<core::RunRecord, std::optional<double>>> history;
        QString projectFolder;
        QStringList references; // the plugin's (IPlugin::references), where it is loaded
    };
    static core::ReportSection historySection(const Job& job);
    // What a report sent on its own must say of itself (trial 25 T25-8): when and by which program
    // it was exported, from which project, and which program (version, commit) made the run.
    static core::ReportSection aboutSection(const Job& job);
    static core::Expected<Job> prepare(const core::Project& project, const core::PluginManager& plugins, const QString& runId, Targets targets);
    static core::Expected<core::ReportContent> content(const Job& job);
    static core::Expected<QStringList> write(const Job& job, const core::ReportContent& content);
};

} // namespace bioforge::ui
