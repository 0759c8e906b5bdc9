// A page follows the runs it started to the runs that continue them: after a pause, a failure a
// resume can mend or an interruption, the continuation's end is the page's (trial 21 T21-7: the
// age page kept "failed … resume it from the Runs page" after the resume was cancelled); a run
// that needs a new one, or another page's, is not followed.

#include "jobs/page_runs.h"
#include "log/logging.h"
#include "runs/session.h"
#include "store/project.h"
#include "store/project_store.h"

#include <QDateTime>
#include <QTemporaryDir>
#include <QtTest>

using namespace bioforge;

class TstPageRuns : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;

    static core::RunRecord record(const QString& id, core::RunState state, const QString& parent = {}, bool newRunNeeded = false)
    {
        core::RunRecord r;
        r.runId = id;
        r.checkpointId = parent.isEmpty() ? id : parent;
        r.parentRunId = parent;
        r.pluginId = QStringLiteral("age");
        r.verb = QStringLiteral("train");
        r.state = state;
        r.error = state == core::RunState::Failed ? QStringLiteral("the input changed") : QString();
        r.newRunNeeded = newRunNeeded;
        r.createdAt = QDateTime::currentDateTimeUtc();
        return r;
    }

private slots:
    void initTestCase() { core::Logging::initialize(core::Logging::Console::Off); }

    void aContinuationsEndIsThePagesAfterAnyResumableEnd()
    {
        core::Session session(core::Session::Options{});
        QVERIFY(session.openProject(m_dir.filePath(QStringLiteral("p")), true));
        core::ProjectStore& store = session.project()->store();
        int n = 0;
        for (const core::RunState first : {core::RunState::Paused, core::RunState::Failed, core::RunState::Interrupted}) {
            ui::PageRuns runs;
            const QString a = QStringLiteral("20261207-100000-%1").arg(++n, 8, 10, QLatin1Char('0'));
            const QString b = QStringLiteral("20261207-100000-%1").arg(++n, 8, 10, QLatin1Char('0'));
            QVERIFY(store.insertRun(record(a, first)));
            runs.started(a, QStringLiteral("train"));
            QCOMPARE(runs.ended(session, a).verb, QStringLiteral("train"));
            QVERIFY(store.insertRun(record(b, core::RunState::Cancelled, a)));
            const ui::PageRuns::Ended continued = runs.ended(session, b);
            QCOMPARE(continued.verb, QStringLiteral("train")); // the page says "Run b was cancelled."
            QVERIFY(continued.record);
            QCOMPARE(ui::unfinishedRunText(*continued.record), QStringLiteral("Run %1 was cancelled.").arg(b));
        }
        // A failure only a new run mends is not continued; another page's run is not this page's.
        ui::PageRuns runs;
        const QString c = QStringLiteral("20261207-100000-%1").arg(++n, 8, 10, QLatin1Char('0'));
        QVERIFY(store.insertRun(record(c, core::RunState::Failed, {}, true)));
        runs.started(c, QStringLiteral("train"));
        QCOMPARE(runs.ended(session, c).verb, QStringLiteral("train"));
        const QString d = QStringLiteral("20261207-100000-%1").arg(++n, 8, 10, QLatin1Char('0'));
        QVERIFY(store.insertRun(record(d, core::RunState::Finished, c)));
        QCOMPARE(runs.ended(session, d).verb, QString());
        const QString e = QStringLiteral("20261207-100000-%1").arg(++n, 8, 10, QLatin1Char('0'));
        QVERIFY(store.insertRun(record(e, core::RunState::Paused)));
        QCOMPARE(runs.ended(session, e).verb, QString());
    }
};

QTEST_GUILESS_MAIN(TstPageRuns)
#include "tst_page_runs.moc"
