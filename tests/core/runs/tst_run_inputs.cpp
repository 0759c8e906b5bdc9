// A run's input files through RunService: the same file given twice is refused before any run;
// the files are pinned by SHA-256 at the first start and a resume refuses one that changed or is
// gone (core/jobs/input_pins.h); a run without valid pins says it could not be checked; inputs
// that moved are followed where the resume is told they are, by their content (input_relocation.h).

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
#include "support/input_list_plugin.h"
#include "support/test_support.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFileInfo>
#include <QJsonArray>
#include <QTemporaryDir>
#include <QtTest>

using namespace bioforge::core;
using namespace bioforge::test;

class TstRunInputs : public QObject {
    Q_OBJECT

    QTemporaryDir m_dir;
    std::unique_ptr<Project> m_project;
    std::unique_ptr<DeviceLeasePool> m_devices;
    std::unique_ptr<JobScheduler> m_scheduler;

private slots:
    void initTestCase()
    {
        Logging::initialize(Logging::Console::Off);
        auto project = Project::open(m_dir.filePath(QStringLiteral("project")), true);
        QVERIFY(project);
        m_project = std::move(*project);
        m_devices = std::make_unique<DeviceLeasePool>(QList<DeviceInfo>{DeviceDiscovery::cpu()});
        m_scheduler = std::make_unique<JobScheduler>(*m_devices, SteadyClock::instance(), 2);
    }

    void cleanupTestCase()
    {
        if (m_scheduler)
            m_scheduler->pauseAllAndWait();
        m_scheduler.reset();
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
        // Gone, it is refused before a continuation is recorded, saying what to do (a failed
        // continuation was recorded, and had to be resumed in its place: trial 25 T25-9).
        const QString removed = startPaused();
        QVERIFY(QFile::remove(a));
        const qsizetype before = m_project->store().runs()->size();
        resumed = runs.resume(removed);
        QVERIFY(!resumed);
        QCOMPARE(resumed.error().kind(), Error::Kind::NotFound);
        QVERIFY2(resumed.error().message().contains(QStringLiteral("its input is gone since it began (%1)").arg(a))
                     && resumed.error().message().contains(QStringLiteral("bioforge resume %1 --relocate OLD=NEW or --search FOLDER").arg(removed)),
                 qPrintable(resumed.error().message()));
        QCOMPARE(m_project->store().runs()->size(), before);
        QVERIFY(write(a, ">a\nACGT\n")); // put back: the paused run is still the one to resume
        resumed = runs.resume(removed);
        QVERIFY2(resumed, resumed ? "" : qPrintable(resumed.error().message()));
        QVERIFY(m_scheduler->waitForIdle(60000));
        QCOMPARE(m_project->store().run(*resumed)->state, RunState::Finished);
    }

