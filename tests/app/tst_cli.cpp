// The `bioforge` command line end to end, as a script would use it: exit
// codes, reports, Ctrl-C pausing, and a kill -9 mid-run followed by
// `bioforge resume` giving output byte-identical to an uninterrupted run.

#include "long_self_test.h"
#include "support/kill_resume.h"
#include "support/test_support.h"

#include <QDir>
#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QFileInfo>
#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QtTest>

#include <csignal>

using namespace bioforge::test;

class TstCli : public QObject {
    Q_OBJECT

    QTemporaryDir m_dir;
    QString m_home;

    struct Result {
        int code = -1;
        QString out;
        QString err;
    };

    QProcessEnvironment env() const { return isolatedEnvironment(m_home); } // settings and registry stay in the test's folder

    Result run(const QStringList& args, int timeoutMs = 120000) { return runIn(env(), args, timeoutMs); }
    Result runIn(const QProcessEnvironment& environment, const QStringList& args, int timeoutMs = 120000)
    {
        QProcess p;
        p.setProcessEnvironment(environment);
        p.start(binPath(QStringLiteral("bioforge")), args);
        p.waitForFinished(timeoutMs);
        return {p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1, QString::fromUtf8(p.readAllStandardOutput()),
                QString::fromUtf8(p.readAllStandardError())};
    }

    static QString runIdFrom(const QString& text)
    {
        const auto m = QRegularExpression(QStringLiteral("run (\\d{8}-\\d{6}-[0-9a-f]{8})")).match(text);
        return m.captured(1);
    }

    QByteArray outputsOf(const QString& project, const QString& runId)
    {
        const QDir dir(QDir(project).filePath(QStringLiteral("runs/") + runId));
        return readAll(dir.filePath(QStringLiteral("units.tsv"))) + readAll(dir.filePath(QStringLiteral("values.safetensors")))
               + readAll(dir.filePath(QStringLiteral("summary.json")));
    }

private slots:
    void initTestCase()
    {
        m_home = m_dir.filePath(QStringLiteral("home"));
        QDir().mkpath(m_home);
    }

    void versionPluginsAndDevicesAnswer()
    {
        const Result v = run({QStringLiteral("--version")});
        QCOMPARE(v.code, 0);
        QVERIFY(v.out.startsWith(QStringLiteral("BioForge Workbench ")));
        QVERIFY(v.out.contains(QStringLiteral("Qt (run time)")));
        const Result p = run({QStringLiteral("--project"), m_dir.filePath(QStringLiteral("p0")), QStringLiteral("plugins")});
        QCOMPARE(p.code, 0);
        QVERIFY(p.out.contains(QStringLiteral("loaded  workbench")));
        // Recorded-run verbs apart from a plugin's own commands: each name once per list.
        for (const QString& line : p.out.split(QLatin1Char('\n')))
            if (line.startsWith(QStringLiteral("loaded  llm ")))
                QVERIFY2(line.contains(QStringLiteral("  run verbs: generate  commands: info, tokenize, generate, chat, bench, synth-model"))
                             && line.contains(QStringLiteral("  from ")) && line.endsWith(QStringLiteral("libbioforge_llm.so")), // which copy is in use
                         qPrintable(line));
        QVERIFY(p.out.contains(QStringLiteral("loaded  llm ")));
        const Result d = run({QStringLiteral("devices")});
        QCOMPARE(d.code, 0);
        QVERIFY(d.out.startsWith(QStringLiteral("cpu ")));
    }

