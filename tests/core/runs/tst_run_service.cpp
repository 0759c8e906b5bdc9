// Runs end to end through RunService: provenance recorded and exported,
// pause → resume gives byte-identical output, crash recovery marks orphaned
// runs interrupted and resumable.

#include "compute/device_discovery.h"
#include "compute/device_lease.h"
#include "diagnostics/workbench_plugin.h"
#include "jobs/clock.h"
#include "jobs/job_scheduler.h"
#include "log/logging.h"
#include "plugin/plugin_manager.h"
#include "runs/run_service.h"
#include "core/runs/selftest_record.h"
#include "settings/workbench_settings.h"
#include "store/project.h"
#include "store/project_store.h"
#include "support/test_support.h"

#include <QDir>
#include <QFileInfo>
#include <QJsonDocument>
#include <QScopeGuard>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

using namespace bioforge::core;
using namespace bioforge::test;

// The workbench's self-test, behind a plugin whose local runs need what this machine lacks
// (as a viral run asking for CUDA of a LibTorch without it).
class LocalRunRefusingPlugin final : public QObject, public IPlugin {
    Q_OBJECT
    Q_INTERFACES(bioforge::core::IPlugin)
public:
    bool initialize(const PluginContext& context, QString* errorString) override { return m_inner.initialize(context, errorString); }
    QList<VerbSpec> verbs() const override { return m_inner.verbs(); }
    Expected<std::unique_ptr<Job>> createJob(const QString& verb, const QJsonObject& parameters) override { return m_inner.createJob(verb, parameters); }
    Status checkLocalRun(const QString&, const QJsonObject&) const override
    {
        return Error(QStringLiteral("device gpu:7: not in this build"), Error::Kind::NotFound);
    }

private:
    WorkbenchPlugin m_inner;
};

class TstRunService : public QObject {
    Q_OBJECT

    QTemporaryDir m_dir;
    std::unique_ptr<Project> m_project;
    std::unique_ptr<PluginManager> m_plugins;
    std::unique_ptr<DeviceLeasePool> m_devices;
    std::unique_ptr<JobScheduler> m_scheduler;
    std::unique_ptr<RunService> m_runs;

    const QJsonObject m_params{{QStringLiteral("units"), 12}, {QStringLiteral("values"), 2048}, {QStringLiteral("work"), 30}};

    QByteArray outputsOf(const QString& runId)
    {
        const QDir dir(m_project->runDir(runId));
        return readAll(dir.filePath(QStringLiteral("units.tsv"))) + readAll(dir.filePath(QStringLiteral("values.safetensors")))
               + readAll(dir.filePath(QStringLiteral("summary.json")));
    }

    RunRecord selftestRecord(const QString& id, RunState state) const { return bioforge::test::selftestRecord(id, state, m_params); }

private slots:
    void initTestCase()
    {
        qputenv("XDG_CONFIG_HOME", m_dir.filePath(QStringLiteral("config")).toUtf8()); // this test's settings, before any are read
        Logging::initialize(Logging::Console::Off);
        auto project = Project::open(m_dir.filePath(QStringLiteral("project")), true);
        QVERIFY(project);
        m_project = std::move(*project);
        m_plugins = std::make_unique<PluginManager>();
        m_plugins->setSearchPaths({});
        m_plugins->addBuiltin(new WorkbenchPlugin, WorkbenchPlugin::metadata());
        m_plugins->loadAll({});
        m_devices = std::make_unique<DeviceLeasePool>(QList<DeviceInfo>{DeviceDiscovery::cpu()});
        m_scheduler = std::make_unique<JobScheduler>(*m_devices, SteadyClock::instance(), 2);
        m_runs = std::make_unique<RunService>(*m_project, *m_plugins, *m_scheduler);
    }

    void cleanupTestCase()
    {
        if (m_scheduler)
            m_scheduler->pauseAllAndWait();
        m_runs.reset();
        m_scheduler.reset();
    }

