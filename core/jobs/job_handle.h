#pragma once

// A run in flight: the job, its context once started, its checkpoint store,
// provenance recorder, device lease and run record. Created by RunService,
// driven by JobScheduler. The context and lease are created and destroyed on
// the scheduler's thread; the job runs on a worker; the record is written by
// the worker only while the run is active and read by the owner after.

#include "checkpoint/checkpoint_store.h"
#include "compute/device_lease.h"
#include "jobs/job.h"
#include "jobs/job_context.h"
#include "provenance/provenance_recorder.h"
#include "provenance/run_record.h"

#include <memory>

namespace bioforge::core {

class JobHandle {
public:
    // cacheDir: the project's shared cache (results reused across runs), empty for none.
    JobHandle(RunRecord record, std::unique_ptr<Job> job, QString runDir, QString checkpointDir, QString cacheDir = {});

    const QString& runId() const { return m_record.runId; }
    const RunRecord& record() const { return m_record; }
    RunRecord& record() { return m_record; }
    Job& job() { return *m_job; }
    const QString& runDir() const { return m_runDir; }
    // The files the run reads (VerbSpec::filesRead), pinned by SHA-256 at its first start and
    // checked on every resume (input_pins.h), on the worker before the job runs.
    const QStringList& inputFiles() const { return m_inputFiles; }
    void setInputFiles(QStringList files) { m_inputFiles = std::move(files); }
    // A resumed run's inputs as the run it continues recorded them (absolute path -> SHA-256): what
    // its inputs are checked against when its pins are gone (input_pins.h).
    const QHash<QString, QString>& recordedInputs() const { return m_recordedInputs; }
    void setRecordedInputs(QHash<QString, QString> digests) { m_recordedInputs = std::move(digests); }
    // A resumed run's inputs that moved since the chain began (path now -> path it was pinned at;
    // input_relocation.h): its pins are looked up at the old path and saved again at the new.
    const QHash<QString, QString>& movedInputs() const { return m_movedInputs; }
    void setMovedInputs(QHash<QString, QString> movedFrom) { m_movedInputs = std::move(movedFrom); }
    // The inputs pinned at its first start (input_pins.h), set on the worker before the job runs:
    // its closed record keeps them where the job recorded no inputs (it failed on the pins, or was
    // paused while they were hashed), as it keeps those carried from the run it continues, so that
    // a later resume without pins still has them to check against (review 68 R68-1).
    void setPinnedInputs(QList<FileRef> pinned) { m_pinnedInputs = std::move(pinned); }
    CheckpointStore& checkpoints() { return m_checkpoints; }
    ProvenanceRecorder& provenance() { return m_provenance; }

    RunState state() const { return m_state; }
    void setState(RunState state) { m_state = state; }
    StopRequest pendingStop() const { return m_pendingStop; }
    void setPendingStop(StopRequest stop) { m_pendingStop = stop; }

    JobContext* context() const { return m_context.get(); }
    ProgressSnapshot snapshot() const;
    void start(const Clock& clock, std::unique_ptr<DeviceLease> lease);
    void releaseLease() { m_lease.reset(); }
    const DeviceLease* lease() const { return m_lease.get(); }

    // Worker side, after run() returns or throws: builds the closed record
    // (end time, state, provenance with output checksums, computed here, off
    // the UI thread) into a pending copy; the worker never writes record().
    void finishOnWorker(JobOutcome outcome, const QString& failure, bool newRunNeeded = false);
    // Owner side, once the worker is done: the pending record becomes record().
    void adoptFinishedRecord();

private:
    RunRecord m_record;
    std::unique_ptr<Job> m_job;
    QString m_runDir;
    QString m_cacheDir;
    QStringList m_inputFiles;
    QHash<QString, QString> m_recordedInputs;
    QHash<QString, QString> m_movedInputs;
    QList<FileRef> m_pinnedInputs; // worker-side only
    CheckpointStore m_checkpoints;
    ProvenanceRecorder m_provenance;
    std::unique_ptr<DeviceLease> m_lease;
    std::unique_ptr<JobContext> m_context;
    RunState m_state = RunState::Queued;
    StopRequest m_pendingStop = StopRequest::None;
    RunRecord m_pendingRecord;
};

} // namespace bioforge::core
