#pragma once

// The path every run follows: parameters validated by the plugin's verb spec
// → RunRecord opened and stored → Job queued → worker runs it → record closed
// with output checksums, written to the project store and exported as
// provenance.json and ro-crate-metadata.json in the run folder.
// Resume starts a new run whose parent is the paused or interrupted one and
// which reuses its checkpoint folder. Lives on the main thread.

#include "provenance/run_record.h"
#include "runs/input_relocation.h"
#include "util/expected.h"

#include <QHash>
#include <QJsonObject>
#include <QObject>
#include <QSet>
#include <QTimer>

#include <memory>
#include <optional>

namespace bioforge::core {

class JobHandle;
class JobScheduler;
class PluginManager;
class Project;
struct VerbSpec;

class RunService : public QObject {
    Q_OBJECT
public:
    RunService(Project& project, PluginManager& plugins, JobScheduler& scheduler, QObject* parent = nullptr);
    ~RunService() override;

    Expected<QString> start(const QString& pluginId, const QString& verb, const QJsonObject& parameters,
                            const QString& title = {});
    // Continues a paused, interrupted or failed run from its checkpoints, as a new run of the same
    // parameters; inputs that moved since it began are taken where `relocation` finds them (a run
    // on this machine only; input_relocation.h), their SHA-256 checked when it starts.
    Expected<QString> resume(const QString& runId, const InputRelocation& relocation = {});
    // The input files `runId` reads (those it recorded, and those its parameters name: a run killed
    // before its record was written again recorded none) that are no longer files where it began:
    // what its resume needs relocated. Empty when all are in place or its plugin is not loaded.
    Expected<QStringList> goneInputs(const QString& runId) const;
    void pause(const QString& runId);
    void cancel(const QString& runId);
    // Ends a run that is paused or interrupted and not active anywhere (one whose process is gone;
    // the `bioforge cancel` command and the Jobs dock's Cancel on such a run): it becomes cancelled
    // — `resume` without an id no longer picks it up, its checkpoints and outputs stay in its
    // folders — and its provenance.json says so. Errors: no such run (NotFound); a run that is
    // active (this process's or another's), already resumed, or ended (Failed). Returns the
    // record as stored.
    Expected<RunRecord> discard(const QString& runId);

    // Runs left queued/running by a process that died: marked interrupted and returned.
    Expected<QList<RunRecord>> recoverInterrupted();

    // `given` with the workbench's threads and device settings (`bioforge settings`, Settings ▸
    // Compute) for a "threads" or "device" parameter of `spec` it does not hold; a setting left
    // at its default adds nothing. start() applies it; a command line applies it to what its
    // arguments gave, before the defaults fill the rest.
    static QJsonObject withSettingDefaults(const VerbSpec& spec, QJsonObject given);
    // A refusal of a device, where `given` holds none and `used` holds the saved `device` setting
    // (withSettingDefaults), names the setting as its source (docs/cli.md): the user would look
    // for it in the command. Any other error is returned as it is.
    static Error namingSavedDevice(const Error& error, const QJsonObject& given, const QJsonObject& used);
    Expected<QList<RunRecord>> resumableRuns() const;

    Project& project() const { return m_project; }
    JobScheduler& scheduler() const { return m_scheduler; }
    PluginManager& plugins() const { return m_plugins; }

    static Status exportProvenance(const RunRecord& record, const QString& runDir);
    // provenance.json of a run under way (recorded, started, its inputs pinned), so that a run folder
    // holds its record even when the process and the project database are lost (`bioforge recover`,
    // project_recovery.h); its end writes it again with ro-crate-metadata.json (exportProvenance).
    void writeRecordFile(const RunRecord& record, const QString& runDir) const;

    // Whether a Slurm cluster answers on this machine (`scontrol show config`, at most 30 s when
    // its controller is down): start() refuses a cluster run, before it is recorded, when none does
    // (NotFound, saying what a cluster run needs). A "yes" is kept for a minute per SLURM_CONF, so
    // a window can ask on a worker thread first and start() does not wait again; a "no" for 10 s, so
    // resuming several cluster runs waits once. `askAgain` (a page's Run: the user may have just
    // started the controller) asks whatever was kept (trial 22 T22-12). Thread-safe.
    static Status slurmClusterAnswers(bool askAgain = false);

    // Runs another process records or ends in this project (a `bioforge run` in a terminal while the
    // window is open) are announced: runChangedElsewhere for a run recorded, started or paused there,
    // and runEnded (only) when one reaches a final state, as for this service's own. Asked every `intervalMs` with PRAGMA
    // data_version (one integer; the runs' states are read only after another process committed).
    // The window follows them; the command line has no need.
    void followOtherProcesses(int intervalMs = 2000);

    // Asks the process that runs `runId` (another `bioforge`, a window, on this machine or another
    // sharing the project) to pause it (or cancel it): it acts within about 2 s, at the run's next
    // unit of work, as its own Pause would (trial 24 T24-12). A run of this process is paused or
    // cancelled here at once. Errors: a run that is not queued or running (Invalid, saying its
    // state), one whose process is gone (Invalid: it is interrupted; `resume` or `cancel` it), a
    // read-only project.
    Status requestStop(const QString& runId, bool cancel);

signals:
    void runQueued(const QString& runId); // stored, waiting for a slot
    void runStarted(const QString& runId);
    void runEnded(const QString& runId, bool succeeded);
    void runChangedElsewhere(const QString& runId); // recorded, started or paused by another process, or its process found gone (an end: runEnded)
    // Another process committed to the project (a run's saved progress, a state: after the signals
    // above), seen at the look of followOtherProcesses.
    void othersCommitted();
    // The project folder was moved, renamed or deleted while open (Project::inPlace's message), seen
    // at the look of followOtherProcesses; said once until it is back, and then with an empty message.
    // Runs are refused meanwhile.
    void projectNotInPlace(const QString& message);

private:
    // The inputs `run` reads: as it recorded them, then those of its parameters it did not record.
    QList<FileRef> inputsOf(const RunRecord& run) const;
    // Records and queues `record`; a resume passes the inputs the run it continues recorded, which
    // its inputs are checked against when its pins are gone.
    Expected<QString> launch(RunRecord record, const QList<FileRef>& recordedInputs = {}, const QHash<QString, QString>& movedFrom = {});
    void onJobStarted(const QString& runId);
    void onJobEnded(const QString& runId);
    void onInputsPinned(const QString& runId, const QList<FileRef>& pinned);
    void saveProgress();
    // Pauses or cancels this service's runs that another process asked to stop (requestStop).
    void actOnStopRequests();
    void checkOtherProcesses();
    // A state this service stored: what the next look for other processes' changes starts from.
    void wroteState(const RunRecord& record);
    // A run paused or interrupted in this process's scheduler whose record changed (cancelled here
    // or by a terminal's `bioforge cancel`): its Jobs dock row says the stored state.
    void showIdleJobState(const RunRecord& record);

    Project& m_project;
    PluginManager& m_plugins;
    JobScheduler& m_scheduler;
    QTimer m_progressTimer;
    QSet<QString> m_runs; // runs this service started (the scheduler also runs other jobs)
    QTimer m_othersTimer;
    std::optional<qint64> m_dataVersion;  // PRAGMA data_version when the runs' states were last read (none: not read yet)
    QHash<QString, QString> m_knownStates; // run id -> stored state name, as last read or written here
    bool m_saidNotInPlace = false;
};

} // namespace bioforge::core