    void aRunRecordsProvenanceAndExportsIt()
    {
        auto id = m_runs->start(QStringLiteral("workbench"), QStringLiteral("selftest"), m_params);
        QVERIFY2(id, id ? "" : qPrintable(id.error().message()));
        QVERIFY(m_scheduler->waitForIdle(60000));
        auto record = m_project->store().run(*id);
        QVERIFY(record);
        QCOMPARE(record->state, RunState::Finished);
        QCOMPARE(record->outputs.size(), 3);
        for (const FileRef& f : record->outputs)
            QCOMPARE(f.sha256.size(), 64);
        QCOMPARE(record->device.value(QStringLiteral("id")).toString(), QStringLiteral("cpu"));
        QVERIFY(record->startedAt.isValid() && record->endedAt.isValid());
        QVERIFY(!record->environment.value(QStringLiteral("libraries")).toObject().isEmpty());
        const QString prov = QDir(m_project->runDir(*id)).filePath(QStringLiteral("provenance.json"));
        const QJsonDocument doc = QJsonDocument::fromJson(readAll(prov));
        QCOMPARE(doc.object().value(QStringLiteral("runId")).toString(), *id);
        QVERIFY(QFileInfo::exists(QDir(m_project->runDir(*id)).filePath(QStringLiteral("ro-crate-metadata.json"))));
    }

    // The self-test on a cluster, without one: the shards run as the tasks would, and the merge of
    // their outputs is the single-machine run's, byte for byte (units that do not divide evenly).
    void selfTestShardsMergeToTheSingleMachineOutputs()
    {
        const QJsonObject params{{QStringLiteral("units"), 11}, {QStringLiteral("values"), 300}, {QStringLiteral("work"), 5}, {QStringLiteral("seed"), 9}};
        auto single = m_runs->start(QStringLiteral("workbench"), QStringLiteral("selftest"), params);
        QVERIFY2(single, single ? "" : qPrintable(single.error().message()));
        IPlugin* plugin = m_plugins->plugin(QStringLiteral("workbench"));
        QVERIFY(plugin && plugin->canShard(QStringLiteral("selftest")));
        const QString planFile = m_dir.filePath(QStringLiteral("selftest-plan.json"));
        auto plan = plugin->planShards(QStringLiteral("selftest"), params, 4, planFile);
        QVERIFY2(plan, plan ? "" : qPrintable(plan.error().message()));
        QCOMPARE(plan->weights, (QList<qint64>{2, 3, 3, 3}));
        QStringList shardDirs;
        for (int i = 0; i < plan->weights.size(); ++i) {
            auto id = m_runs->start(QStringLiteral("workbench"), QStringLiteral("selftest"),
                                    plugin->shardParameters(QStringLiteral("selftest"), params, i, int(plan->weights.size()), planFile));
            QVERIFY2(id, id ? "" : qPrintable(id.error().message()));
            shardDirs << m_project->runDir(*id);
        }
        QVERIFY(m_scheduler->waitForIdle(60000));
        const QString merged = m_dir.filePath(QStringLiteral("selftest-merged"));
        QVERIFY(QDir().mkpath(merged));
        auto outputs = plugin->mergeShards(QStringLiteral("selftest"), params, shardDirs, merged);
        QVERIFY2(outputs, outputs ? "" : qPrintable(outputs.error().message()));
        QCOMPARE(outputs->size(), 3);
        for (const MergedOutput& o : *outputs)
            QVERIFY2(readAll(QDir(merged).filePath(o.file)) == readAll(QDir(m_project->runDir(*single)).filePath(o.file)), qPrintable(o.file));
        // A shard missing (or of another run): refused, not a summary of other units.
        auto short_ = plugin->mergeShards(QStringLiteral("selftest"), params, shardDirs.mid(1), merged);
        QVERIFY2(!short_ && short_.error().message().contains(QLatin1String("the 3 shards hold 9 units, not the run's 11")), short_ ? "" : qPrintable(short_.error().message()));
        // A shard's plan that is not for these units is refused, naming the plan file.
        QJsonObject other = plugin->shardParameters(QStringLiteral("selftest"), params, 0, int(plan->weights.size()), planFile);
        other.insert(QStringLiteral("units"), 12);
        auto refused = m_runs->start(QStringLiteral("workbench"), QStringLiteral("selftest"), other);
        QVERIFY(m_scheduler->waitForIdle(60000));
        const QString why = refused ? m_project->store().run(*refused)->error : refused.error().message();
        QVERIFY2(why.contains(planFile) && why.contains(QLatin1String("11 units in 4 shards")), qPrintable(why));
    }

