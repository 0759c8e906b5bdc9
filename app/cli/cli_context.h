#pragma once

// What every command of the `bioforge` command line shares: global options,
// output streams, and the session with its project, opened on first use.

#include "util/expected.h"

#include <QString>
#include <QStringList>
#include <QTextStream>

#include <memory>

namespace bioforge::core {
class Project;
class Session;
} // namespace bioforge::core

namespace bioforge::cli {

struct CliOptions {
    QString project;   // --project, else $BIOFORGE_PROJECT, else the default project
    bool quiet = false;
    bool verbose = false;
};

class CliContext {
public:
    CliContext(CliOptions options, QTextStream& out, QTextStream& err);
    ~CliContext();

    const CliOptions& options() const { return m_options; }
    QTextStream& out() { return m_out; }
    QTextStream& err() { return m_err; }

    core::Session& session();
    // Opens the project (creating it when asked); prints the error and returns null on failure.
    // `remember`: add it to the recent projects (not for a cluster task's own project).
    core::Project* project(bool create, bool remember = true);
    // Use this project folder instead of --project / $BIOFORGE_PROJECT (before project() is first called).
    void setProjectFolder(const QString& folder) { m_options.project = folder; }
    QString projectFolder() const;
    // Whether a project was named (--project, or BIOFORGE_PROJECT) rather than the default taken.
    bool projectNamed() const;

    // Waits for runs to end, showing progress; Ctrl-C pauses them.
    // Returns the exit code for their combined outcome.
    // `listOutputs`: after each finished run's summary line, its outputs by role and path (off where
    // the caller prints where the results are itself, as `demo` does). `pausedHint`: what a paused
    // run's line says instead of "bioforge resume <id> continues it" (a cluster task's run is resumed
    // by resuming the cluster run, never by hand).
    int waitForRuns(const QStringList& runIds, bool listOutputs = true, const QString& pausedHint = {});

private:
    CliOptions m_options;
    QTextStream& m_out;
    QTextStream& m_err;
    std::unique_ptr<core::Session> m_session;
};

} // namespace bioforge::cli
