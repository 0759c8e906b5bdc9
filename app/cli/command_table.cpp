#include "commands.h"

namespace bioforge::cli {

const QList<CommandInfo>& commandTable()
{
    static const QList<CommandInfo> table{
        {"version", "version [--json]", "application and library versions (--json: as JSON, for scripts)", cmdVersion, false},
        {"plugins", "plugins [--json]", "plugins found, loaded or failed (with the reason; --json: as JSON, for scripts)", cmdPlugins, false},
        {"devices", "devices [--check] [--json]", "CPU and GPUs found, why a GPU is missing; --check runs a test kernel on each GPU (--json: as JSON, for scripts)", cmdDevices, false},
        {"run", "run <plugin> <verb> [--param value …] [--title T]", "start a run and follow its progress", cmdRun, false},
        {"resume", "resume [run-id] [--relocate OLD=NEW]… [--search FOLDER]…",
         "resume a paused or interrupted run (all of them without an id); inputs moved since it began: where they are now", cmdResume, false},
        {"rerun", "rerun <run-id> [--param value …] [--title T] [--allow-changed-inputs]",
         "run a recorded run again as a new run, with its recorded parameters (those given replaced), its inputs checked against their SHA-256",
         cmdRerun, false},
        {"pause", "pause <run-id>…", "ask the program running a run (a background `bioforge`, a window) to pause it; it resumes with 'resume'", cmdPause, false},
        {"cancel", "cancel <run-id>…", "end paused or interrupted runs that will not be resumed (checkpoints and outputs stay); a running one: its program is asked to cancel it", cmdCancel, false},
        {"delete", "delete <run-id>…", "delete runs that ended, for good: their records, folders, reports and checkpoints (a chain of resumes whole)", cmdDelete, false},
        {"runs", "runs [--plugin ID] [--state STATE] [--json]", "list the project's runs, or a plugin's, or those in a state (--json: as JSON, for scripts)", cmdRuns, false},
        {"compare", "compare <run-id | provenance.json | run folder> <run-id | provenance.json | run folder> [--json]", "what differs between two runs: parameters, inputs, models, outputs, device, versions (--json: as JSON)", cmdCompare, false},
        {"recover", "recover [--dry-run] [--even-if-running]",
         "put the run list back from runs/*/provenance.json: a damaged or lost project.sqlite is rebuilt (the old file kept), a sound one gets the runs it lacks",
         cmdRecover, false},
        {"status", "status [run-id] [--json]", "cluster runs under way: each array task's state, node and progress (--json: as JSON, for scripts)", cmdStatus, false},
        {"show", "show <run-id>", "print a run's provenance record (JSON)", cmdShow, false},
        {"verify", "verify <run-id> [--json]", "hash a run's inputs, model files and outputs again and compare them with its record (exit 5 when one changed or went)",
         cmdVerify, false},
        {"inspect", "inspect <run-id | checkpoint folder> [--full] [--json]",
         "verify checkpoints and show tensor statistics (--full: each state whole; --json: all of it as JSON, for scripts)", cmdInspect, false},
        {"report", "report <run-id> [--html FILE] [--pdf FILE] [--force]", "export a run's report", cmdReport, true},
        {"models", "models list [--json] | import <name> <kind> <folder> [--revision R] | verify <name> | remove <name> [--keep-files] | download <name> <kind> <url> <sha256> [<file>]",
         "the model registry", cmdModels, false},
        {"cluster", "cluster task <work-folder> <index> | merge <work-folder>",
         "what a cluster run's Slurm jobs run (start cluster runs with 'run … --cluster slurm')", cmdCluster, false},
        {"settings", "settings [list] [--json] | get <key> [--json] | set <key> <value|-> | unset <key>",
         "the workbench's and the plugins' settings (threads, device, cluster, annotation.ncbi_api_key, …); - reads the value from stdin", cmdSettings, false},
        {"demo", "demo", "run every plugin's demo in a demo project and export the reports", cmdDemo, true},
    };
    return table;
}

const CommandInfo* findCommand(const QString& name)
{
    for (const CommandInfo& c : commandTable())
        if (name == QLatin1String(c.name))
            return &c;
    return nullptr;
}

} // namespace bioforge::cli