    void brokenPluginsAreListedAndTheRestWorks()
    {
        QProcess p;
        QProcessEnvironment e = env();
        e.insert(QStringLiteral("BIOFORGE_PLUGIN_PATH"), QStringLiteral(BIOFORGE_BUILD_DIR "/tests/fixture-plugins"));
        p.setProcessEnvironment(e);
        const QString project = m_dir.filePath(QStringLiteral("broken-plugins"));
        p.start(binPath(QStringLiteral("bioforge")), {QStringLiteral("--project"), project, QStringLiteral("plugins")});
        QVERIFY(p.waitForFinished(60000));
        QCOMPARE(p.exitCode(), 0);
        const QString out = QString::fromUtf8(p.readAllStandardOutput());
        QVERIFY(out.contains(QStringLiteral("loaded  workbench")));
        QVERIFY(out.contains(QStringLiteral("loaded  good")));
        QVERIFY2(out.contains(QStringLiteral("FAILED")) && out.contains(QStringLiteral("lower-case identifier")), qPrintable(out));
        p.start(binPath(QStringLiteral("bioforge")), {QStringLiteral("--project"), project, QStringLiteral("run"), QStringLiteral("workbench"),
                                                      QStringLiteral("selftest"), QStringLiteral("--units"), QStringLiteral("3"),
                                                      QStringLiteral("--work"), QStringLiteral("1")});
        QVERIFY(p.waitForFinished(60000));
        QCOMPARE(p.exitCode(), 0);
    }

    void usageErrorsHaveExitCodeTwo()
    {
        QCOMPARE(run({}).code, 2);
        QCOMPARE(run({QStringLiteral("frobnicate")}).code, 2);
        const Result bad = run({QStringLiteral("--project"), m_dir.filePath(QStringLiteral("p0")), QStringLiteral("run"),
                                QStringLiteral("workbench"), QStringLiteral("selftest"), QStringLiteral("--units"), QStringLiteral("many")});
        QCOMPARE(bad.code, 2);
        QVERIFY(bad.err.contains(QStringLiteral("--units")));
        QCOMPARE(run({QStringLiteral("--project"), m_dir.filePath(QStringLiteral("p0")), QStringLiteral("run"),
                      QStringLiteral("nosuch"), QStringLiteral("verb")}).code, 6);
    }

