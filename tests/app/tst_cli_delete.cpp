// `bioforge delete` through the real program: a run that ended goes for good — its record, its
// run folder, its reports and its checkpoints; a run that can still go on is refused, as is a part
// of a chain of resumes (deleted whole); nothing is deleted by a refused command.

#include "cli_test_base.h"

#include <QDir>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>

#include <csignal>
#include <functional>

using namespace bioforge::test;

class TstCliDeleteRuns : public CliTestBase {
    Q_OBJECT

    QString runIdOf(const Result& r) const { return QRegularExpression(QStringLiteral("run (\\S+) started")).match(r.err).captured(1); }
    QStringList listed()
    {
        QStringList ids;
        for (const QJsonValue& v : QJsonDocument::fromJson(run({QStringLiteral("runs"), QStringLiteral("--json")}).out.toUtf8()).object().value(QLatin1String("runs")).toArray())
            ids << v.toObject().value(QLatin1String("id")).toString();
        return ids;
    }
    QString checkpointsOf(const QString& runId)
    {
        const QJsonObject record = QJsonDocument::fromJson(run({QStringLiteral("show"), runId}).out.toUtf8()).object();
        return QDir(project()).filePath(QStringLiteral("checkpoints/") + record.value(QLatin1String("checkpointId")).toString());
    }

private slots:
    void initTestCase() { QVERIFY(m_dir.isValid()); }

    void aFinishedRunGoesWithItsFoldersAndReports()
    {
        const Result done = run({QStringLiteral("run"), QStringLiteral("workbench"), QStringLiteral("selftest"), QStringLiteral("--units"), QStringLiteral("2"),
                                 QStringLiteral("--work"), QStringLiteral("0"), QStringLiteral("--title"), QStringLiteral("a try")});
        const QString id = runIdOf(done);
        QVERIFY2(done.code == 0 && !id.isEmpty(), qPrintable(done.err));
        QCOMPARE(run({QStringLiteral("report"), id}).code, 0);
        const QString checkpoints = checkpointsOf(id);
        for (const QString& path : {QDir(project()).filePath(QStringLiteral("runs/") + id), checkpoints, QDir(project()).filePath(QStringLiteral("reports/%1.pdf").arg(id))})
            QVERIFY2(QFileInfo::exists(path), qPrintable(path));
        const Result deleted = run({QStringLiteral("delete"), id});
        QVERIFY2(deleted.code == 0 && deleted.out.contains(QStringLiteral("deleted run %1 (a try): runs/%1, reports/%1.html, reports/%1.pdf, checkpoints/").arg(id)),
                 qPrintable(deleted.out + deleted.err));
        for (const QString& path : {QDir(project()).filePath(QStringLiteral("runs/") + id), checkpoints, QDir(project()).filePath(QStringLiteral("reports/%1.pdf").arg(id))})
            QVERIFY2(!QFileInfo::exists(path), qPrintable(path));
        QVERIFY(!listed().contains(id));
        QCOMPARE(run({QStringLiteral("show"), id}).code, 6);
        const Result unknown = run({QStringLiteral("delete"), id});
        QVERIFY2(unknown.code == 6 && unknown.err.contains(QStringLiteral("no run '%1'").arg(id)), qPrintable(unknown.err));
    }

