// Runs end to end through RunService: provenance recorded and exported,
// pause → resume gives byte-identical output, crash recovery marks orphaned
// runs interrupted and resumable.

#include "checkpoint/checkpoint_store.h"
#include "compute/device_discovery.h"
#include "compute/device_lease.h"
#include "diagnostics/workbench_plugin.h"
#include "jobs/clock.h"
#include "jobs/input_pins.h"
#include "jobs/job_context.h"
#include "jobs/job_scheduler.h"
#include "log/logging.h"
#include "plugin/plugin_manager.h"
#include "provenance/provenance_recorder.h"
#include "runs/run_service.h"
#include "store/project.h"
#include "support/test_support.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFileInfo>
#include <QJsonDocument>
#include <QTemporaryDir>
#include <QJsonArray>
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

// copy: keeps its inputs' bytes in a checkpoint and pauses; resumed, writes what the checkpoint
// holds (as any job whose checkpoints hold what it computed from its inputs so far).
class CopyInputsJob final : public Job {
public:
    explicit CopyInputsJob(QStringList inputs) : m_inputs(std::move(inputs)) {}
    JobOutcome run(JobContext& ctx) override
    {
        if (auto copied = ctx.checkpoints().loadOrDiscard(QStringLiteral("copied"))) {
            QFile out(QDir(ctx.outputDir()).filePath(QStringLiteral("copy.txt")));
            if (!out.open(QIODevice::WriteOnly) || out.write(copied->blobs.value(QStringLiteral("bytes"))) < 0)
                throw JobFailure(QStringLiteral("cannot write copy.txt"));
            for (const QString& input : m_inputs)
                orThrow(ctx.provenance().addInputFile(QStringLiteral("file"), input));
            return JobOutcome::Finished;
        }
        QByteArray bytes;
        for (const QString& input : m_inputs)
            bytes += readAll(input);
        orThrow(ctx.checkpoints().save(QStringLiteral("copied"), {}, nullptr, {{QStringLiteral("bytes"), bytes}}));
        return JobOutcome::Paused;
    }

private:
    QStringList m_inputs;
};

// Verbs that read a list of input files (as viral predict does): read (its job is not needed
// here) and copy (CopyInputsJob).
class InputListPlugin final : public QObject, public IPlugin {
    Q_OBJECT
    Q_INTERFACES(bioforge::core::IPlugin)
public:
    bool initialize(const PluginContext&, QString*) override { return true; }
    QList<VerbSpec> verbs() const override
    {
        VerbSpec v;
        v.name = QStringLiteral("read");
        v.parameters = {{QStringLiteral("inputs"), ParameterSpec::Type::PathList, QStringLiteral("files"), QJsonValue::Undefined, {}, 0, 0, true}};
        VerbSpec copy = v;
        copy.name = QStringLiteral("copy");
        return {v, copy};
    }
    Expected<std::unique_ptr<Job>> createJob(const QString& verb, const QJsonObject& parameters) override
    {
        if (verb != QLatin1String("copy"))
            return Error(QStringLiteral("no job in this test"));
        QStringList inputs;
        for (const QJsonValue& v : parameters.value(QLatin1String("inputs")).toArray())
            inputs << v.toString();
        return std::unique_ptr<Job>(std::make_unique<CopyInputsJob>(inputs));
    }
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

    // The InputListPlugin, as plugin 'lists'.
    static std::unique_ptr<PluginManager> listPlugins()
    {
        auto plugins = std::make_unique<PluginManager>();
        plugins->setSearchPaths({});
        PluginMetadata meta = WorkbenchPlugin::metadata();
        meta.id = QStringLiteral("lists");
        plugins->addBuiltin(new InputListPlugin, meta);
        plugins->loadAll({});
        return plugins;
    }