    void runThenReportWritesHtmlAndPdfWithPlots()
    {
        const QString project = m_dir.filePath(QStringLiteral("p1"));
        const Result r = run({QStringLiteral("--project"), project, QStringLiteral("run"), QStringLiteral("workbench"),
                              QStringLiteral("selftest"), QStringLiteral("--units"), QStringLiteral("6"), QStringLiteral("--work"),
                              QStringLiteral("10")});
        QCOMPARE(r.code, 0);
        const QString id = runIdFrom(r.err);
        QVERIFY(!id.isEmpty());
        // The summary names where each output is, by its role.
        const QRegularExpressionMatch units = QRegularExpression(QStringLiteral("run %1: finished\n  per-unit statistics: (\\S+)\n").arg(id)).match(r.out);
        QVERIFY2(units.hasMatch() && units.captured(1).endsWith(QStringLiteral("/runs/%1/units.tsv").arg(id)), qPrintable(r.out));
        QVERIFY(QFileInfo::exists(units.captured(1)));
        const QString pdf = m_dir.filePath(QStringLiteral("new/folders/report.pdf")); // made, as for --html
        const QString html = m_dir.filePath(QStringLiteral("report.html"));
        // As in a headless session (root, ssh, cron): no runtime folder, which Qt notes while the
        // application object is made — not a warning on the terminal.
        QProcessEnvironment headless = env();
        headless.remove(QStringLiteral("XDG_RUNTIME_DIR"));
        const Result rep = runIn(headless, {QStringLiteral("--project"), project, QStringLiteral("report"), id, QStringLiteral("--pdf"), pdf,
                                            QStringLiteral("--html"), html});
        QVERIFY2(rep.code == 0, qPrintable(rep.err));
        QVERIFY2(!rep.err.contains(QStringLiteral("XDG_RUNTIME_DIR")), qPrintable(rep.err));
        QVERIFY(readAll(pdf).startsWith("%PDF"));
        QVERIFY(readAll(pdf).size() > 10000); // holds rendered plots, not just text
        const QByteArray page = readAll(html);
        QVERIFY(page.contains("<img src='data:image/png;base64,"));
        QVERIFY(page.contains("Provenance"));
        // An output edited after the run: no report vouches for it (the provenance holds its SHA-256).
        const QByteArray unitsFile = readAll(units.captured(1));
        QVERIFY(writeAll(units.captured(1), unitsFile + "0\n"));
        const Result edited = run({QStringLiteral("--project"), project, QStringLiteral("report"), id, QStringLiteral("--html"), html});
        QVERIFY2(edited.code == 5 && edited.err.contains(QStringLiteral("units.tsv changed since the run wrote it")), qPrintable(edited.err));
        QVERIFY(writeAll(units.captured(1), unitsFile));
        QCOMPARE(run({QStringLiteral("--project"), project, QStringLiteral("report"), id, QStringLiteral("--html"), html}).code, 0); // a report replaced
        // Never over the project's own files (the run's output, its database), nor over a file that is no report unless --force.
        for (const QString& own : {units.captured(1), QDir(project).filePath(QStringLiteral("project.sqlite"))}) {
            const QByteArray before = readAll(own);
            const Result r = run({QStringLiteral("--project"), project, QStringLiteral("report"), id, QStringLiteral("--pdf"), own, QStringLiteral("--force")});
            QVERIFY2(r.code == 5 && r.err.contains(QStringLiteral("is inside the project's own files")), qPrintable(r.err));
            QCOMPARE(readAll(own), before);
        }
        const QString table = m_dir.filePath(QStringLiteral("people.csv"));
        QVERIFY(writeAll(table, "id,age\n1,50\n"));
        const Result notReport = run({QStringLiteral("--project"), project, QStringLiteral("report"), id, QStringLiteral("--html"), table});
        QVERIFY2(notReport.code == 5 && notReport.err.contains(QStringLiteral("exists and is not an HTML page")), qPrintable(notReport.err));
        QCOMPARE(readAll(table), QByteArray("id,age\n1,50\n"));
        QCOMPARE(run({QStringLiteral("--project"), project, QStringLiteral("report"), id, QStringLiteral("--html"), table, QStringLiteral("--force")}).code, 0);
        // One file for both, or an empty name (an unset variable): refused, nothing written.
        const QString both = m_dir.filePath(QStringLiteral("both.out"));
        const Result same = run({QStringLiteral("--project"), project, QStringLiteral("report"), id, QStringLiteral("--html"), both, QStringLiteral("--pdf"), both});
        QVERIFY2(same.code == 2 && same.err.contains(QStringLiteral("name the same file")) && !QFileInfo::exists(both), qPrintable(same.err));
        QCOMPARE(run({QStringLiteral("--project"), project, QStringLiteral("report"), id, QStringLiteral("--html"), QString()}).code, 2);
        QVERIFY(readAll(table).startsWith("<!DOCTYPE html>"));
        const Result show = run({QStringLiteral("--project"), project, QStringLiteral("show"), id});
        QCOMPARE(show.code, 0);
        QVERIFY(show.out.contains(QStringLiteral("\"state\": \"finished\"")));
        const Result inspect = run({QStringLiteral("--project"), project, QStringLiteral("inspect"), id});
        QCOMPARE(inspect.code, 0);
        QVERIFY(inspect.out.contains(QStringLiteral("ok   generate/unit-00005")));
        // Each state on one line, summarised; --full prints it whole.
        QVERIFY2(inspect.out.contains(QStringLiteral("     state {")), qPrintable(inspect.out));
        const Result full = run({QStringLiteral("--project"), project, QStringLiteral("inspect"), id, QStringLiteral("--full")});
        QVERIFY2(full.code == 0 && full.out.contains(QStringLiteral("     state {\n")), qPrintable(full.out));
        QCOMPARE(run({QStringLiteral("--project"), project, QStringLiteral("inspect"), id, QStringLiteral("--fll")}).code, 2);
        QCOMPARE(run({QStringLiteral("--project"), project, QStringLiteral("show"), QStringLiteral("nope")}).code, 6);
    }

