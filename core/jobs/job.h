#pragma once

// One analysis run. run() executes on a worker thread, stage by stage,
// reporting progress and checkpointing through the JobContext after each unit
// of work, and polling ctx.stopRequested() so pause and cancel take effect
// within one unit. Resuming constructs the job again with the same parameters
// and the same checkpoint store; run() then skips what is checkpointed.
// Failure is an exception (JobFailure or any std::exception) caught at the job
// boundary: the run ends as failed with its message, other jobs go on.

#include "util/expected.h"

#include <QString>

#include <stdexcept>
#include <string>

namespace bioforge::core {

class JobContext;

enum class JobOutcome { Finished, Paused, Cancelled };

enum class DeviceNeed {
    CpuOnly,      // never takes a GPU lease
    GpuPreferred, // takes a free GPU if the machine has one, else runs on the CPU
    GpuRequired,  // fails with a clear message on a machine without a GPU
};

struct JobRequirements {
    DeviceNeed device = DeviceNeed::CpuOnly;
    bool canShareDevice = false; // may run beside another job on the same GPU
    // A job that spreads its work over several GPUs (exclusive leases only): it takes the
    // least-loaded free GPU and every other free one, up to this many in all.
    int maxGpus = 1;
};

// A job's failure. `newRunNeeded`: the cause is what the run was given (an input or a setting
// that changed since it began, a gene list with no gene), which a resume would read as it was, so
// only a new run can succeed; recorded with the run (RunRecord::newRunNeeded) so that its report
// does not advise a resume. An Error of Kind::Invalid (a value the run was given that cannot be used
// as given: a prompt longer than the context, a --ctx the model refuses, an input that holds no
// usable record) is such a failure too.
class JobFailure : public std::runtime_error {
public:
    explicit JobFailure(const QString& message) : std::runtime_error(message.toStdString()), m_message(message) {}
    explicit JobFailure(const Error& error) : JobFailure(error.message()) { m_newRunNeeded = error.kind() == Error::Kind::Invalid; }
    static JobFailure needingNewRun(const QString& message)
    {
        JobFailure f(message);
        f.m_newRunNeeded = true;
        return f;
    }
    const QString& message() const { return m_message; }
    bool newRunNeeded() const { return m_newRunNeeded; }

private:
    QString m_message;
    bool m_newRunNeeded = false;
};

// Throws JobFailure when a Status or Expected carries an error.
template <typename T>
T orThrow(Expected<T> value)
{
    if (!value)
        throw JobFailure(value.error());
    return std::move(*value);
}
inline void orThrow(const Status& status)
{
    if (!status)
        throw JobFailure(status.error());
}

class Job {
public:
    virtual ~Job() = default;
    virtual JobRequirements requirements() const { return {}; }
    // A version of this job's checkpoint layout; checkpoints of another version are recomputed.
    virtual int checkpointSchema() const { return 1; }
    // Whether a resumed run goes on from the work its checkpoints hold (its progress bar then
    // starts at the pause's fraction: JobContext::restoreProgressForResume); false for a job that
    // starts over when resumed (a text generation), whose bar starts at 0.
    virtual bool resumesFromCheckpoints() const { return false; }
    virtual JobOutcome run(JobContext& ctx) = 0;
};

} // namespace bioforge::core
