// Signals to a `bioforge run` other than Ctrl-C (issue 11's pause on a signal): SIGHUP, an ssh
// connection dropped or the terminal closed, pauses as Ctrl-C does (trial 24 T24-10) unless the
// run was started to outlive its terminal (`nohup`: SIGHUP ignored, review 68 R68-6); a logout's
// SIGTERM and SIGHUP together pause once, not "quit at once" on the second (review 68 R68-7);
// `bioforge pause` / `cancel` in another shell ask the program running it (trial 24 T24-12); a run
// killed with its project's database found again by `bioforge recover` (T24-3).

#include "cli_test_base.h"
#include "long_self_test.h"

#include <QJsonDocument>
#include <QJsonObject>

#include <csignal>

using namespace bioforge::test;

class TstCliInterrupts : public CliTestBase {
    Q_OBJECT

    // Each test's run in a project of its own ("started" counts that project's checkpoints): what
    // `bioforge --project FOLDER ARGS` prints.
    QByteArray printedIn(const QString& folder, const QStringList& args)
    {
        QProcess p;
        p.setProcessEnvironment(env());
        p.start(binPath(QStringLiteral("bioforge")), QStringList{QStringLiteral("--project"), folder} + args);
        p.waitForFinished(60000);
        return p.readAllStandardOutput();
    }
    QString stateOf(const QString& folder, const QString& runId)
    {
        return QJsonDocument::fromJson(printedIn(folder, {QStringLiteral("show"), runId})).object().value(QLatin1String("state")).toString();
    }

private slots:
    void aHangupPausesTheRunLikeCtrlC()
    {
        const QString folder = path("hangup");
        QProcess p;
        QCOMPARE(startLongSelfTest(p, env(), folder), QStringLiteral("started"));
        ::kill(pid_t(p.processId()), SIGHUP);
        QVERIFY(p.waitForFinished(60000));
        QCOMPARE(p.exitStatus(), QProcess::NormalExit);
        QCOMPARE(p.exitCode(), 3);
        const QString id = runIdFrom(QString::fromUtf8(p.readAllStandardError()));
        QCOMPARE(stateOf(folder, id), QStringLiteral("paused"));
        // `status` names a local run waiting to be resumed, and a local run's id gives its state
        // (it said "no cluster run under way", "not a cluster run": trial 24 T24-18).
        const QString status = QString::fromUtf8(printedIn(folder, {QStringLiteral("status")}));
        QVERIFY2(status.contains(QStringLiteral("local runs to resume: %1 (paused)").arg(id)), qPrintable(status));
        const QString one = QString::fromUtf8(printedIn(folder, {QStringLiteral("status"), id}));
        QVERIFY2(one.startsWith(QStringLiteral("run %1 (workbench selftest, a local run): paused at ").arg(id))
                     && one.contains(QStringLiteral("'bioforge resume %1' continues it").arg(id)),
                 qPrintable(one));
    }

    void aHangupIgnoredAtStartLeavesTheRunGoing()
    {
        const QString folder = path("nohup");
        QProcess p;
        QCOMPARE(startLongSelfTest(p, env(), folder, {}, true), QStringLiteral("started"));
        const int before = checkpointManifestCount(QDir(folder).filePath(QStringLiteral("checkpoints")));
        ::kill(pid_t(p.processId()), SIGHUP);
        // Ten more units checkpointed with the program still there: the hangup was not a pause.
        QTRY_VERIFY_WITH_TIMEOUT(checkpointManifestCount(QDir(folder).filePath(QStringLiteral("checkpoints"))) >= before + 10
                                     || p.state() == QProcess::NotRunning,
                                 60000);
        QCOMPARE(p.state(), QProcess::Running);
        ::kill(pid_t(p.processId()), SIGINT);
        QVERIFY(p.waitForFinished(60000));
        QCOMPARE(p.exitCode(), 3);
    }

    void aTerminateAndAHangupTogetherPauseOnce()
    {
        const QString folder = path("logout");
        QProcess p;
        QCOMPARE(startLongSelfTest(p, env(), folder), QStringLiteral("started"));
        ::kill(pid_t(p.processId()), SIGTERM);
        ::kill(pid_t(p.processId()), SIGHUP);
        QVERIFY(p.waitForFinished(60000));
        QCOMPARE(p.exitStatus(), QProcess::NormalExit);
        QCOMPARE(p.exitCode(), 3); // paused, not 130 ("quitting at once")
        QCOMPARE(stateOf(folder, runIdFrom(QString::fromUtf8(p.readAllStandardError()))), QStringLiteral("paused"));
    }