    // A failed run: its error said once on the terminal (the summary line on stdout, not again as a
    // log line on stderr), exit 1, and a report that says how it ended above the provenance.
    void aFailedRunIsSaidOnceAndHasAReport()
    {
        const QString project = m_dir.filePath(QStringLiteral("pfail"));
        const Result r = run({QStringLiteral("--project"), project, QStringLiteral("run"), QStringLiteral("workbench"), QStringLiteral("selftest"),
                              QStringLiteral("--units"), QStringLiteral("6"), QStringLiteral("--work"), QStringLiteral("10"),
                              QStringLiteral("--fail_at_unit"), QStringLiteral("3")});
        QCOMPARE(r.code, 1);
        const QString id = runIdFrom(r.err);
        QVERIFY(!id.isEmpty());
        const QString message = QStringLiteral("failing at unit 3 as asked");
        QVERIFY2(r.out.contains(QStringLiteral("run %1: failed: ").arg(id)) && (r.out + r.err).count(message) == 1, qPrintable(r.out + r.err));
        // The log file keeps it.
        QVERIFY(readAll(QDir(project).filePath(QStringLiteral("logs/bioforge.log"))).contains(message.toUtf8()));
        // `resume` alone resumes no failed run, and says how one is (it said only "nothing to resume",
        // after an input that failed a run was restored: trial 18).
        const Result resumeAll = run({QStringLiteral("--project"), project, QStringLiteral("resume")});
        QVERIFY2(resumeAll.code == 0 && resumeAll.out.contains(QStringLiteral("a failed run is resumed only by its id"))
                     && resumeAll.out.contains(QStringLiteral(" resume %1").arg(id)),
                 qPrintable(resumeAll.out + resumeAll.err));
        // A log that cannot be written (here a folder stands in its place) is said once, not lost without a word.
        const QString logs = QDir(project).filePath(QStringLiteral("logs"));
        QVERIFY(QDir().rename(logs, logs + QStringLiteral(".kept")));
        QVERIFY(QDir().mkpath(QDir(logs).filePath(QStringLiteral("bioforge.log"))));
        const Result unlogged = run({QStringLiteral("--project"), project, QStringLiteral("runs")});
        QVERIFY(QDir(logs).removeRecursively() && QDir().rename(logs + QStringLiteral(".kept"), logs));
        QVERIFY2(unlogged.code == 0 && unlogged.err.count(QStringLiteral("the project log cannot be written")) == 1, qPrintable(unlogged.err));
        const QString html = m_dir.filePath(QStringLiteral("failed.html"));
        const Result rep = run({QStringLiteral("--project"), project, QStringLiteral("report"), id, QStringLiteral("--html"), html});
        QVERIFY2(rep.code == 0, qPrintable(rep.err));
        const QString page = QString::fromUtf8(readAll(html));
        QVERIFY2(page.contains(QStringLiteral("This run failed: self-test: ") + message), qPrintable(page));
        QCOMPARE(page.count(message), 1); // said once (it was the summary and a row of the table)
        // How far it got (unit 3 of 6 failed: some of the way, not all) and where its checkpoints are.
        const QRegularExpressionMatch progress = QRegularExpression(QStringLiteral("progress when it stopped</td><td>([0-9.]+) %")).match(page);
        QVERIFY2(progress.hasMatch() && progress.captured(1).toDouble() > 0 && progress.captured(1).toDouble() < 100, qPrintable(page));
        QVERIFY2(page.contains(QDir(project).filePath(QStringLiteral("checkpoints/") + id).toHtmlEscaped()), qPrintable(page));
        QVERIFY(page.contains(QStringLiteral("bioforge resume ") + id));
        // A resume reads the same input files (pinned): a corrected input needs a new run, and the report says so.
        QVERIFY2(page.contains(QStringLiteral("if an input file or a parameter was the cause, start a new run")), qPrintable(page));
        QVERIFY(page.contains(QStringLiteral("Provenance")) && page.contains(QStringLiteral("fail_at_unit")));
        // Resumed (and failed again): its report names the continuation, not a resume that would be refused.
        const Result again = run({QStringLiteral("--project"), project, QStringLiteral("resume"), id});
        QCOMPARE(again.code, 1);
        const QString continuation = QRegularExpression(QStringLiteral("resumed as run (\\S+)")).match(again.err + again.out).captured(1);
        QVERIFY2(!continuation.isEmpty(), qPrintable(again.out + again.err));
        // `runs` shows the first as resumed, not as a failed run waiting for a resume.
        const QString listed = run({QStringLiteral("--project"), project, QStringLiteral("runs")}).out;
        const QString firstLine = listed.split(QLatin1Char('\n')).filter(QRegularExpression(QStringLiteral("^") + id)).value(0);
        QVERIFY2(firstLine.endsWith(QStringLiteral("(resumed as %1)").arg(continuation)), qPrintable(listed));
        // The same as JSON, for scripts: every run the text lists, with its state and both links.
        const Result asJson = run({QStringLiteral("--project"), project, QStringLiteral("runs"), QStringLiteral("--json")});
        QJsonParseError parsed;
        const QJsonObject doc = QJsonDocument::fromJson(asJson.out.toUtf8(), &parsed).object();
        QVERIFY2(asJson.code == 0 && parsed.error == QJsonParseError::NoError, qPrintable(asJson.out + asJson.err));
        const QJsonArray listedRuns = doc.value(QLatin1String("runs")).toArray();
        QCOMPARE(listedRuns.size(), listed.trimmed().split(QLatin1Char('\n')).size() - 1); // the text's lines less its header
        QHash<QString, QJsonObject> byId;
        for (const QJsonValue& v : listedRuns)
            byId.insert(v.toObject().value(QLatin1String("id")).toString(), v.toObject());
        QCOMPARE(byId.value(id).value(QLatin1String("state")).toString(), QStringLiteral("failed"));
        QCOMPARE(byId.value(id).value(QLatin1String("resumed_as")).toString(), continuation);
        QCOMPARE(byId.value(continuation).value(QLatin1String("resumes")).toString(), id);
        QVERIFY(byId.value(id).value(QLatin1String("error")).toString().contains(message));
        QCOMPARE(run({QStringLiteral("--project"), project, QStringLiteral("report"), id, QStringLiteral("--html"), html}).code, 0);
        const QString resumedPage = QString::fromUtf8(readAll(html));
        QVERIFY2(resumedPage.contains(QStringLiteral("This run was resumed as run %1, which failed: its report is bioforge report %1").arg(continuation))
                     && !resumedPage.contains(QStringLiteral("bioforge resume ") + id),
                 qPrintable(resumedPage));
    }

