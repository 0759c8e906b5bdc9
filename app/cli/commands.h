#pragma once

// The commands of the `bioforge` command line, one function each, grouped in
// files by theme. Each returns an exit code (exit_codes.h).

#include <QStringList>

namespace bioforge::cli {

class CliContext;

using Command = int (*)(CliContext&, const QStringList& args);

struct CommandInfo {
    const char* name;
    const char* usage;
    const char* summary;
    Command run;
    bool needsGui; // makes plots or PDFs: needs a QApplication (offscreen is fine)
};

const QList<CommandInfo>& commandTable();
const CommandInfo* findCommand(const QString& name);

int cmdVersion(CliContext& ctx, const QStringList& args);
int cmdPlugins(CliContext& ctx, const QStringList& args);
int cmdDevices(CliContext& ctx, const QStringList& args);
int cmdRuns(CliContext& ctx, const QStringList& args);
int cmdPause(CliContext& ctx, const QStringList& args);
int cmdCompare(CliContext& ctx, const QStringList& args);
int cmdShow(CliContext& ctx, const QStringList& args);
int cmdRun(CliContext& ctx, const QStringList& args);
int cmdResume(CliContext& ctx, const QStringList& args);
int cmdCancel(CliContext& ctx, const QStringList& args);
int cmdDelete(CliContext& ctx, const QStringList& args);
int cmdInspect(CliContext& ctx, const QStringList& args);
int cmdReport(CliContext& ctx, const QStringList& args);
int cmdModels(CliContext& ctx, const QStringList& args);
int cmdDemo(CliContext& ctx, const QStringList& args);
int cmdCluster(CliContext& ctx, const QStringList& args);
int cmdStatus(CliContext& ctx, const QStringList& args);
int cmdSettings(CliContext& ctx, const QStringList& args);
int cmdRecover(CliContext& ctx, const QStringList& args);
int cmdVerify(CliContext& ctx, const QStringList& args);
int cmdRerun(CliContext& ctx, const QStringList& args);

} // namespace bioforge::cli