    // Inputs moved since the run began (a folder reorganised, a copy on another machine): the resume
    // takes them where it is told they are — a folder moved, a file found by name in a folder —
    // when their content is the one pinned, records the new paths, says each move, and moves the
    // pins with them; another content, name or size, or a move that names no input, is refused
    // (a paused run could only be resumed by moving its files back: trial 21).
    void aResumeFollowsInputsThatMovedWithTheirContent()
    {
        const auto plugins = listPlugins();
        RunService runs(*m_project, *plugins, *m_scheduler);
        QTemporaryDir dir;
        const auto write = [](const QString& path, const QByteArray& bytes) {
            QFile f(path);
            return QDir().mkpath(QFileInfo(path).absolutePath()) && f.open(QIODevice::WriteOnly) && f.write(bytes) == bytes.size();
        };
        const QString oldFolder = dir.filePath(QStringLiteral("data")), newFolder = dir.filePath(QStringLiteral("lab/data"));
        // b typed with a doubled slash, as "$DATA/b.fa" gives with DATA ending in one: its pins are
        // found by the clean path a relocation names (review 66 R66-2).
        const QString a = oldFolder + QStringLiteral("/x/a.fa"), b = oldFolder + QStringLiteral("//b.fa");
        const auto startPaused = [&] {
            if (!write(a, ">a\nACGT\n") || !write(b, ">b\nGGCC\n"))
                return QString();
            auto id = runs.start(QStringLiteral("lists"), QStringLiteral("copy"), {{QStringLiteral("inputs"), QJsonArray{a, b}}});
            return id && m_scheduler->waitForIdle(60000) && m_project->store().run(*id)->state == RunState::Paused ? *id : QString();
        };
        const auto moveTree = [&] { return QDir().mkpath(dir.filePath(QStringLiteral("lab"))) && QDir().rename(oldFolder, newFolder); };
        const auto resumeWith = [&](const QString& id, const InputRelocation& relocation) { return runs.resume(id, relocation); };

        // A folder moved: every input under it follows.
        const QString paused = startPaused();
        QVERIFY(!paused.isEmpty());
        QVERIFY(moveTree());
        InputRelocation folder;
        QVERIFY(folder.addMove(oldFolder + QLatin1Char('=') + newFolder));
        auto resumed = resumeWith(paused, folder);
        QVERIFY2(resumed, resumed ? "" : qPrintable(resumed.error().message()));
        QVERIFY(m_scheduler->waitForIdle(60000));
        auto record = m_project->store().run(*resumed);
        QVERIFY2(record->state == RunState::Finished, qPrintable(record->error));
        QCOMPARE(readAll(QDir(m_project->runDir(*resumed)).filePath(QStringLiteral("copy.txt"))), QByteArray(">a\nACGT\n>b\nGGCC\n"));
        const QString movedA = newFolder + QStringLiteral("/x/a.fa"), movedB = newFolder + QStringLiteral("/b.fa");
        QCOMPARE(record->parameters.value(QLatin1String("inputs")).toArray(), (QJsonArray{movedA, movedB}));
        QCOMPARE(record->inputs.size(), 2);
        QCOMPARE(record->inputs.at(0).path, movedA);
        QVERIFY2(record->warnings.join(u'|').contains(QStringLiteral("the input %1 moved to %2").arg(a, movedA)), qPrintable(record->warnings.join(u'|')));
        {
            CheckpointStore store(m_project->checkpointDir(record->checkpointId), 1);
            const auto pins = store.load(QLatin1String(kInputPinsKey));
            QVERIFY(pins);
            QCOMPARE(pins->state.value(QLatin1String("files")).toArray().at(0).toObject().value(QLatin1String("path")).toString(), movedA);
        }
        QVERIFY(QDir(dir.filePath(QStringLiteral("lab"))).removeRecursively());

        // A file found by its name in a folder searched; an input still in place stays.
        const QString second = startPaused();
        QVERIFY(!second.isEmpty());
        const QString elsewhere = dir.filePath(QStringLiteral("elsewhere"));
        QVERIFY(QDir().mkpath(elsewhere) && QFile::rename(a, elsewhere + QStringLiteral("/a.fa")));
        InputRelocation search;
        search.searchFolders << elsewhere;
        resumed = resumeWith(second, search);
        QVERIFY2(resumed, resumed ? "" : qPrintable(resumed.error().message()));
        QVERIFY(m_scheduler->waitForIdle(60000));
        record = m_project->store().run(*resumed);
        QVERIFY2(record->state == RunState::Finished, qPrintable(record->error));
        QCOMPARE(record->parameters.value(QLatin1String("inputs")).toArray(), (QJsonArray{elsewhere + QStringLiteral("/a.fa"), b}));

        // Refused before anything is recorded: another name, another size, a move that names no input.
        const QString third = startPaused();
        QVERIFY(!third.isEmpty());
        QVERIFY(QFile::remove(a));
        const auto refusedWith = [&](const QString& move, const QString& said) {
            InputRelocation r;
            if (!r.addMove(move))
                return false;
            const auto refused = resumeWith(third, r);
            if (refused || !refused.error().message().contains(said))
                qWarning() << move << (refused ? QStringLiteral("resumed") : refused.error().message());
            return !refused && refused.error().message().contains(said);
        };
        QVERIFY(write(elsewhere + QStringLiteral("/renamed.fa"), ">a\nACGT\n"));
        QVERIFY(refusedWith(a + QLatin1Char('=') + elsewhere + QStringLiteral("/renamed.fa"), QStringLiteral("keeps its name")));
        QVERIFY(write(elsewhere + QStringLiteral("/a.fa"), ">a\nACGTACGT\n"));
        QVERIFY(refusedWith(a + QLatin1Char('=') + elsewhere, QStringLiteral("not the file the run began with")));
        QVERIFY(refusedWith(dir.filePath(QStringLiteral("nowhere/a.fa")) + QLatin1Char('=') + elsewhere, QStringLiteral("none of the run's inputs")));
        QVERIFY(!InputRelocation().addMove(QStringLiteral("only-one-side")));
        // The same name and size, another content: the continuation fails on its pins.
        QVERIFY(write(elsewhere + QStringLiteral("/a.fa"), ">a\nACGA\n"));
        InputRelocation same;
        QVERIFY(same.addMove(a + QLatin1Char('=') + elsewhere));
        resumed = resumeWith(third, same);
        QVERIFY2(resumed, resumed ? "" : qPrintable(resumed.error().message()));
        QVERIFY(m_scheduler->waitForIdle(60000));
        record = m_project->store().run(*resumed);
        QCOMPARE(record->state, RunState::Failed);
        QVERIFY2(record->error.startsWith(QStringLiteral("the input %1/a.fa changed since this run began").arg(elsewhere)), qPrintable(record->error));
        // The pins followed the move as the continuation began (review 66 R66-1): the right file put
        // there, the failed continuation is resumed without saying the move again.
        QVERIFY(write(elsewhere + QStringLiteral("/a.fa"), ">a\nACGT\n"));
        const auto again = runs.resume(*resumed);
        QVERIFY2(again, again ? "" : qPrintable(again.error().message()));
        QVERIFY(m_scheduler->waitForIdle(60000));
        record = m_project->store().run(*again);
        QVERIFY2(record->state == RunState::Finished, qPrintable(record->error));

        // Nothing kept to check a file found elsewhere against (pins gone, a record without its
        // inputs: a run killed early, before pins existed): not taken on its name (review 66 R66-3).
        const QString fourth = startPaused();
        QVERIFY(!fourth.isEmpty());
        {
            CheckpointStore store(m_project->checkpointDir(fourth), 1);
            QVERIFY(store.remove(QLatin1String(kInputPinsKey)));
            auto bare = m_project->store().run(fourth);
            QVERIFY(bare);
            bare->inputs.clear();
            QVERIFY(m_project->store().updateRun(*bare));
        }
        QVERIFY(QFile::remove(a));
        InputRelocation unchecked;
        unchecked.searchFolders << elsewhere;
        resumed = resumeWith(fourth, unchecked);
        QVERIFY2(resumed, resumed ? "" : qPrintable(resumed.error().message()));
        QVERIFY(m_scheduler->waitForIdle(60000));
        record = m_project->store().run(*resumed);
        QCOMPARE(record->state, RunState::Failed);
        QVERIFY2(record->error.contains(QStringLiteral("no SHA-256 of it was kept when the run began")), qPrintable(record->error));
    }