    void killDashNineThenResumeIsByteIdentical()
    {
        const QString reference = m_dir.filePath(QStringLiteral("ref"));
        const Result ref = run({QStringLiteral("--project"), reference, QStringLiteral("run"), QStringLiteral("workbench"),
                                QStringLiteral("selftest"), QStringLiteral("--units"), QStringLiteral("400"), QStringLiteral("--values"),
                                QStringLiteral("2048"), QStringLiteral("--work"), QStringLiteral("3000")});
        QCOMPARE(ref.code, 0);
        const QString refId = runIdFrom(ref.err);

        const QString project = m_dir.filePath(QStringLiteral("killed"));
        QProcess p;
        QCOMPARE(startLongSelfTest(p, env(), project), QStringLiteral("started"));
        ::kill(pid_t(p.processId()), SIGKILL);
        QVERIFY(p.waitForFinished(30000));
        QCOMPARE(p.exitStatus(), QProcess::CrashExit);
        const QString killedId = runIdFrom(QString::fromUtf8(p.readAllStandardError()));
        QVERIFY(!killedId.isEmpty());
        QVERIFY(checkpointManifestCount(QDir(project).filePath(QStringLiteral("checkpoints"))) < 400); // really interrupted
        // Before any resume, `runs` shows it interrupted, not running: its process is gone.
        const Result listed = run({QStringLiteral("--project"), project, QStringLiteral("runs")});
        QVERIFY2(listed.out.contains(killedId + QStringLiteral("  interrupted")), qPrintable(listed.out));

        const Result resumed = run({QStringLiteral("--project"), project, QStringLiteral("resume")});
        QVERIFY2(resumed.code == 0, qPrintable(resumed.err + resumed.out));
        QVERIFY(resumed.err.contains(QStringLiteral("run %1 resumed as run").arg(killedId)));
        const QString newId = QRegularExpression(QStringLiteral("resumed as run (\\S+)")).match(resumed.err).captured(1);
        QCOMPARE(outputsOf(project, newId), outputsOf(reference, refId));
        QVERIFY(!outputsOf(project, newId).isEmpty());
        const Result runs = run({QStringLiteral("--project"), project, QStringLiteral("runs")});
        QVERIFY(runs.out.contains(killedId + QStringLiteral("  interrupted")));
        QCOMPARE(run({QStringLiteral("--project"), project, QStringLiteral("resume")}).out.trimmed(),
                 QStringLiteral("nothing to resume in %1").arg(project));
    }

