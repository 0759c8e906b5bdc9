// A project this user cannot write (a read-only mount, an archive, a colleague's
// share) through the real program: `runs`, `show` and `report --html FILE`
// work; a run, a resume or a report into the project's own folder is refused
// naming the project as read-only (5), and nothing is written into it; a run
// whose process is gone reads "interrupted", said not recorded. The trial
// found every command refused ("cannot open the project") on such a project.
// As root nothing is read-only by permissions, so root runs the program as
// user nobody (setpriv); the test skips where neither can be arranged.

#include "cli_test_base.h"

#include "provenance/run_record.h"
#include "store/project_store.h"
#include "support/other_user.h"

using namespace bioforge::test;

class TstCliReadOnly : public CliTestBase {
    Q_OBJECT

    QStringList m_prefix; // the program run as another user, when this one is root

    Result runAs(const QStringList& args)
    {
        QProcessEnvironment e = env();
        e.insert(QStringLiteral("HOME"), path("other-home"));
        e.insert(QStringLiteral("XDG_CONFIG_HOME"), path("other-home/.config"));
        e.insert(QStringLiteral("XDG_DATA_HOME"), path("other-home/.local/share"));
        const ProgramRun r = runProgram(m_prefix, binPath(QStringLiteral("bioforge")), QStringList{QStringLiteral("--project"), project()} + args, e, 120000);
        return {r.code, r.out, r.err};
    }

private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        bool ok = false;
        if (const QString skip = prepareOtherUser(m_dir.path(), path("other-home"), &m_prefix, &ok); !skip.isEmpty())
            QSKIP(qPrintable(skip));
        QVERIFY(ok); // the other user reaches the temporary folder and writes only its own home
    }

    void cleanupTestCase() { setTreeWritable(project(), true); }

    void aReadOnlyProjectIsReadAndNeverWritten()
    {
        const Result made = run({QStringLiteral("run"), QStringLiteral("workbench"), QStringLiteral("selftest"), QStringLiteral("--units"), QStringLiteral("3")});
        QVERIFY2(made.code == 0, qPrintable(made.err));
        const QString id = QRegularExpression(QStringLiteral("run (\\S+) started")).match(made.err).captured(1);
        QVERIFY(!id.isEmpty());
        {
            // A run left "running" by a process that is gone, its log folded in (closed since): a read-only
            // project cannot record it as interrupted, so `runs` shows it so and says it is not recorded.
            auto store = bioforge::core::ProjectStore::open(QDir(project()).filePath(QStringLiteral("project.sqlite")));
            QVERIFY(store);
            bioforge::core::RunRecord ghost;
            ghost.runId = ghost.checkpointId = QStringLiteral("20261205-000000-deadbeef");
            ghost.pluginId = QStringLiteral("workbench");
            ghost.pluginVersion = QStringLiteral("0.1.0");
            ghost.verb = QStringLiteral("selftest");
            ghost.state = bioforge::core::RunState::Running;
            ghost.createdAt = QDateTime::currentDateTimeUtc();
            bioforge::core::RunOwner gone = bioforge::core::RunOwner::current();
            gone.processStart = QStringLiteral("another-boot:1");
            QVERIFY((*store)->insertRun(ghost, gone));
        }
        setTreeWritable(project(), false);
        const Result probe = runAs({QStringLiteral("--version")});
        if (probe.code != 0)
            QSKIP(qPrintable(QStringLiteral("the program cannot be run as the other user here (its folder is not theirs to read): ") + probe.err));
        const QStringList before = treeListing(project());

        const Result runs = runAs({QStringLiteral("runs")});
        QVERIFY2(runs.code == 0 && runs.out.contains(id + QStringLiteral("  finished")) && runs.out.contains(QStringLiteral("(read-only here)"))
                     && runs.out.contains(QStringLiteral("20261205-000000-deadbeef  interrupted"))
                     && runs.out.contains(QStringLiteral("recorded as running: the project is read-only")),
                 qPrintable(runs.out + runs.err));
        const Result show = runAs({QStringLiteral("show"), id});
        QVERIFY2(show.code == 0 && show.out.contains(QStringLiteral("\"checkpointId\"")), qPrintable(show.err));
        const QString html = path("other-home/report.html");
        const Result report = runAs({QStringLiteral("report"), id, QStringLiteral("--html"), html});
        QVERIFY2(report.code == 0 && QFileInfo(html).size() > 0, qPrintable(report.err));
        // Into the project's own reports/: refused with the way out.
        const Result ownFolder = runAs({QStringLiteral("report"), id});
        QVERIFY2(ownFolder.code == 5 && ownFolder.err.contains(QStringLiteral("give --html FILE")), qPrintable(ownFolder.err));
        for (const QStringList& args : {QStringList{QStringLiteral("run"), QStringLiteral("workbench"), QStringLiteral("selftest")},
                                        QStringList{QStringLiteral("resume"), id}, QStringList{QStringLiteral("cancel"), id}}) {
            const Result r = runAs(args);
            QVERIFY2(r.code == 5 && r.err.contains(QStringLiteral("the project is read-only here")), qPrintable(args.join(' ') + ": " + r.err));
        }
        QCOMPARE(treeListing(project()), before);
    }
};

QTEST_GUILESS_MAIN(TstCliReadOnly)
#include "tst_cli_read_only.moc"