    // `--relocate OLD=NEW` where the paths hold '=' (Hive-style folders, /data/sample=A/): parted
    // where OLD names an input or a folder above one (it was parted at the first '=': review 66 R66-12).
    void aRelocationOfPathsHoldingEqualsSignsIsPartedWhereItNamesAnInput()
    {
        QTemporaryDir dir;
        const QString old = dir.filePath(QStringLiteral("sample=A")), now = dir.filePath(QStringLiteral("moved/run=2/sample=A"));
        QVERIFY(QDir().mkpath(now));
        QVERIFY(bioforge::test::writeAll(now + QStringLiteral("/a.fa"), ">a\nACGT\n"));
        const QList<FileRef> recorded{{QStringLiteral("input"), old + QStringLiteral("/a.fa"), QString(64, QLatin1Char('0')), 8}};
        for (const QString& move : {old + QLatin1Char('=') + now, old + QStringLiteral("/a.fa=") + now + QStringLiteral("/a.fa")}) {
            InputRelocation r;
            QVERIFY(r.addMove(move));
            const auto moved = relocateInputs(recorded, r);
            QVERIFY2(moved, moved ? "" : qPrintable(moved.error().message()));
            QCOMPARE(moved->value(old + QStringLiteral("/a.fa")), now + QStringLiteral("/a.fa"));
        }
        // None of its '=' parts it at an input: said as a move naming no input.
        InputRelocation wrong;
        QVERIFY(wrong.addMove(dir.filePath(QStringLiteral("other=B=")) + now));
        const auto refused = relocateInputs(recorded, wrong);
        QVERIFY(!refused && refused.error().message().contains(QStringLiteral("none of the run's inputs")));
    }

