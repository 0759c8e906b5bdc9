#include "runs/run_service.h"
#include "runs/run_title.h"

#include "settings/workbench_settings.h"

#include "cluster/cluster_run_job.h"
#include "cluster/slurm_options.h"
#include "io/atomic_file.h"
#include "io/folder.h"
#include "jobs/job_handle.h"
#include "jobs/job_scheduler.h"
#include "log/log.h"
#include "provenance/run_state_text.h"
#include "plugin/plugin_manager.h"
#include "provenance/environment_info.h"
#include "provenance/ro_crate.h"
#include "store/project.h"

#include <QDateTime>
#include <QDir>
#include <QFileInfo>
#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QUuid>

#include <algorithm>

namespace bioforge::core {
namespace {

constexpr int kProgressSaveIntervalMs = 2000;

QString newRunId()
{
    // Time-ordered prefix, random suffix: sorts by creation, never collides.
    return QDateTime::currentDateTimeUtc().toString(QStringLiteral("yyyyMMdd-HHmmss-"))
           + QUuid::createUuid().toString(QUuid::Id128).left(8);
}

// An input file given twice (a.fa, ./a.fa, a link to it) would be read twice: every record a
// duplicate of itself. Checked when a run starts (not on resume: a run is continued as recorded).
// Paths that do not exist are left to the missing-file check, which names them.
Status inputFilesOnce(const VerbSpec& spec, const QJsonObject& validated)
{
    for (const ParameterSpec& p : spec.parameters) {
        if (!p.inputFiles || p.type != ParameterSpec::Type::PathList)
            continue;
        QHash<QString, QString> seen; // canonical path (links followed) -> the path as given
        for (const QJsonValue& e : validated.value(p.name).toArray()) {
            const QString canonical = QFileInfo(e.toString()).canonicalFilePath();
            if (canonical.isEmpty())
                continue;
            if (const auto it = seen.constFind(canonical); it != seen.constEnd())
                return Error(it.value() == e.toString()
                                 ? QStringLiteral("parameter '%1': the file %2 is given twice").arg(p.name, e.toString())
                                 : QStringLiteral("parameter '%1': %2 and %3 are the same file, given twice").arg(p.name, it.value(), e.toString()),
                             Error::Kind::Invalid);
            seen.insert(canonical, e.toString());
        }
    }
    return okStatus();
}

} // namespace

RunService::RunService(Project& project, PluginManager& plugins, JobScheduler& scheduler, QObject* parent)
    : QObject(parent), m_project(project), m_plugins(plugins), m_scheduler(scheduler)
{
    connect(&m_scheduler, &JobScheduler::jobStarted, this, &RunService::onJobStarted);
    connect(&m_scheduler, &JobScheduler::jobEnded, this, &RunService::onJobEnded);
    connect(&m_scheduler, &JobScheduler::inputsPinned, this, &RunService::onInputsPinned);
    connect(&m_progressTimer, &QTimer::timeout, this, &RunService::saveProgress);
    m_progressTimer.start(kProgressSaveIntervalMs);
}

RunService::~RunService() = default;

Expected<QString> RunService::start(const QString& pluginId, const QString& verb, const QJsonObject& parameters,
                                    const QString& title)
{
    if (Status st = m_project.store().writable(); !st) // before any check, folder or cluster query
        return st.error();
    const Expected<QString> checkedTitle = checkRunTitle(title);
    if (!checkedTitle)
        return checkedTitle.error();
    const PluginEntry* entry = m_plugins.entry(pluginId);
    if (!entry || entry->state != PluginEntry::State::Loaded)
        return Error(m_plugins.notLoadedReason(pluginId),
                     Error::Kind::NotFound);
    const QList<VerbSpec> verbs = entry->plugin->verbs();
    const VerbSpec* spec = nullptr;
    for (const VerbSpec& v : verbs)
        if (v.name == verb)
            spec = &v;
    if (!spec)
        return Error(QStringLiteral("plugin '%1' has no verb '%2'").arg(pluginId, verb), Error::Kind::Invalid);
    // A cluster run: the verb's own parameters, and "cluster" with the Slurm options (core/cluster).
    QJsonObject own = parameters;
    const QJsonValue cluster = own.take(QLatin1String("cluster"));
    if (!cluster.isUndefined()) {
        if (!entry->plugin->canShard(verb)) {
            QStringList can; // the verbs a plugin splits into shards
            for (const PluginEntry& e : m_plugins.entries())
                if (e.state == PluginEntry::State::Loaded)
                    for (const VerbSpec& v : e.plugin->verbs())
                        if (e.plugin->canShard(v.name))
                            can << e.metadata.id + QLatin1Char(' ') + v.name;
            return Error(QStringLiteral("%1 %2 cannot run on a cluster (verbs that can: %3)")
                             .arg(pluginId, verb, can.isEmpty() ? QStringLiteral("none among the loaded plugins") : can.join(QStringLiteral(", "))),
                         Error::Kind::Invalid);
        }
        auto options = SlurmOptions::fromJson(cluster.toObject());
        if (!options)
            return options.error();
    }
    const QJsonObject given = own;
    own = withSettingDefaults(*spec, own);
    auto validated = spec->validate(own);
    if (!validated)
        return validated.error();
    if (Status once = inputFilesOnce(*spec, *validated); !once)
        return once.error();
    // Paths as the user gave them are relative to this process's folder: a resume from another
    // folder, the GUI after a restart, a cluster task on another node would read other files.
    *validated = spec->withAbsolutePaths(*validated);
    if (!cluster.isUndefined()) {
        validated->insert(QStringLiteral("cluster"), SlurmOptions::fromJson(cluster.toObject())->toJson());
    }
    RunRecord record;
    record.runId = newRunId();
    record.checkpointId = record.runId;
    if (record.title = *checkedTitle; record.title.isEmpty()) { // runs of one verb told apart by their inputs
        record.title = QStringLiteral("%1: %2").arg(entry->metadata.name, verb);
        if (const QString note = entry->plugin->titleNote(verb, *validated); !note.isEmpty())
            record.title += QLatin1Char(' ') + note;
        if (const QString inputs = spec->inputSummary(*validated); !inputs.isEmpty())
            record.title += QStringLiteral(" — ") + inputs;
    }
    record.pluginId = pluginId;
    record.pluginVersion = entry->metadata.version;
    record.verb = verb;
    record.parameters = *validated;
    Expected<QString> launched = launch(std::move(record));
    if (!launched)
        return namingSavedDevice(launched.error(), given, own);
    return launched;
}

Error RunService::namingSavedDevice(const Error& error, const QJsonObject& given, const QJsonObject& used)
{
    const std::optional<QString> saved = WorkbenchSettings().savedDevice();
    const QString device = used.value(QLatin1String("device")).toString();
    if (!saved || given.contains(QLatin1String("device")) || device.compare(*saved, Qt::CaseInsensitive) != 0
        || !error.message().contains(QLatin1String("device"), Qt::CaseInsensitive))
        return error;
    return Error(QStringLiteral("%1 (device %2 is the saved `device` setting, not one given with this run: give the run a device, or return the "
                                "setting to its default: Settings > Compute, or `bioforge settings unset device`)")
                     .arg(error.message(), *saved),
                 error.kind());
}

Expected<QString> RunService::resume(const QString& runId, const InputRelocation& relocation)
{
    if (Status st = m_project.store().writable(); !st)
        return st.error();
    auto parent = m_project.store().run(runId);
    if (!parent)
        return parent.error();
    if (!runStateIsResumable(parent->state))
        return Error(QStringLiteral("run %1 is %2; only paused, interrupted or failed runs can be resumed")
                         .arg(runId, runStateName(parent->state)));
    if (!parent->resumable())
        return Error(QStringLiteral("run %1 failed on what it was given (%2): a resume reads the same inputs and settings and would fail the same "
                                    "way; start a new run with the corrected input or value")
                         .arg(runId, parent->error));
    auto all = m_project.store().runs();
    if (!all)
        return all.error();
    if (const RunRecord* r = continuationOf(*all, runId))
        return Error(runStateIsResumable(r->state)
                         ? QStringLiteral("run %1 was already resumed as run %2, %3: resume %2 instead").arg(runId, r->runId, whichRunState(r->state))
                         : QStringLiteral("run %1 was already resumed as run %2 (%3)").arg(runId, r->runId, runStateName(r->state)));
    for (const auto& h : m_scheduler.handles())
        if (h->record().checkpointId == parent->checkpointId
            && (h->state() == RunState::Running || h->state() == RunState::Queued))
            return Error(QStringLiteral("run %1 is still active on the same checkpoints").arg(h->runId()));
    // The stored parameters come from the project database, which any program can edit: they pass
    // the verb's checks again (types, ranges) before a job is made of them; the run keeps them as stored.
    const PluginEntry* owner = m_plugins.entry(parent->pluginId);
    if (!owner || owner->state != PluginEntry::State::Loaded)
        return Error(QStringLiteral("run %1: %2").arg(runId, m_plugins.notLoadedReason(parent->pluginId)), Error::Kind::NotFound);
    const QList<VerbSpec> verbs = owner->plugin->verbs();
    const auto spec = std::find_if(verbs.begin(), verbs.end(), [&](const VerbSpec& v) { return v.name == parent->verb; });
    if (spec == verbs.end())
        return Error(QStringLiteral("run %1: plugin '%2' has no verb '%3'").arg(runId, parent->pluginId, parent->verb), Error::Kind::NotFound);
    // Inputs moved since it began: their new places, in the parameters it goes on with.
    QHash<QString, QString> moved; // old path -> new path
    if (!relocation.isEmpty()) {
        if (parent->parameters.contains(QLatin1String("cluster")))
            return Error(QStringLiteral("run %1 ran on the Slurm cluster, whose tasks planned their shards on the inputs' paths: a moved input is "
                                        "put back where it was for it (relocation is for runs on this machine)")
                             .arg(runId));
        auto found = relocateInputs(inputsOf(*parent), relocation);
        if (!found)
            return Error(QStringLiteral("run %1 cannot be resumed: %2").arg(runId, found.error().message()), found.error().kind());
        moved = *found;
    }
    const QJsonObject parameters = withRelocatedPaths(parent->parameters, moved);
    QJsonObject own = parameters;
    own.remove(QLatin1String("cluster")); // checked by SlurmOptions::fromJson in launch()
    // A parameter the verb no longer takes (a plugin update dropped it): the checkpoints were made
    // with it and this version cannot honour it, so the run is not continued under other rules.
    for (auto it = own.begin(); it != own.end(); ++it)
        if (std::none_of(spec->parameters.begin(), spec->parameters.end(), [&](const ParameterSpec& p) { return p.name == it.key(); }))
            return Error(QStringLiteral("run %1 was recorded by %2 %3 with the parameter '%4', which %2 %5's '%6' no longer "
                                        "takes; this version cannot continue it under the same settings. Start a new run "
                                        "(what the run finished is in its folder)")
                             .arg(runId, parent->pluginId, parent->pluginVersion.isEmpty() ? QStringLiteral("(version not recorded)") : parent->pluginVersion,
                                  it.key(), owner->metadata.version, parent->verb));
    if (auto checked = spec->validate(own); !checked)
        return checked.error().withContext(QStringLiteral("run %1: its recorded parameters").arg(runId));
    // A file it reads gone since it began (and not said where it is now): refused before a
    // continuation is recorded, saying what to do (it was recorded, then failed at its pins, and
    // the failed continuation was the one to resume: trial 25 T25-9). A cluster run's tasks check theirs.
    if (!parameters.contains(QLatin1String("cluster"))) {
        QStringList gone = spec->pathsGone(parameters); // a mapping or model file too (review 69 R69-5)
        gone.removeIf([](const QString& path) { return !QFileInfo(path).isAbsolute(); });
        if (!gone.isEmpty()) {
            const QString which = parent->title.isEmpty() ? runId : QStringLiteral("%1 (%2)").arg(runId, parent->title);
            return Error(QStringLiteral("run %1 cannot be resumed: %2 gone since it began (%3); put %4 back where %5 and resume again, or say where %6 "
                                        "now: bioforge resume %7 --relocate OLD=NEW or --search FOLDER (the window's Resume offers to locate %4), or "
                                        "start a new run")
                             .arg(which, gone.size() == 1 ? QStringLiteral("its input is") : QStringLiteral("%1 of its inputs are").arg(gone.size()),
                                  gone.join(QStringLiteral(", ")), gone.size() == 1 ? QStringLiteral("it") : QStringLiteral("them"),
                                  gone.size() == 1 ? QStringLiteral("it was") : QStringLiteral("they were"),
                                  gone.size() == 1 ? QStringLiteral("it is") : QStringLiteral("they are"), runId),
                         Error::Kind::NotFound);
        }
    }
    RunRecord record;
    record.runId = newRunId();
    record.parentRunId = parent->runId;
    record.checkpointId = parent->checkpointId;
    record.title = parent->title;
    record.pluginId = parent->pluginId;
    record.verb = parent->verb;
    record.parameters = parameters;
    record.pluginVersion = owner->metadata.version;
    QHash<QString, QString> movedFrom; // new path -> old path: the pins name the old
    for (auto it = moved.cbegin(); it != moved.cend(); ++it)
        movedFrom.insert(it.value(), it.key());
    auto launched = launch(std::move(record), parent->inputs, movedFrom);
    if (!launched) { // which run, and what to do (a gone input was said alone, with no run named: trial 21)
        const QString which = parent->title.isEmpty() ? runId : QStringLiteral("%1 (%2)").arg(runId, parent->title);
        const QString next = launched.error().kind() == Error::Kind::NotFound
                                 ? QStringLiteral("; put it back where it was and resume again (or say where it is now: bioforge resume %1 --relocate "
                                                  "OLD=NEW or --search FOLDER; the window's Resume offers to locate it), or start a new run")
                                       .arg(runId)
                                 : QString();
        return Error(QStringLiteral("run %1 cannot be resumed: %2%3").arg(which, launched.error().message(), next), launched.error().kind());
    }
    return launched;
}

Expected<QString> RunService::launch(RunRecord record, const QList<FileRef>& recordedInputs, const QHash<QString, QString>& movedFrom)
{
    if (Status here = m_project.inPlace(); !here)
        return here.error();
    IPlugin* plugin = m_plugins.plugin(record.pluginId);
    if (!plugin)
        return Error(m_plugins.notLoadedReason(record.pluginId));
    Expected<std::unique_ptr<Job>> job = Error(QString());
    if (record.parameters.contains(QLatin1String("cluster"))) {
        QJsonObject own = record.parameters;
        auto options = SlurmOptions::fromJson(own.take(QLatin1String("cluster")).toObject());
        if (!options)
            return options.error();
        if (auto check = plugin->createJob(record.verb, own); !check) // the plugin's own checks, before anything is submitted
            return check.error();
        // A machine with the Slurm client but no cluster (no slurm.conf, no controller) would record
        // a run that fails with sbatch's configuration errors: asked once the parameters are good.
        if (Status answers = slurmClusterAnswers(); !answers)
            return answers.error();
        job = std::unique_ptr<Job>(std::make_unique<ClusterRunJob>(*plugin, record.pluginId, record.verb, own, *options, ClusterRunJob::defaultExecutable()));
    } else {
        job = plugin->createJob(record.verb, record.parameters);
        if (job)
            if (Status local = plugin->checkLocalRun(record.verb, record.parameters); !local)
                return local.error();
    }
    if (!job)
        return job.error();
    record.createdAt = QDateTime::currentDateTimeUtc();
    record.state = RunState::Queued;
    record.environment = EnvironmentInfo::collect();
    const QString runDir = m_project.runDir(record.runId);
    if (Status made = makeFolder(runDir); !made)
        return made.error();
    if (Status st = m_project.store().insertRun(record); !st) {
        QDir().rmdir(runDir); // still empty
        return Error(st.error().message(), st.error().kind() == Error::Kind::Failed ? Error::Kind::Failed : Error::Kind::Io);
    }
    wroteState(record);
    writeRecordFile(record, runDir);
    auto handle = std::make_shared<JobHandle>(record, std::move(*job), runDir, m_project.checkpointDir(record.checkpointId), m_project.cacheDir());
    // A cluster run's tasks pin and record their own inputs (ClusterRunJob checks they agree): its
    // parent does not read them all again on the submitting machine.
    const QList<VerbSpec> verbs = plugin->verbs();
    if (const auto spec = std::find_if(verbs.begin(), verbs.end(), [&](const VerbSpec& v) { return v.name == record.verb; });
        spec != verbs.end() && !record.parameters.contains(QLatin1String("cluster")))
        handle->setInputFiles(spec->filesRead(record.parameters));
    QHash<QString, QString> recorded;
    QList<FileRef> carried; // a resume's record carries them until its end records its own (a kill -9 ends none: trial 24 T24-2)
    QHash<QString, QString> movedTo; // path the run began with -> path now
    for (auto it = movedFrom.cbegin(); it != movedFrom.cend(); ++it)
        movedTo.insert(it.value(), it.key());
    for (FileRef f : recordedInputs)
        if (!f.path.isEmpty() && !f.sha256.isEmpty() && QFileInfo(f.path).isAbsolute()) {
            recorded.insert(f.path, f.sha256); // the pins are looked up at the old path (input_pins.h)
            f.path = movedTo.value(f.path, f.path); // carried where it is now (review 68 R68-2)
            carried << f;
        }
    if (!carried.isEmpty() && handle->record().inputs.isEmpty()) {
        handle->record().inputs = carried;
        if (Status st = m_project.store().updateRun(handle->record()); !st)
            log::error(st.error().message());
    }
    handle->setRecordedInputs(std::move(recorded));
    handle->setMovedInputs(movedFrom);
    log::info(QStringLiteral("run %1 queued: %2 %3%4").arg(record.runId, record.pluginId, record.verb,
                                                           record.parentRunId.isEmpty() ? QString() : QStringLiteral(" (resumes %1)").arg(record.parentRunId)));
    m_runs.insert(record.runId);
    m_scheduler.submit(handle);
    emit runQueued(record.runId);
    return record.runId;
}

void RunService::pause(const QString& runId) { m_scheduler.pause(runId); }
void RunService::cancel(const QString& runId) { m_scheduler.cancel(runId); }

void RunService::onJobStarted(const QString& runId)
{
    if (!m_runs.contains(runId))
        return;
    auto h = m_scheduler.handle(runId);
    if (!h)
        return;
    if (Status st = m_project.store().updateRun(h->record()); !st)
        log::error(st.error().message());
    wroteState(h->record());
    writeRecordFile(h->record(), h->runDir());
    emit runStarted(runId);
}

void RunService::onJobEnded(const QString& runId)
{
    if (!m_runs.contains(runId))
        return;
    auto h = m_scheduler.handle(runId);
    if (!h)
        return;
    const RunRecord& record = h->record();
    if (Status st = m_project.store().updateRun(record); !st)
        log::error(st.error().message());
    (void)m_project.store().clearStopRequest(runId); // one asked as it ended is no longer to act on
    wroteState(record);
    // Where it ended, so that a paused run's row starts there after a restart (the periodic save
    // may be seconds older).
    (void)m_project.store().updateProgress(runId, record.state == RunState::Finished ? 1.0 : h->snapshot().fraction);
    if (Status here = m_project.inPlace(); !here) // its folder would be made again at the old place
        log::error(QStringLiteral("run %1: provenance.json not written: %2").arg(runId, here.error().message()));
    else if (Status st = exportProvenance(record, h->runDir()); !st)
        log::error(st.error().message());
    log::info(QStringLiteral("run %1 %2").arg(runId, runStateName(record.state))); // a failure's message: logged once, by the scheduler
    emit runEnded(runId, record.state == RunState::Finished);
}

void RunService::writeRecordFile(const RunRecord& record, const QString& runDir) const
{
    if (Status here = m_project.inPlace(); !here) // its folder would be made again at the old place
        return;
    // Who runs it, as the project database keeps it: `bioforge recover` leaves a run whose process
    // still runs alone, instead of offering it for resume beside itself (review 69 R69-1).
    QJsonObject json = record.toJson();
    const RunOwner owner = RunOwner::current();
    json.insert(QStringLiteral("owner"), QJsonObject{{QStringLiteral("pid"), owner.pid}, {QStringLiteral("host"), owner.host},
                                                     {QStringLiteral("process_start"), owner.processStart}});
    if (Status st = AtomicFile::write(QDir(runDir).filePath(QStringLiteral("provenance.json")), QJsonDocument(json).toJson(QJsonDocument::Indented)); !st)
        log::error(QStringLiteral("run %1: %2").arg(record.runId, st.error().message()));
}

Status RunService::exportProvenance(const RunRecord& record, const QString& runDir)
{
    if (Status st = AtomicFile::write(QDir(runDir).filePath(QStringLiteral("provenance.json")),
                                      QJsonDocument(record.toJson()).toJson(QJsonDocument::Indented));
        !st)
        return st;
    return AtomicFile::write(QDir(runDir).filePath(QStringLiteral("ro-crate-metadata.json")),
                             QJsonDocument(RoCrate::fromRun(record)).toJson(QJsonDocument::Indented));
}

void RunService::saveProgress()
{
    for (const auto& h : m_scheduler.handles())
        if (h->state() == RunState::Running && m_runs.contains(h->runId()))
            (void)m_project.store().updateProgress(h->runId(), h->snapshot().fraction);
    actOnStopRequests();
}

QJsonObject RunService::withSettingDefaults(const VerbSpec& spec, QJsonObject given)
{
    const WorkbenchSettings settings;
    for (const ParameterSpec& p : spec.parameters) {
        if (given.contains(p.name))
            continue;
        if (p.name == QLatin1String("threads"))
            if (const auto n = settings.savedCpuThreads())
                given.insert(p.name, *n);
        if (p.name == QLatin1String("device"))
            if (const auto device = settings.savedDevice())
                given.insert(p.name, *device);
    }
    return given;
}

} // namespace bioforge::core