    void invalidParametersAreRefusedBeforeAnyRun()
    {
        auto before = m_project->store().runs();
        auto id = m_runs->start(QStringLiteral("workbench"), QStringLiteral("selftest"), {{QStringLiteral("units"), -3}});
        QVERIFY(!id);
        QVERIFY(id.error().message().contains(QStringLiteral("units")));
        QCOMPARE(m_project->store().runs()->size(), before->size());
        QVERIFY(!m_runs->start(QStringLiteral("nosuchplugin"), QStringLiteral("x"), {}));
        QVERIFY(!m_runs->start(QStringLiteral("workbench"), QStringLiteral("nosuchverb"), {}));
    }

    // A local run the plugin's checkLocalRun refuses is not recorded; the error keeps its kind
    // (the command line's exit 6).
    void aLocalRunThePluginRefusesIsNotRecorded()
    {
        PluginManager plugins;
        plugins.setSearchPaths({});
        PluginMetadata meta = WorkbenchPlugin::metadata();
        meta.id = QStringLiteral("refusing");
        plugins.addBuiltin(new LocalRunRefusingPlugin, meta);
        plugins.loadAll({});
        RunService runs(*m_project, plugins, *m_scheduler);
        const qsizetype before = m_project->store().runs()->size();
        auto id = runs.start(QStringLiteral("refusing"), QStringLiteral("selftest"), m_params);
        QVERIFY(!id);
        QCOMPARE(id.error().kind(), Error::Kind::NotFound);
        QVERIFY2(id.error().message().contains(QStringLiteral("gpu:7")), qPrintable(id.error().message()));
        QCOMPARE(m_project->store().runs()->size(), before);
    }

    void pauseThenResumeGivesByteIdenticalOutput()
    {
        auto reference = m_runs->start(QStringLiteral("workbench"), QStringLiteral("selftest"), m_params);
        QVERIFY(reference);
        QVERIFY(m_scheduler->waitForIdle(60000));

        auto paused = m_runs->start(QStringLiteral("workbench"), QStringLiteral("selftest"), m_params);
        QVERIFY(paused);
        m_runs->pause(*paused); // the job is running: it stops after its current unit
        QVERIFY(m_scheduler->waitForIdle(60000));
        auto pausedRecord = m_project->store().run(*paused);
        QCOMPARE(pausedRecord->state, RunState::Paused);
        QVERIFY(m_scheduler->handle(*paused)->snapshot().fraction < 1.0);

        auto resumed = m_runs->resume(*paused);
        QVERIFY2(resumed, resumed ? "" : qPrintable(resumed.error().message()));
        QVERIFY(m_scheduler->waitForIdle(60000));
        auto resumedRecord = m_project->store().run(*resumed);
        QCOMPARE(resumedRecord->state, RunState::Finished);
        QCOMPARE(resumedRecord->parentRunId, *paused);
        QCOMPARE(resumedRecord->checkpointId, *paused);
        QCOMPARE(outputsOf(*resumed), outputsOf(*reference));

        auto twice = m_runs->resume(*paused);
        QVERIFY(!twice);
        QVERIFY(twice.error().message().contains(QStringLiteral("already resumed")));
        QVERIFY(!m_runs->resume(*resumed)); // finished runs are not resumable
        // Cancelling the paused run whose continuation finished: nothing is left (it advised cancelling the finished run).
        const auto cancel = m_runs->discard(*paused);
        QVERIFY2(!cancel && cancel.error().message().contains(QStringLiteral("which finished: nothing is left to cancel")),
                 cancel ? "" : qPrintable(cancel.error().message()));
    }