    // kill -9 at random points, many times over (seeded; BIOFORGE_KILL_ROUNDS
    // rounds, 3 by default, 200 for the property run of docs/reliability.md):
    // each round kills the run, and then each `bioforge resume`, after a
    // random number of further checkpointed units, until one finishes. The
    // outputs are byte-identical to an uninterrupted run and the project
    // database passes PRAGMA integrity_check.
    void killDashNineAtRandomPointsThenResumeIsByteIdentical()
    {
        KillResumeSpec spec;
        spec.name = QStringLiteral("workbench selftest");
        spec.workDir = m_dir.filePath(QStringLiteral("kill-property"));
        spec.environment = env();
        spec.start = [](const QString& project) {
            return QStringList{QStringLiteral("--project"), project, QStringLiteral("run"), QStringLiteral("workbench"), QStringLiteral("selftest"),
                               QStringLiteral("--units"), QStringLiteral("120"), QStringLiteral("--values"), QStringLiteral("1024"),
                               QStringLiteral("--work"), QStringLiteral("2000")};
        };
        spec.progress = [](const QString& project) { return checkpointManifestCount(QDir(project).filePath(QStringLiteral("checkpoints"))); };
        spec.outputs = [this](const QString& project, const QString& runId) { return outputsOf(project, runId); };
        spec.rounds = 3;
        spec.maxStep = 25;
        spec.seed = 20261130;
        QString error;
        spec.expected = referenceOutputs(spec, &error);
        QVERIFY2(!spec.expected.isEmpty(), qPrintable(error));
        const KillResumeOutcome outcome = killResumeProperty(spec);
        QVERIFY2(outcome.failure.isEmpty(), qPrintable(outcome.failure));
        QVERIFY(outcome.kills >= outcome.rounds); // every round was really interrupted
        qInfo("kill -9 property: %d rounds, %d kills, every output identical", outcome.rounds, outcome.kills);
    }

    void ctrlCPausesAndExitsWithThree()
    {
        const QString project = m_dir.filePath(QStringLiteral("interrupted"));
        QProcess p;
        QCOMPARE(startLongSelfTest(p, env(), project), QStringLiteral("started"));
        ::kill(pid_t(p.processId()), SIGINT);
        QVERIFY(p.waitForFinished(60000));
        QCOMPARE(p.exitStatus(), QProcess::NormalExit);
        QCOMPARE(p.exitCode(), 3);
        const QString said = QString::fromUtf8(p.readAllStandardOutput());
        QVERIFY2(said.contains(QStringLiteral(": paused (bioforge --project %1 resume ").arg(QDir(project).absolutePath())) && said.contains(QStringLiteral(" continues it)")),
                 qPrintable(said));
        // A paused run has no report yet: resume it first; once resumed, its report is the continuation's.
        const QString pausedId = runIdFrom(QString::fromUtf8(p.readAllStandardError()));
        QVERIFY(!pausedId.isEmpty());
        const Result early = run({QStringLiteral("--project"), project, QStringLiteral("report"), pausedId});
        QVERIFY2(early.code != 0 && early.err.contains(QStringLiteral("resume it first: bioforge resume %1").arg(pausedId)), qPrintable(early.err));
        const Result resumed = run({QStringLiteral("--project"), project, QStringLiteral("resume"), pausedId});
        QVERIFY2(resumed.code == 0, qPrintable(resumed.err + resumed.out));
        const QString newId = QRegularExpression(QStringLiteral("resumed as run (\\S+)")).match(resumed.err).captured(1);
        QVERIFY(!newId.isEmpty());
        const Result late = run({QStringLiteral("--project"), project, QStringLiteral("report"), pausedId});
        QVERIFY2(late.code != 0 && late.err.contains(QStringLiteral("it was resumed as run %1: bioforge report %1").arg(newId)), qPrintable(late.err));
    }
};

QTEST_GUILESS_MAIN(TstCli)
#include "tst_cli.moc"
