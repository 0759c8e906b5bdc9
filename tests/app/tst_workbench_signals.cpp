// bioforge-workbench, as a process: SIGINT or SIGTERM (Ctrl-C in the terminal that started it,
// `kill`, the end of a desktop session) pauses its runs as "Pause and quit" would — each resumes
// from its checkpoint — instead of killing them mid-write (they were left 'interrupted').

#include "support/test_support.h"

#include <QDir>
#include <QFileInfo>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <csignal>

using namespace bioforge::test;

class TstWorkbenchSignals : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;

    QProcessEnvironment env() const
    {
        QProcessEnvironment e = isolatedEnvironment(m_dir.filePath(QStringLiteral("home")));
        e.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
        return e;
    }

    QString runsOf(const QString& project) const
    {
        QProcess p;
        p.setProcessEnvironment(env());
        p.start(binPath(QStringLiteral("bioforge")), {QStringLiteral("--project"), project, QStringLiteral("runs")});
        p.waitForFinished(60000);
        return QString::fromUtf8(p.readAllStandardOutput());
    }

    void signalPausesTheRuns(int signal)
    {
        const QString project = m_dir.filePath(QStringLiteral("project-%1").arg(signal));
        QProcess gui;
        gui.setProcessEnvironment(env());
        gui.start(binPath(QStringLiteral("bioforge-workbench")), {QStringLiteral("--project"), project, QStringLiteral("--demo")});
        QVERIFY(gui.waitForStarted());
        // The demo's runs start (its self-test works for a minute): the condition, not a time.
        bool running = false;
        for (int i = 0; i < 600 && !running && gui.state() == QProcess::Running; ++i) {
            running = runsOf(project).contains(QStringLiteral(" running "));
            if (!running)
                gui.waitForFinished(100);
        }
        QVERIFY2(running, qPrintable(runsOf(project) + QString::fromUtf8(gui.readAllStandardError())));
        ::kill(pid_t(gui.processId()), signal);
        QVERIFY(gui.waitForFinished(180000));
        QCOMPARE(gui.exitStatus(), QProcess::NormalExit);
        QCOMPARE(gui.exitCode(), 0);
        const QString runs = runsOf(project);
        QVERIFY2(runs.contains(QStringLiteral(" paused ")), qPrintable(runs));
        for (const char* state : {" running ", " queued ", " interrupted "})
            QVERIFY2(!runs.contains(QLatin1String(state)), qPrintable(runs));
    }

private slots:
    // `--project ""` (an unset variable) is refused as the command line refuses it, not the default project opened.
    void anEmptyProjectIsRefused()
    {
        QProcess gui;
        gui.setProcessEnvironment(env());
        gui.start(binPath(QStringLiteral("bioforge-workbench")), {QStringLiteral("--project"), QString()});
        QVERIFY(gui.waitForFinished(60000));
        QCOMPARE(gui.exitCode(), 2);
        QVERIFY(gui.readAllStandardError().contains("--project: an empty path"));
    }

    // `bioforge-workbench FOLDER` opens FOLDER (it opened the last project without a word); usage
    // errors exit 2 as the command line's do; Qt's note of a missing XDG_RUNTIME_DIR is not printed.
    void aFolderArgumentOpensThatProjectAndUsageErrorsExit2()
    {
        const QString project = m_dir.filePath(QStringLiteral("positional"));
        QProcess gui;
        QProcessEnvironment e = env();
        e.remove(QStringLiteral("XDG_RUNTIME_DIR"));
        gui.setProcessEnvironment(e);
        gui.start(binPath(QStringLiteral("bioforge-workbench")), {project, QStringLiteral("--quit-when-shown")});
        QVERIFY(gui.waitForFinished(120000));
        const QByteArray err = gui.readAllStandardError();
        QVERIFY2(gui.exitCode() == 0 && gui.readAllStandardOutput().contains("shown"), err.constData());
        QVERIFY2(QFileInfo::exists(QDir(project).filePath(QStringLiteral("project.sqlite"))), qPrintable(QDir(project).entryList().join(QLatin1Char(' '))));
        QVERIFY2(!err.contains("XDG_RUNTIME_DIR"), err.constData());
        for (const QStringList& args : {QStringList{QStringLiteral("--bogus")}, QStringList{project, QStringLiteral("--project"), project},
                                        QStringList{project, project + QStringLiteral("2")}}) {
            QProcess refused;
            refused.setProcessEnvironment(env());
            refused.start(binPath(QStringLiteral("bioforge-workbench")), args);
            QVERIFY(refused.waitForFinished(60000));
            QCOMPARE(refused.exitCode(), 2);
            QVERIFY(refused.readAllStandardError().startsWith("bioforge-workbench: "));
        }
    }

    void sigintPausesTheRunsAndQuits() { signalPausesTheRuns(SIGINT); }
    void sigtermPausesTheRunsAndQuits() { signalPausesTheRuns(SIGTERM); }
};

QTEST_GUILESS_MAIN(TstWorkbenchSignals)
#include "tst_workbench_signals.moc"