    // A paused run that will not be resumed is ended (bioforge cancel): cancelled in the store and
    // its provenance.json, no longer offered to resume; a running, ended or unknown run is refused.
    void aPausedRunCanBeCancelledForGood()
    {
        QJsonObject long_ = m_params; // as many units as a self-test takes: it is paused long before its end
        long_.insert(QStringLiteral("units"), 100000);
        auto paused = m_runs->start(QStringLiteral("workbench"), QStringLiteral("selftest"), long_);
        QVERIFY(paused);
        const auto running = m_runs->discard(*paused); // refused: it runs
        QVERIFY(!running);
        QVERIFY2(running.error().message().contains(QStringLiteral("still open")), qPrintable(running.error().message()));
        m_runs->pause(*paused);
        QVERIFY(m_scheduler->waitForIdle(60000));
        QCOMPARE(m_project->store().run(*paused)->state, RunState::Paused);
        auto ended = m_runs->discard(*paused);
        QVERIFY2(ended, ended ? "" : qPrintable(ended.error().message()));
        QCOMPARE(ended->state, RunState::Cancelled);
        QCOMPARE(m_project->store().run(*paused)->state, RunState::Cancelled);
        QVERIFY(readAll(QDir(m_project->runDir(*paused)).filePath(QStringLiteral("provenance.json"))).contains("\"state\": \"cancelled\""));
        for (const RunRecord& r : *m_runs->resumableRuns())
            QVERIFY(r.runId != *paused);
        QVERIFY(!m_runs->resume(*paused));
        const auto again = m_runs->discard(*paused);
        QVERIFY(!again && again.error().message().contains(QStringLiteral("is cancelled")));
        QCOMPARE(m_runs->discard(QStringLiteral("no-such-run")).error().kind(), Error::Kind::NotFound);
    }

    void failedRunKeepsItsMessage()
    {
        QJsonObject p = m_params;
        p.insert(QStringLiteral("fail_at_unit"), 2);
        auto id = m_runs->start(QStringLiteral("workbench"), QStringLiteral("selftest"), p);
        QVERIFY(id);
        QVERIFY(m_scheduler->waitForIdle(60000));
        auto record = m_project->store().run(*id);
        QCOMPARE(record->state, RunState::Failed);
        QVERIFY(record->error.contains(QStringLiteral("unit 2")));
    }

    void orphanedRunsAreMarkedInterruptedAndResumable()
    {
        RunRecord ghost = selftestRecord(QStringLiteral("ghost-run"), RunState::Running);
        RunOwner dead = RunOwner::current();
        dead.processStart = QStringLiteral("gone:0");
        QVERIFY(m_project->store().insertRun(ghost, dead));
        auto recovered = m_runs->recoverInterrupted();
        QVERIFY(recovered);
        QCOMPARE(recovered->size(), 1);
        QCOMPARE(m_project->store().run(QStringLiteral("ghost-run"))->state, RunState::Interrupted);
        bool listed = false;
        for (const RunRecord& r : *m_runs->resumableRuns())
            listed = listed || r.runId == QLatin1String("ghost-run");
        QVERIFY(listed);
        auto resumed = m_runs->resume(QStringLiteral("ghost-run"));
        QVERIFY(resumed);
        QVERIFY(m_scheduler->waitForIdle(60000));
        QCOMPARE(m_project->store().run(*resumed)->state, RunState::Finished);
    }

    // A resume takes its parameters from the project database, which any program can edit: they
    // pass the verb's checks again, as at start, instead of reaching the job unchecked.
    void aResumeChecksTheRecordedParametersAgain()
    {
        for (const QJsonValue& units : {QJsonValue(-3), QJsonValue(1e12), QJsonValue(QStringLiteral("many"))}) {
            RunRecord edited;
            edited.runId = QStringLiteral("edited-run-%1").arg(units.toVariant().toString());
            edited.checkpointId = edited.runId;
            edited.pluginId = QStringLiteral("workbench");
            edited.verb = QStringLiteral("selftest");
            edited.parameters = m_params;
            edited.parameters.insert(QStringLiteral("units"), units);
            edited.state = RunState::Interrupted;
            edited.createdAt = QDateTime::currentDateTimeUtc();
            QVERIFY(m_project->store().insertRun(edited));
            const qsizetype before = m_project->store().runs()->size();
            auto resumed = m_runs->resume(edited.runId);
            QVERIFY(!resumed);
            QVERIFY2(resumed.error().message().contains(edited.runId) && resumed.error().message().contains(QStringLiteral("units")),
                     qPrintable(resumed.error().message()));
            QCOMPARE(m_project->store().runs()->size(), before);
        }
    }