    QByteArray outputsOf(const QString& runId)
    {
        const QDir dir(m_project->runDir(runId));
        return readAll(dir.filePath(QStringLiteral("units.tsv"))) + readAll(dir.filePath(QStringLiteral("values.safetensors")))
               + readAll(dir.filePath(QStringLiteral("summary.json")));
    }

private slots:
    void initTestCase()
    {
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

    // The same input file twice (as typed, by another spelling, through a link) would be read twice:
    // refused before any run is recorded. Files that do not exist are left to the missing-file check.
    void anInputFileGivenTwiceIsRefused()
    {
        const auto plugins = listPlugins();
        RunService runs(*m_project, *plugins, *m_scheduler);
        QTemporaryDir dir;
        const QString a = dir.filePath(QStringLiteral("a.fa")), b = dir.filePath(QStringLiteral("b.fa"));
        for (const QString& path : {a, b}) {
            QFile f(path);
            QVERIFY(f.open(QIODevice::WriteOnly));
        }
        const QString link = dir.filePath(QStringLiteral("link.fa"));
        QVERIFY(QFile::link(a, link));
        const qsizetype before = m_project->store().runs()->size();
        auto startWith = [&](const QStringList& files) { return runs.start(QStringLiteral("lists"), QStringLiteral("read"), {{QStringLiteral("inputs"), QJsonArray::fromStringList(files)}}); };
        auto same = startWith({a, b, a});
        QVERIFY(!same);
        QCOMPARE(same.error().message(), QStringLiteral("parameter 'inputs': the file %1 is given twice").arg(a));
        QCOMPARE(same.error().kind(), Error::Kind::Invalid);
        for (const QString& other : {dir.path() + QStringLiteral("/./a.fa"), link}) {
            auto twice = startWith({a, other});
            QVERIFY(!twice);
            QCOMPARE(twice.error().message(), QStringLiteral("parameter 'inputs': %1 and %2 are the same file, given twice").arg(a, other));
        }
        QCOMPARE(m_project->store().runs()->size(), before);
        // Different files, and files that are not there, pass this check (the job, absent here, is what fails).
        for (const QStringList& files : {QStringList{a, b}, QStringList{dir.filePath(QStringLiteral("x.fa")), dir.filePath(QStringLiteral("x.fa"))}}) {
            auto other = startWith(files);
            QVERIFY(!other);
            QVERIFY2(!other.error().message().contains(QStringLiteral("twice")), qPrintable(other.error().message()));
        }
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
    }

    // A run's input files are pinned by SHA-256 when it first starts: resumed on the same content
    // it finishes (its provenance gives that content's checksum); resumed on a file edited since, it
    // fails naming the file instead of finishing with what it computed from the old content under
    // the new content's checksum. (The pins are taken on the run's worker: input_pins.h.)
    void aResumeRefusesAnInputThatChanged()
    {
        const auto plugins = listPlugins();
        RunService runs(*m_project, *plugins, *m_scheduler);
        QTemporaryDir dir;
        const QString a = dir.filePath(QStringLiteral("a.fa")), b = dir.filePath(QStringLiteral("b.fa"));
        auto write = [](const QString& path, const QByteArray& bytes) {
            QFile f(path);
            return f.open(QIODevice::WriteOnly) && f.write(bytes) == bytes.size();
        };
        QVERIFY(write(a, ">a\nACGT\n") && write(b, ">b\nGGCC\n"));
        auto startPaused = [&] {
            auto id = runs.start(QStringLiteral("lists"), QStringLiteral("copy"), {{QStringLiteral("inputs"), QJsonArray{a, b}}});
            return id && m_scheduler->waitForIdle(60000) && m_project->store().run(*id)->state == RunState::Paused ? *id : QString();
        };
        const QString kept = startPaused();
        QVERIFY(!kept.isEmpty());
        auto resumed = runs.resume(kept);
        QVERIFY2(resumed, resumed ? "" : qPrintable(resumed.error().message()));
        QVERIFY(m_scheduler->waitForIdle(60000));
        auto finished = m_project->store().run(*resumed);
        QVERIFY2(finished->state == RunState::Finished, qPrintable(finished->error));
        QCOMPARE(readAll(QDir(m_project->runDir(*resumed)).filePath(QStringLiteral("copy.txt"))), QByteArray(">a\nACGT\n>b\nGGCC\n"));
        QCOMPARE(finished->inputs.size(), 2);
        QCOMPARE(finished->inputs.at(1).sha256, QString::fromLatin1(QCryptographicHash::hash(">b\nGGCC\n", QCryptographicHash::Sha256).toHex()));

        const QString edited = startPaused();
        QVERIFY(!edited.isEmpty());
        QVERIFY(write(b, ">b\nGGCA\n")); // the same size
        resumed = runs.resume(edited);
        QVERIFY(resumed);
        QVERIFY(m_scheduler->waitForIdle(60000));
        auto failed = m_project->store().run(*resumed);
        QCOMPARE(failed->state, RunState::Failed);
        QVERIFY2(failed->error.startsWith(QStringLiteral("the input %1 changed since this run began (SHA-256 ").arg(b)), qPrintable(failed->error));
        QVERIFY(!QFileInfo::exists(QDir(m_project->runDir(*resumed)).filePath(QStringLiteral("copy.txt"))));
        // Restored, the run can be resumed again (from the failed attempt); gone, it is refused.
        QVERIFY(write(b, ">b\nGGCC\n"));
        auto again = runs.resume(*resumed);
        QVERIFY2(again, again ? "" : qPrintable(again.error().message()));
        QVERIFY(m_scheduler->waitForIdle(60000));
        QCOMPARE(m_project->store().run(*again)->state, RunState::Finished);
        const QString removed = startPaused();
        QVERIFY(QFile::remove(a));
        resumed = runs.resume(removed);
        QVERIFY(resumed);
        QVERIFY(m_scheduler->waitForIdle(60000));
        QCOMPARE(m_project->store().run(*resumed)->error, QStringLiteral("the input %1 is gone since this run began; it cannot be resumed without it").arg(a));
    }

    // A resumed run without pins (recorded before they existed) or with damaged ones cannot be
    // checked: it is pinned as it is now and its warnings say so; a pause while the inputs are
    // hashed stops before the job runs, saving nothing.
    void aResumeWithoutValidPinsSaysItCouldNotCheckAndAStopStopsTheHash()
    {
        const auto plugins = listPlugins();
        RunService runs(*m_project, *plugins, *m_scheduler);
        QTemporaryDir dir;
        const QString a = dir.filePath(QStringLiteral("a.fa"));
        QFile f(a);
        QVERIFY(f.open(QIODevice::WriteOnly) && f.write(">a\nACGT\n") == 8);
        f.close();
        for (const bool damaged : {false, true}) {
            auto id = runs.start(QStringLiteral("lists"), QStringLiteral("copy"), {{QStringLiteral("inputs"), QJsonArray{a}}});
            QVERIFY(id && m_scheduler->waitForIdle(60000));
            QCOMPARE(m_project->store().run(*id)->state, RunState::Paused);
            CheckpointStore store(m_project->checkpointDir(*id), 1);
            QVERIFY(store.hasManifest(QLatin1String(kInputPinsKey)));
            if (damaged) {
                const QString state = QDir(*store.entryDir(QLatin1String(kInputPinsKey))).filePath(QLatin1String(CheckpointStore::kStateName));
                QFile pins(state);
                QVERIFY(pins.open(QIODevice::WriteOnly | QIODevice::Truncate) && pins.write("{}") == 2);
            } else {
                QVERIFY(store.remove(QLatin1String(kInputPinsKey))); // as a run recorded before pins
            }
            auto resumed = runs.resume(*id);
            QVERIFY(resumed && m_scheduler->waitForIdle(60000));
            const auto record = m_project->store().run(*resumed);
            QCOMPARE(record->state, RunState::Finished);
            const QString why = damaged ? QStringLiteral("its input pins are damaged") : QStringLiteral("it began before runs pinned their inputs");
            QVERIFY2(std::any_of(record->warnings.begin(), record->warnings.end(),
                                 [&](const QString& w) { return w.contains(QStringLiteral("could not be checked against its first start (") + why); }),
                     qPrintable(record->warnings.join(QLatin1Char('\n'))));
            QVERIFY(store.hasManifest(QLatin1String(kInputPinsKey))); // pinned now
        }
        // Asked to pause before the first piece is hashed: nothing is pinned, the job is not to run.
        QTemporaryDir root;
        CheckpointStore store(root.filePath(QStringLiteral("checkpoints")), 1);
        ProvenanceRecorder provenance(root.filePath(QStringLiteral("run")));
        JobContext ctx(QStringLiteral("run"), SteadyClock::instance(), {&store, &provenance, nullptr, root.path(), {}});
        ctx.requestPause();
        QVERIFY(!pinInputs(ctx, {a}, false));
        QVERIFY(!store.hasManifest(QLatin1String(kInputPinsKey)));
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
        RunRecord ghost;
        ghost.runId = QStringLiteral("ghost-run");
        ghost.checkpointId = ghost.runId;
        ghost.pluginId = QStringLiteral("workbench");
        ghost.verb = QStringLiteral("selftest");
        ghost.parameters = m_params;
        ghost.state = RunState::Running;
        ghost.createdAt = QDateTime::currentDateTimeUtc();
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
        RunRecord old;
        old.runId = QStringLiteral("older-plugin-run");
        old.checkpointId = old.runId;
        old.pluginId = QStringLiteral("workbench");
        old.pluginVersion = QStringLiteral("0.0.1-old");
        old.verb = QStringLiteral("selftest");
        old.parameters = m_params;
        old.parameters.insert(QStringLiteral("retired_setting"), 3);
        old.state = RunState::Interrupted;
        old.createdAt = QDateTime::currentDateTimeUtc();
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
};

QTEST_GUILESS_MAIN(TstRunService)
#include "tst_run_service.moc"
