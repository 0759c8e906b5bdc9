#include "jobs/job_context.h"

#include "checkpoint/checkpoint_store.h"
#include "jobs/clock.h"
#include "log/log.h"
#include "provenance/provenance_recorder.h"

#include <cmath>

namespace bioforge::core {

JobContext::JobContext(QString runId, const Clock& clock, Services services, QJsonObject parameters)
    : m_runId(std::move(runId)), m_clock(clock), m_services(std::move(services)),
      m_parameters(std::move(parameters)), m_startMs(clock.nowMs())
{
    m_nextSampleMs.store(m_startMs, std::memory_order_relaxed);
}

void JobContext::defineStages(const QList<StageSpec>& stages)
{
    std::lock_guard lock(m_mutex);
    m_progress.defineStages(stages);
}

void JobContext::beginStage(const QString& id, qint64 totalUnits)
{
    std::lock_guard lock(m_mutex);
    m_progress.beginStage(id, totalUnits);
    m_message.clear(); // a message says what a stage does: the next one has its own (review 66 R66-21)
    m_stageDone.store(0, std::memory_order_relaxed);
    m_stageRate.reset();
    sampleLocked(m_clock.nowMs());
}

void JobContext::setStageTotal(qint64 totalUnits)
{
    std::lock_guard lock(m_mutex);
    m_progress.setStageTotal(totalUnits);
}

void JobContext::advance(qint64 units)
{
    m_stageDone.fetch_add(units, std::memory_order_relaxed);
    const qint64 before = m_unitsDone.fetch_add(units, std::memory_order_relaxed);
    // The clock is read only when the count crosses a multiple of
    // kClockStride (readers' snapshots add samples too), so a job may report
    // millions of units a second for a few nanoseconds each.
    if ((before + units) / kClockStride == before / kClockStride)
        return;
    // Rate-limited sampling: at most one ETA sample per interval, taken by
    // whichever thread crosses the deadline first.
    const qint64 now = m_clock.nowMs();
    qint64 due = m_nextSampleMs.load(std::memory_order_relaxed);
    if (now < due || !m_nextSampleMs.compare_exchange_strong(due, now + kSampleIntervalMs))
        return;
    std::lock_guard lock(m_mutex);
    sampleLocked(now);
}

void JobContext::advanceReused(qint64 units)
{
    if (units <= 0)
        return;
    // Under the lock no sample is taken between the count and the shift. Other workers' evidence
    // (a resume on several devices) is kept: the samples move up by the jump instead of starting over.
    std::lock_guard lock(m_mutex);
    const qint64 before = m_stageDone.fetch_add(units, std::memory_order_relaxed);
    m_unitsDone.fetch_add(units, std::memory_order_relaxed);
    const double was = m_progress.fraction(before); // the bar never goes back: read before the jump
    m_eta.shift(m_progress.fraction(before + units) - was, units);
    const qint64 total = m_progress.stageTotal();
    m_stageRate.shift(total > 0 ? double(units) / double(total) : 0.0, units);
    sampleLocked(m_clock.nowMs());
}

void JobContext::sampleLocked(qint64 now) const
{
    const qint64 stageDone = m_stageDone.load(std::memory_order_relaxed);
    const double fraction = m_progress.fraction(stageDone);
    m_eta.addSample(now, fraction, m_unitsDone.load(std::memory_order_relaxed));
    const qint64 total = m_progress.stageTotal();
    m_stageRate.addSample(now, total > 0 ? std::clamp(double(stageDone) / double(total), 0.0, 1.0) : 0.0, stageDone);
}

void JobContext::warn(const QString& message)
{
    log::warn(QStringLiteral("run %1: %2").arg(m_runId, message));
    if (m_services.provenance)
        m_services.provenance->addWarning(message);
    std::lock_guard lock(m_mutex);
    ++m_warnings;
    m_lastWarning = message;
}

QString formatRate(double unitsPerSecond, const QString& unit)
{
    if (unit == QLatin1String("bytes")) {
        static const char* prefixes[] = {"B", "kB", "MB", "GB"};
        int i = 0;
        while (unitsPerSecond >= 1000 && i < 3) {
            unitsPerSecond /= 1000;
            ++i;
        }
        return QStringLiteral("%1 %2/s").arg(unitsPerSecond, 0, 'f', 1).arg(QLatin1String(prefixes[i]));
    }
    const QString name = unit.isEmpty() ? QStringLiteral("units") : unit;
    // A slow stage (a cluster run's shards, minutes each) in a unit of time that shows it: not "0.00 shards/s".
    if (unitsPerSecond > 0 && unitsPerSecond < 0.1) {
        const double perMinute = unitsPerSecond * 60;
        if (perMinute >= 1)
            return QStringLiteral("%1 %2/min").arg(perMinute, 0, 'f', perMinute < 10 ? 2 : 1).arg(name);
        return QStringLiteral("%1 %2/h").arg(perMinute * 60, 0, 'f', 2).arg(name);
    }
    return QStringLiteral("%1 %2/s").arg(unitsPerSecond, 0, 'f', unitsPerSecond < 10 ? 2 : 1).arg(name);
}

void JobContext::setMessage(const QString& message)
{
    std::lock_guard lock(m_mutex);
    m_message = message;
}

void JobContext::setNotice(const QString& notice)
{
    std::lock_guard lock(m_mutex);
    m_notice = notice;
}

void JobContext::markEnded()
{
    qint64 expected = -1;
    m_endMs.compare_exchange_strong(expected, m_clock.nowMs(), std::memory_order_acq_rel);
}

void JobContext::markComplete()
{
    std::lock_guard lock(m_mutex);
    m_progress.markAllComplete();
    sampleLocked(m_clock.nowMs());
}

void JobContext::requestPause(PauseMode mode)
{
    if (mode == PauseMode::LeaveClusterJobs)
        m_leaveClusterJobs.store(true, std::memory_order_release); // before the pause, which readers see first
    int expected = int(StopRequest::None);
    m_stop.compare_exchange_strong(expected, int(StopRequest::Pause), std::memory_order_acq_rel);
}

void JobContext::requestCancel()
{
    // Cancel wins over a pending pause.
    m_stop.store(int(StopRequest::Cancel), std::memory_order_release);
}

void JobContext::saveProgressForResume()
{
    if (!m_services.checkpoints)
        return;
    const double fraction = snapshot().fraction;
    if (fraction <= 0.0 || fraction >= 1.0)
        return;
    // A lost value costs only the bar's starting point: said in the log, not fatal to the pause.
    if (Status st = m_services.checkpoints->save(QLatin1String(kResumeProgressKey), {{QStringLiteral("fraction"), fraction}}); !st)
        log::warn(QStringLiteral("run %1: its progress at the pause was not kept (%2); resumed, it starts at 0 %").arg(m_runId, st.error().message()));
}

void JobContext::restoreProgressForResume()
{
    if (!m_services.checkpoints)
        return;
    // Read quietly: an entry of another schema or a damaged one only costs the bar's start.
    if (!m_services.checkpoints->hasManifest(QLatin1String(kResumeProgressKey)))
        return;
    const auto saved = m_services.checkpoints->load(QLatin1String(kResumeProgressKey));
    if (!saved)
        return;
    const double fraction = saved->state.value(QLatin1String("fraction")).toDouble(0.0);
    if (!(fraction > 0.0 && fraction < 1.0))
        return;
    std::lock_guard lock(m_mutex);
    m_progress.startAt(fraction);
    m_eta.reset(); // a reader may have sampled 0 % since the start: the jump is no rate of work
}

ProgressSnapshot JobContext::snapshot() const
{
    std::lock_guard lock(m_mutex);
    ProgressSnapshot s;
    const auto& stages = m_progress.stages();
    s.stageIndex = m_progress.currentStage();
    s.stageCount = int(stages.size());
    if (s.stageIndex >= 0 && s.stageIndex < stages.size()) {
        s.stageId = stages[s.stageIndex].id;
        s.stageLabel = stages[s.stageIndex].label;
    }
    s.stageDone = m_stageDone.load(std::memory_order_relaxed);
    s.stageTotal = m_progress.stageTotal();
    s.unitsDone = m_unitsDone.load(std::memory_order_relaxed);
    const qint64 now = m_clock.nowMs();
    sampleLocked(now); // the reader's "now" is evidence too
    s.fraction = m_progress.fraction(s.stageDone);
    // In the last stage (of a known size) the time left is that stage's own: its rate, not the
    // whole job's, whose window may hold an earlier stage done in moments (a model loaded in 0.1 s
    // took a third of the bar, and a 4-minute generation said "ETA 0:06": trial 19).
    // A last stage of one unit (writing the outputs) shows no rate of its own until it is done: the
    // whole job's gives its ETA.
    const bool lastStage = s.stageIndex >= 0 && s.stageIndex == stages.size() - 1 && m_progress.stageTotal() > 1;
    // An earlier stage of a known size whose own rate is known: the rest of the bar at the rate this
    // stage moves it, the later stages counted by their weights — not the whole job's rate, whose
    // window holds the moments an earlier stage took ("ETA 0:04" with 26 s of clocks left to
    // compare: trial 24 T24-14). Until the stage shows a rate, the whole job's.
    const double share = m_progress.currentStageShare(), stagePerSecond = m_stageRate.fractionPerSecond();
    if (lastStage)
        s.etaMs = m_stageRate.remainingMs();
    else if (m_progress.stageTotal() > 1 && share > 0.0 && stagePerSecond > 0.0)
        s.etaMs = qint64(std::llround((1.0 - s.fraction) / (share * stagePerSecond) * 1000.0));
    else
        s.etaMs = m_eta.remainingMs();
    s.unitsPerSecond = m_stageRate.unitsPerSecond();
    if (s.stageIndex >= 0 && s.stageIndex < stages.size()) {
        s.unit = stages[s.stageIndex].unit;
        if (const qint64 scale = stages[s.stageIndex].scale; scale > 1) { // shown in the unit the user knows
            s.stageDone /= scale;
            s.stageTotal /= scale;
            s.unitsPerSecond /= double(scale);
        }
    }
    const qint64 ended = m_endMs.load(std::memory_order_acquire);
    s.elapsedMs = (ended >= 0 ? ended : now) - m_startMs; // a run's own working time, not "now - start" once it ended
    s.message = m_message;
    s.notice = m_notice;
    s.warnings = m_warnings;
    s.lastWarning = m_lastWarning;
    return s;
}

} // namespace bioforge::core