    // A run recorded by an older plugin whose verb has since dropped a parameter: its checkpoints were
    // made under a setting this version cannot honour, so it is refused with both versions named.
    void aResumeRefusesAParameterTheVerbNoLongerTakes()
    {
        RunRecord old = selftestRecord(QStringLiteral("older-plugin-run"), RunState::Interrupted);
        old.pluginVersion = QStringLiteral("0.0.1-old");
        old.parameters.insert(QStringLiteral("retired_setting"), 3);
        QVERIFY(m_project->store().insertRun(old));
        const qsizetype before = m_project->store().runs()->size();
        auto resumed = m_runs->resume(old.runId);
        QVERIFY(!resumed);
        const QString message = resumed.error().message();
        QVERIFY2(message.contains(old.runId) && message.contains(QStringLiteral("'retired_setting'"))
                     && message.contains(QStringLiteral("0.0.1-old")) && message.contains(QStringLiteral("new run")),
                 qPrintable(message));
        QCOMPARE(m_project->store().runs()->size(), before);
    }

    // A run that failed on what it was given: a resume would read it again and fail the same way,
    // so it is refused, saying so, and not among the runs offered a resume.
    void aRunThatFailedOnItsInputIsNotResumed()
    {
        RunRecord failed = selftestRecord(QStringLiteral("failed-on-input"), RunState::Failed);
        failed.error = QStringLiteral("the input changed since this run began; start a new run");
        failed.newRunNeeded = true;
        QVERIFY(m_project->store().insertRun(failed));
        const qsizetype before = m_project->store().runs()->size();
        auto resumed = m_runs->resume(failed.runId);
        QVERIFY(!resumed);
        QVERIFY2(resumed.error().message().contains(QStringLiteral("failed on what it was given")) && resumed.error().message().contains(failed.error),
                 qPrintable(resumed.error().message()));
        QCOMPARE(m_project->store().runs()->size(), before);
        for (const RunRecord& r : *m_runs->resumableRuns())
            QVERIFY(r.runId != failed.runId);
    }

    // A refused device that comes from the saved setting names the setting (the user would look for
    // it in the command); a device the run was given, another refusal, or a device that is not the
    // saved one leaves the message as it is. `unset` (resetToDefault) removes the setting.
    void aRefusedSavedDeviceNamesTheSetting()
    {
        WorkbenchSettings settings;
        settings.setPreferredDevice(QStringLiteral("CUDA:3"));
        QVERIFY(settings.save());
        const auto restore = qScopeGuard([] {
            WorkbenchSettings back;
            back.resetToDefault(WorkbenchSettings::Setting::Device);
            (void)back.save();
        });
        const Error refused(QStringLiteral("viral predict: device cuda:3: no such device"), Error::Kind::NotFound);
        const QJsonObject used{{QStringLiteral("device"), QStringLiteral("cuda:3")}};
        const Error named = RunService::namingSavedDevice(refused, QJsonObject(), used);
        QVERIFY2(named.message().startsWith(refused.message() + QStringLiteral(" (device CUDA:3 is the saved `device` setting")), qPrintable(named.message()));
        QCOMPARE(named.kind(), Error::Kind::NotFound);
        QCOMPARE(RunService::namingSavedDevice(refused, used, used).message(), refused.message()); // given with the run
        const Error other(QStringLiteral("viral predict: input 'x.fa': no such file"));
        QCOMPARE(RunService::namingSavedDevice(other, QJsonObject(), used).message(), other.message());
        const QJsonObject verbDefault{{QStringLiteral("device"), QStringLiteral("auto")}};
        QCOMPARE(RunService::namingSavedDevice(refused, QJsonObject(), verbDefault).message(), refused.message());
        settings.resetToDefault(WorkbenchSettings::Setting::Device);
        QVERIFY(settings.save());
        QVERIFY(!WorkbenchSettings().savedDevice());
        QCOMPARE(RunService::namingSavedDevice(refused, QJsonObject(), used).message(), refused.message());
    }

};

QTEST_GUILESS_MAIN(TstRunService)
#include "tst_run_service.moc"