    // `bioforge pause` and `bioforge cancel` from another shell: the program running the run is
    // asked (a stop request in the project), and it pauses (exit 3) or cancels (exit 4) the run
    // within seconds (trial 24 T24-12: "pause or cancel it there").
    void anotherShellPausesOrCancelsTheRun()
    {
        for (const bool cancel : {false, true}) {
            const QString folder = path(cancel ? "asked-cancel" : "asked-pause");
            QProcess p;
            QCOMPARE(startLongSelfTest(p, env(), folder), QStringLiteral("started"));
            const QString id = runIdFrom(QString::fromUtf8(p.readAllStandardError()));
            QVERIFY(!id.isEmpty());
            QProcess asker;
            asker.setProcessEnvironment(env());
            asker.start(binPath(QStringLiteral("bioforge")), {QStringLiteral("--project"), folder, cancel ? QStringLiteral("cancel") : QStringLiteral("pause"), id});
            QVERIFY(asker.waitForFinished(90000));
            const QString said = QString::fromUtf8(asker.readAllStandardOutput() + asker.readAllStandardError());
            QVERIFY2(asker.exitCode() == 0 && said.contains(QStringLiteral("run %1: %2").arg(id, cancel ? QStringLiteral("cancelled") : QStringLiteral("paused"))),
                     qPrintable(said));
            QVERIFY(p.waitForFinished(60000));
            QCOMPARE(p.exitCode(), cancel ? 4 : 3);
            QCOMPARE(stateOf(folder, id), cancel ? QStringLiteral("cancelled") : QStringLiteral("paused"));
        }
    }

    // A run killed with its project's database lost with it (a disk that filled, a copy cut short):
    // the run's folder holds its record from its start (provenance.json), `bioforge recover` puts it
    // back as interrupted, and `resume` continues it from its checkpoints (trial 24 T24-3).
    void aKilledRunIsFoundAgainWhenTheDatabaseIsLost()
    {
        const QString folder = path("lost-database");
        QProcess p;
        QCOMPARE(startLongSelfTest(p, env(), folder), QStringLiteral("started"));
        const QString id = runIdFrom(QString::fromUtf8(p.readAllStandardError()));
        QVERIFY(!id.isEmpty());
        ::kill(pid_t(p.processId()), SIGKILL);
        QVERIFY(p.waitForFinished(60000));
        QVERIFY(QFile::exists(QDir(folder).filePath(QStringLiteral("runs/%1/provenance.json").arg(id))));
        for (const char* suffix : {"", "-wal", "-shm"})
            QFile::remove(QDir(folder).filePath(QStringLiteral("project.sqlite")) + QLatin1String(suffix));
        QVERIFY(QFile(QDir(folder).filePath(QStringLiteral("project.sqlite"))).open(QIODevice::WriteOnly)); // empty, as a full disk leaves it
        const QString refused = QString::fromUtf8(printedIn(folder, {QStringLiteral("runs")}));
        QVERIFY2(!refused.contains(id), qPrintable(refused));

        const QString recovered = QString::fromUtf8(printedIn(folder, {QStringLiteral("recover")}));
        QVERIFY2(recovered.contains(QStringLiteral("is empty (0 bytes): rebuilt from the records of 1 run(s)"))
                     && recovered.contains(QStringLiteral("listed as interrupted")) && recovered.contains(id),
                 qPrintable(recovered));
        QCOMPARE(stateOf(folder, id), QStringLiteral("interrupted"));
        QProcess resume;
        resume.setProcessEnvironment(env());
        resume.start(binPath(QStringLiteral("bioforge")), {QStringLiteral("--project"), folder, QStringLiteral("resume"), id});
        QVERIFY(resume.waitForFinished(300000));
        const QString said = QString::fromUtf8(resume.readAllStandardError());
        QVERIFY2(resume.exitCode() == 0 && said.contains(QStringLiteral("resumed as run")), qPrintable(said.right(2000)));
    }
};

QTEST_GUILESS_MAIN(TstCliInterrupts)
#include "tst_cli_interrupts.moc"