    // A chain of resumes shares its checkpoints: deleted whole, and a part of it alone is refused
    // with the command that deletes it; a run that can still be resumed is refused until cancelled.
    void chainsAreDeletedWholeAndResumableRunsAreRefused()
    {
        const Result failed = run({QStringLiteral("run"), QStringLiteral("workbench"), QStringLiteral("selftest"), QStringLiteral("--units"), QStringLiteral("3"),
                                   QStringLiteral("--work"), QStringLiteral("0"), QStringLiteral("--fail_at_unit"), QStringLiteral("1")});
        const QString first = runIdOf(failed);
        QVERIFY2(failed.code != 0 && !first.isEmpty(), qPrintable(failed.err));
        const Result again = run({QStringLiteral("resume"), first});
        const QString second = QRegularExpression(QStringLiteral("resumed as run (\\S+)")).match(again.err).captured(1);
        QVERIFY2(!second.isEmpty(), qPrintable(again.err));
        const Result part = run({QStringLiteral("delete"), second});
        QVERIFY2(part.code == 5 && part.err.contains(QStringLiteral("bioforge delete %1 %2").arg(first, second)) && part.err.contains(QStringLiteral("nothing was deleted")),
                 qPrintable(part.err));
        QVERIFY(listed().contains(second) && QFileInfo::exists(QDir(project()).filePath(QStringLiteral("runs/") + second)));
        const QString checkpoints = checkpointsOf(first);
        QVERIFY(QFileInfo::exists(checkpoints));
        const Result whole = run({QStringLiteral("delete"), first, second});
        QVERIFY2(whole.code == 0, qPrintable(whole.err));
        QVERIFY(!listed().contains(first) && !listed().contains(second) && !QFileInfo::exists(checkpoints));

        // Interrupted (killed), it can be resumed: refused until it is cancelled.
        QProcess p;
        p.setProcessEnvironment(env());
        p.setReadChannel(QProcess::StandardError); // what waitForReadyRead waits for
        p.start(binPath(QStringLiteral("bioforge")), {QStringLiteral("--project"), project(), QStringLiteral("run"), QStringLiteral("workbench"), QStringLiteral("selftest"),
                                                      QStringLiteral("--units"), QStringLiteral("100000"), QStringLiteral("--work"), QStringLiteral("100")});
        QVERIFY(p.waitForStarted());
        QString err;
        const QRegularExpression started(QStringLiteral("run (\\S+) started"));
        while (!started.match(err).hasMatch() && p.state() == QProcess::Running && p.waitForReadyRead(60000))
            err += QString::fromUtf8(p.readAllStandardError());
        const QString killed = started.match(err).captured(1);
        QVERIFY2(!killed.isEmpty(), qPrintable(err));
        ::kill(pid_t(p.processId()), SIGKILL);
        QVERIFY(p.waitForFinished(30000));
        const Result resumable = run({QStringLiteral("delete"), killed});
        QVERIFY2(resumable.code == 5 && resumable.err.contains(QStringLiteral("cancel it first (bioforge cancel %1)").arg(killed)), qPrintable(resumable.err));
        QCOMPARE(run({QStringLiteral("cancel"), killed}).code, 0);
        QCOMPARE(run({QStringLiteral("delete"), killed}).code, 0);
        QVERIFY(!listed().contains(killed));
    }

    // A paused run that was resumed is no longer resumable: it goes with its chain. A run that is
    // running in another process is refused.
    void aPausedRunThatWasResumedGoesWithItsChainAndARunningOneIsRefused()
    {
        // Started (or resumed) in a process of its own, paused by Ctrl-C once it works; `whileRunning`
        // is called with its id before the pause.
        const auto pausedRun = [this](const QStringList& args, const std::function<void(const QString&)>& whileRunning) -> QString {
            QProcess p;
            p.setProcessEnvironment(env());
            p.setReadChannel(QProcess::StandardError);
            p.start(binPath(QStringLiteral("bioforge")), QStringList{QStringLiteral("--project"), project()} + args);
            if (!p.waitForStarted())
                return {};
            QString err;
            const QRegularExpression resumed(QStringLiteral("resumed as run (\\S+)")), started(QStringLiteral("run (\\S+) started"));
            const auto idOf = [&] { return resumed.match(err).hasMatch() ? resumed.match(err).captured(1) : started.match(err).captured(1); };
            const QRegularExpression working(QStringLiteral("Generate [1-9]"));
            while (!(!idOf().isEmpty() && working.match(err).hasMatch()) && p.state() == QProcess::Running && p.waitForReadyRead(60000))
                err += QString::fromUtf8(p.readAllStandardError());
            const QString runId = idOf();
            if (runId.isEmpty())
                return {};
            whileRunning(runId);
            ::kill(pid_t(p.processId()), SIGINT);
            p.waitForFinished(60000);
            return p.exitCode() == 3 ? runId : QString();
        };
        const QString first = pausedRun({QStringLiteral("run"), QStringLiteral("workbench"), QStringLiteral("selftest"), QStringLiteral("--units"), QStringLiteral("100000"),
                                         QStringLiteral("--work"), QStringLiteral("100")},
                                        [](const QString&) {});
        QVERIFY(!first.isEmpty());
        Result whileRunning;
        const QString second = pausedRun({QStringLiteral("resume"), first}, [&](const QString& id) { whileRunning = run({QStringLiteral("delete"), first, id}); });
        QVERIFY(!second.isEmpty());
        QVERIFY2(whileRunning.code == 5 && whileRunning.err.contains(QStringLiteral("run %1 is running").arg(second)) && whileRunning.err.contains(QStringLiteral("nothing was deleted")),
                 qPrintable(whileRunning.err));
        QCOMPARE(run({QStringLiteral("cancel"), second}).code, 0);
        const Result whole = run({QStringLiteral("delete"), first, second});
        QVERIFY2(whole.code == 0, qPrintable(whole.err));
        QVERIFY(!listed().contains(first) && !listed().contains(second));
    }
};

QTEST_GUILESS_MAIN(TstCliDeleteRuns)
#include "tst_cli_delete.moc"
