#pragma once

// What a running job sees: progress reporting in work units per stage, the
// cooperative stop flags (pause, cancel), its checkpoint store, provenance
// recorder, device lease and output folder. advance() is cheap and callable
// from the job's worker threads; snapshot() is what the UI and CLI read.

#include "jobs/eta.h"
#include "jobs/progress_model.h"

#include <QJsonObject>
#include <QString>

#include <atomic>
#include <mutex>
#include <optional>

namespace bioforge::core {

class CheckpointStore;
class Clock;
class DeviceLease;
class ProvenanceRecorder;

enum class StopRequest { None, Pause, Cancel };
// What a pause stops. A job whose work runs elsewhere (a cluster run's Slurm jobs) stops that work
// too, unless asked to leave it going (the window quit with "leave the jobs on the cluster"): the
// run is then paused here, and a resume follows the work again.
enum class PauseMode { StopEverything, LeaveClusterJobs };

struct ProgressSnapshot {
    QString stageId;
    QString stageLabel;
    int stageIndex = -1;
    int stageCount = 0;
    qint64 stageDone = 0;
    qint64 stageTotal = 0;
    qint64 unitsDone = 0;           // all stages
    double fraction = 0.0;          // [0, 1], monotone
    std::optional<qint64> etaMs;    // nullopt = unknown
    double unitsPerSecond = 0.0;    // of the current stage, in its unit; 0 while unknown
    QString unit;                   // the current stage's unit ("bytes", "frames", …)
    qint64 elapsedMs = 0;
    QString message;
    QString notice;                 // a condition to say at once (a scheduler not answering); empty: none
    int warnings = 0;               // records skipped or changed so far
    QString lastWarning;
};

// "12.5 MB/s", "340 frames/s": a stage's rate in its own unit.
QString formatRate(double unitsPerSecond, const QString& unit);

class JobContext {
public:
    struct Services {
        CheckpointStore* checkpoints = nullptr;
        ProvenanceRecorder* provenance = nullptr;
        const DeviceLease* device = nullptr;
        QString outputDir;
        QString cacheDir; // the project's cache for results reused across runs (may be empty)
    };

    JobContext(QString runId, const Clock& clock, Services services, QJsonObject parameters = {});

    const QString& runId() const { return m_runId; }
    const QJsonObject& parameters() const { return m_parameters; }
    const QString& outputDir() const { return m_services.outputDir; }
    const QString& cacheDir() const { return m_services.cacheDir; }
    CheckpointStore& checkpoints() const { return *m_services.checkpoints; }
    ProvenanceRecorder& provenance() const { return *m_services.provenance; }
    const DeviceLease* device() const { return m_services.device; }
    const Clock& clock() const { return m_clock; }

    // Progress (worker side).
    void defineStages(const QList<StageSpec>& stages);
    void beginStage(const QString& id, qint64 totalUnits);
    void setStageTotal(qint64 totalUnits);
    void advance(qint64 units = 1);
    // Units found done among the run's checkpoints (a resume reads them back in moments): they
    // move the bar but are no evidence of the rate of work, so the ETA and the throughput leave
    // them out (the samples before move up by them). Counted by advance() they made a resumed
    // run's first ETA a fraction of the real one.
    void advanceReused(qint64 units);
    void setMessage(const QString& message);
    // A condition the user should hear of at once, not only see in the message (the terminal prints
    // it on a line of its own when it appears or changes); empty once it is over. Not recorded.
    void setNotice(const QString& notice);
    void markComplete();
    // The job's run ended (finished, paused, cancelled, failed): elapsed stops here.
    void markEnded();
    // A record skipped or changed, an input repaired: logged as a warning
    // (terminal, log file, Log dock), counted in the snapshot (Jobs dock) and
    // kept in the run's record (report). Any thread.
    void warn(const QString& message);

    // Cooperative stop: a job polls stopRequested() after every unit of work.
    bool stopRequested() const { return m_stop.load(std::memory_order_acquire) != int(StopRequest::None); }
    StopRequest stopRequest() const { return StopRequest(m_stop.load(std::memory_order_acquire)); }
    void requestPause(PauseMode mode = PauseMode::StopEverything);
    void requestCancel();
    // A pause asked with PauseMode::LeaveClusterJobs (and no cancel since): the job leaves what it
    // runs on a cluster going.
    bool leavesClusterJobs() const
    {
        return stopRequest() == StopRequest::Pause && m_leaveClusterJobs.load(std::memory_order_acquire);
    }

    // A paused run's progress, kept among its checkpoints (kResumeProgressKey), so that the run
    // resumed from them starts there instead of at 0 % while it reads them back (hashing pinned
    // inputs, reopening models, checking imported files) and goes on from there; the bar holds
    // until the restored work passes it. The scheduler calls both; no checkpoint store, no-op.
    void saveProgressForResume();
    void restoreProgressForResume();
    static constexpr const char* kResumeProgressKey = "run/progress";

    // Reader side (any thread).
    ProgressSnapshot snapshot() const;

    static constexpr qint64 kSampleIntervalMs = 200;
    static constexpr qint64 kClockStride = 64;

private:
    void sampleLocked(qint64 now) const;

    QString m_runId;
    const Clock& m_clock;
    Services m_services;
    QJsonObject m_parameters;
    qint64 m_startMs;

    std::atomic<int> m_stop{int(StopRequest::None)};
    std::atomic<bool> m_leaveClusterJobs{false};
    std::atomic<qint64> m_endMs{-1}; // -1 while the job runs
    std::atomic<qint64> m_stageDone{0};
    std::atomic<qint64> m_unitsDone{0};
    std::atomic<qint64> m_nextSampleMs{0};

    mutable std::mutex m_mutex; // guards everything below
    mutable ProgressModel m_progress;
    mutable Eta m_eta;
    mutable Eta m_stageRate; // rate of the current stage only: units differ between stages
    QString m_message;
    QString m_notice;
    int m_warnings = 0;
    QString m_lastWarning;
};

} // namespace bioforge::core