    // A resumed run whose pins are damaged or gone is checked against the SHA-256 the run it
    // continues recorded (a trial resumed a 20,000-gene run on a 2-gene file without a word); one
    // without either (recorded before both existed) is pinned as it is now and its warnings say so;
    // a pause while the inputs are hashed stops before the job runs, saving nothing.
    void theRecordHoldsThePinsFromTheFirstStart()
    {
        const auto plugins = listPlugins();
        RunService runs(*m_project, *plugins, *m_scheduler);
        QTemporaryDir dir;
        const QString a = dir.filePath(QStringLiteral("a.fa"));
        QVERIFY(writeAll(a, ">a\nACGT\n"));
        // The record as stored once the pins are made, the run still going: its inputs are the pins
        // (a kill -9 then leaves them for a resume to check against: trial 24 T24-2).
        QList<FileRef> stored;
        RunState storedState = RunState::Queued;
        QObject guard;
        connect(m_scheduler.get(), &JobScheduler::inputsPinned, &guard, [&](const QString& runId, const QList<FileRef>&) {
            if (auto r = m_project->store().run(runId)) {
                stored = r->inputs;
                storedState = r->state;
            }
        });
        auto id = runs.start(QStringLiteral("lists"), QStringLiteral("copy"), {{QStringLiteral("inputs"), QJsonArray{a}}});
        QVERIFY(id && m_scheduler->waitForIdle(60000));
        QCOMPARE(storedState, RunState::Running);
        QCOMPARE(stored.size(), 1);
        QCOMPARE(stored.first().path, QFileInfo(a).absoluteFilePath());
        QCOMPARE(stored.first().sha256, QString::fromLatin1(QCryptographicHash::hash(">a\nACGT\n", QCryptographicHash::Sha256).toHex()));
        // A resume's record carries them from its start (its pins exist: it makes none), so that it
        // too is checked when killed and resumed with its pins gone.
        stored.clear();
        auto resumed = runs.resume(*id);
        QVERIFY(resumed);
        QCOMPARE(m_project->store().run(*resumed)->inputs.size(), 1);
        QVERIFY(m_scheduler->waitForIdle(60000));
        QVERIFY(stored.isEmpty()); // nothing pinned anew
        // A resume that fails on the check keeps them in its closed record (the job recorded none):
        // resumed again with its pins gone, it is still checked (review 68 R68-1).
        auto second = runs.start(QStringLiteral("lists"), QStringLiteral("copy"), {{QStringLiteral("inputs"), QJsonArray{a}}});
        QVERIFY(second && m_scheduler->waitForIdle(60000));
        QVERIFY(writeAll(a, ">a\nTTTT\n"));
        auto refused = runs.resume(*second);
        QVERIFY(refused && m_scheduler->waitForIdle(60000));
        const auto failed = m_project->store().run(*refused);
        QCOMPARE(failed->state, RunState::Failed);
        QCOMPARE(failed->inputs.size(), 1);
        QCOMPARE(failed->inputs.first().sha256, QString::fromLatin1(QCryptographicHash::hash(">a\nACGT\n", QCryptographicHash::Sha256).toHex()));
        QVERIFY(QDir(m_project->checkpointDir(*second)).removeRecursively());
        auto again = runs.resume(*refused);
        QVERIFY(again && m_scheduler->waitForIdle(60000));
        QVERIFY2(m_project->store().run(*again)->error.startsWith(QStringLiteral("the input %1 changed since this run began").arg(a)),
                 qPrintable(m_project->store().run(*again)->error));
        QVERIFY(writeAll(a, ">a\nACGT\n"));
    }

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
            // Checked against the paused run's record instead: the same content finishes, nothing to warn of.
            auto resumed = runs.resume(*id);
            QVERIFY(resumed && m_scheduler->waitForIdle(60000));
            const auto record = m_project->store().run(*resumed);
            QCOMPARE(record->state, RunState::Finished);
            QVERIFY2(record->warnings.filter(QStringLiteral("could not be checked")).isEmpty(), qPrintable(record->warnings.join(QLatin1Char('\n'))));
            QVERIFY(store.hasManifest(QLatin1String(kInputPinsKey))); // pinned now
        }
        // Pins gone and the input edited: refused against the record, naming the file.
        {
            auto id = runs.start(QStringLiteral("lists"), QStringLiteral("copy"), {{QStringLiteral("inputs"), QJsonArray{a}}});
            QVERIFY(id && m_scheduler->waitForIdle(60000));
            QVERIFY(QDir(m_project->checkpointDir(*id)).removeRecursively()); // the whole checkpoint folder
            QVERIFY(writeAll(a, ">a\nTTTT\n"));
            auto resumed = runs.resume(*id);
            QVERIFY(resumed && m_scheduler->waitForIdle(60000));
            const auto record = m_project->store().run(*resumed);
            QCOMPARE(record->state, RunState::Failed);
            QVERIFY2(record->error.startsWith(QStringLiteral("the input %1 changed since this run began").arg(a)), qPrintable(record->error));
            QVERIFY(writeAll(a, ">a\nACGT\n"));
        }
        // Neither pins nor recorded digests (a run recorded before both): pinned as it is, said.
        {
            auto id = runs.start(QStringLiteral("lists"), QStringLiteral("copy"), {{QStringLiteral("inputs"), QJsonArray{a}}});
            QVERIFY(id && m_scheduler->waitForIdle(60000));
            CheckpointStore store(m_project->checkpointDir(*id), 1);
            QVERIFY(store.remove(QLatin1String(kInputPinsKey)));
            auto paused = m_project->store().run(*id);
            paused->inputs.clear();
            QVERIFY(m_project->store().updateIdleRun(*paused));
            auto resumed = runs.resume(*id);
            QVERIFY(resumed && m_scheduler->waitForIdle(60000));
            const auto record = m_project->store().run(*resumed);
            QCOMPARE(record->state, RunState::Finished);
            QVERIFY2(record->warnings.filter(QStringLiteral("could not be checked against its first start (its input pins are missing: deleted, or it began before runs pinned their inputs")).size() == 1,
                     qPrintable(record->warnings.join(QLatin1Char('\n'))));
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
};

QTEST_GUILESS_MAIN(TstRunInputs)
#include "tst_run_inputs.moc"
