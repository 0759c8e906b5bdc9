// What the listing commands print, for a person and for a script: `runs`
// in columns that line up whatever the states and plugins, counts in the
// singular where there is one, and `plugins`, `runs` and `inspect` as JSON
// that says what their text says (docs/cli.md); which folders `inspect`
// takes; a run whose end the project could not record is not reported a
// success.

#include "cli_test_base.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>

#include <cmath>

using namespace bioforge::test;

namespace {

QJsonObject parsed(const QString& text)
{
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(text.toUtf8(), &error);
    return error.error == QJsonParseError::NoError && doc.isObject() ? doc.object() : QJsonObject{{QStringLiteral("unparsed"), error.errorString()}};
}

} // namespace

class TstCliListings : public CliTestBase {
    Q_OBJECT
    QString m_selftest; // a finished self-test of one unit (one checkpoint entry)

private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        const Result one = run({QStringLiteral("run"), QStringLiteral("workbench"), QStringLiteral("selftest"), QStringLiteral("--units"),
                                QStringLiteral("1"), QStringLiteral("--work"), QStringLiteral("1")});
        QVERIFY2(one.code == 0, qPrintable(one.err));
        m_selftest = runIdFrom(one.err);
        QVERIFY(!m_selftest.isEmpty());
    }

    // Runs of different states and plugins: each column starts where it starts on every other line.
    void runsLineUpInColumns()
    {
        const Result failed = run({QStringLiteral("run"), QStringLiteral("workbench"), QStringLiteral("selftest"), QStringLiteral("--units"),
                                   QStringLiteral("4"), QStringLiteral("--work"), QStringLiteral("1"), QStringLiteral("--fail_at_unit"), QStringLiteral("1")});
        QCOMPARE(failed.code, 1);
        const QString model = path("tiny.gguf");
        QCOMPARE(run({QStringLiteral("llm"), QStringLiteral("synth-model"), model, QStringLiteral("--vocab"), QStringLiteral("300"), QStringLiteral("--embd"),
                      QStringLiteral("32"), QStringLiteral("--ff"), QStringLiteral("64")})
                     .code,
                 0);
        const Result llm = run({QStringLiteral("run"), QStringLiteral("llm"), QStringLiteral("generate"), QStringLiteral("--model"), model,
                                QStringLiteral("--prompt"), QStringLiteral("hi"), QStringLiteral("--n"), QStringLiteral("2")});
        QVERIFY2(llm.code == 0, qPrintable(llm.err));
        const QStringList lines = runsListing().split(QLatin1Char('\n')).filter(QRegularExpression(QStringLiteral("^\\d{8}-\\d{6}-")));
        QCOMPARE(lines.size(), 3);
        static const QRegularExpression when(QStringLiteral("  \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d  "));
        static const QRegularExpression what(QStringLiteral("  (workbench|llm) "));
        QSet<qsizetype> whenAt, whatAt;
        for (const QString& line : lines) {
            whenAt.insert(when.match(line).capturedStart());
            whatAt.insert(what.match(line).capturedStart());
        }
        QVERIFY2(whenAt.size() == 1 && !whenAt.contains(-1) && whatAt.size() == 1 && !whatAt.contains(-1), qPrintable(lines.join(QLatin1Char('\n'))));
        // The JSON lists the same runs.
        const QJsonObject json = parsed(run({QStringLiteral("runs"), QStringLiteral("--json")}).out);
        QCOMPARE(json.value(QLatin1String("runs")).toArray().size(), lines.size());
        // Whether a failed run can be resumed (a self-test's failure can): null for the others.
        for (const QJsonValue& v : json.value(QLatin1String("runs")).toArray()) {
            const QJsonObject r = v.toObject();
            const bool isFailed = r.value(QLatin1String("state")).toString() == QLatin1String("failed");
            QVERIFY2(isFailed ? r.value(QLatin1String("new_run_needed")) == QJsonValue(false) : r.value(QLatin1String("new_run_needed")).isNull(),
                     qPrintable(QJsonDocument(r).toJson()));
            // A key `show` writes too has one type in both (`warnings` was a count here, a list there;
            // `plugin` a name here, an object there): a script joins the two by id.
            const QJsonObject shown = parsed(run({QStringLiteral("show"), r.value(QLatin1String("id")).toString()}).out);
            QVERIFY(!shown.isEmpty() && r.value(QLatin1String("warning_count")).isDouble());
            // The CPU's driver is not known: not written as ""; its memory is the machine's.
            const QJsonObject device = shown.value(QLatin1String("device")).toObject();
            QVERIFY2(device.value(QLatin1String("id")).toString() == QLatin1String("cpu") && device.value(QLatin1String("memoryBytes")).toDouble() > 0
                         && !device.contains(QLatin1String("driverVersion")),
                     qPrintable(QJsonDocument(device).toJson()));
            const double progress = r.value(QLatin1String("progress")).toDouble(-1); // 4 decimals, no float noise
            QVERIFY2(progress >= 0 && progress <= 1 && std::floor(progress * 1e4) / 1e4 == progress, qPrintable(QString::number(progress, 'g', 17)));
            for (auto it = r.begin(); it != r.end(); ++it)
                if (!it->isNull() && shown.contains(it.key()) && !shown.value(it.key()).isNull())
                    QVERIFY2(it->type() == shown.value(it.key()).type(), qPrintable(it.key()));
        }
    }

    // `runs` filtered by plugin and state, and two runs compared (trial 21 T21-19: same-titled runs
    // were told apart only by opening each record): what differs, side by side, in text and JSON.
    void runsAreFilteredAndTwoCompared()
    {
        const auto idsOf = [this](const QStringList& filter) {
            QStringList ids;
            for (const QJsonValue& v : parsed(run(QStringList{QStringLiteral("runs")} + filter + QStringList{QStringLiteral("--json")}).out)
                                           .value(QLatin1String("runs")).toArray())
                ids << v.toObject().value(QLatin1String("id")).toString();
            return ids;
        };
        QCOMPARE(idsOf({QStringLiteral("--plugin"), QStringLiteral("llm")}).size(), 1);
        QCOMPARE(idsOf({QStringLiteral("--plugin"), QStringLiteral("workbench"), QStringLiteral("--state"), QStringLiteral("finished")}), QStringList{m_selftest});
        const QStringList failed = idsOf({QStringLiteral("--state=failed")});
        QCOMPARE(failed.size(), 1);
        QCOMPARE(run({QStringLiteral("runs"), QStringLiteral("--state"), QStringLiteral("done")}).code, 2);
        QCOMPARE(run({QStringLiteral("runs"), QStringLiteral("--plugin")}).code, 2);

        const Result text = run({QStringLiteral("compare"), m_selftest, failed.first()});
        QVERIFY2(text.code == 0 && text.out.contains(QStringLiteral("  parameters: units\n      A: 1\n      B: 4\n"))
                     && text.out.contains(QStringLiteral("  run: state\n      A: finished\n      B: failed\n")) && !text.out.contains(QStringLiteral("run: plugin")),
                 qPrintable(text.out + text.err));
        const QJsonObject json = parsed(run({QStringLiteral("compare"), m_selftest, failed.first(), QStringLiteral("--json")}).out);
        QCOMPARE(json.value(QLatin1String("a")).toObject().value(QLatin1String("id")).toString(), m_selftest);
        bool units = false;
        for (const QJsonValue& v : json.value(QLatin1String("differences")).toArray())
            units = units || (v.toObject().value(QLatin1String("key")).toString() == QLatin1String("units") && v.toObject().value(QLatin1String("a")).toString() == QLatin1String("1")
                              && v.toObject().value(QLatin1String("b")).toString() == QLatin1String("4"));
        QVERIFY2(units, qPrintable(QJsonDocument(json).toJson()));
        QVERIFY(json.value(QLatin1String("same")).toObject().value(QLatin1String("run")).toInt() >= 2); // plugin, verb
        QCOMPARE(run({QStringLiteral("compare"), m_selftest, QStringLiteral("20991231-000000-00000000")}).code, 6);
        QCOMPARE(run({QStringLiteral("compare"), m_selftest}).code, 2);
    }

    // One checkpoint entry is "1 entry"; the JSON gives each entry whole, its check and its tensors;
    // a damaged entry is BAD in both, exit 5, and the JSON still parses.
    void inspectSaysItInWordsAndAsJson()
    {
        const Result text = run({QStringLiteral("inspect"), m_selftest});
        QVERIFY2(text.code == 0 && text.out.contains(QStringLiteral(": 1 entry\n")), qPrintable(text.out + text.err));
        const Result asJson = run({QStringLiteral("inspect"), m_selftest, QStringLiteral("--json")});
        const QJsonObject json = parsed(asJson.out);
        QVERIFY2(asJson.code == 0 && json.value(QLatin1String("bad")).toInt(-1) == 0, qPrintable(asJson.out + asJson.err));
        const QJsonArray entries = json.value(QLatin1String("entries")).toArray();
        QCOMPARE(entries.size(), 1);
        const QJsonObject entry = entries.first().toObject();
        QVERIFY(entry.value(QLatin1String("verified")).toBool() && entry.value(QLatin1String("error")).isNull());
        QVERIFY(text.out.contains(QStringLiteral("ok   ") + entry.value(QLatin1String("key")).toString()));
        QVERIFY(!entry.value(QLatin1String("state")).toObject().isEmpty());
        const QJsonArray tensors = entry.value(QLatin1String("tensors")).toArray();
        QVERIFY(!tensors.isEmpty());
        for (const QJsonValue& t : tensors)
            QVERIFY2(t.toObject().value(QLatin1String("mean")).isDouble() && t.toObject().value(QLatin1String("nan")).isDouble()
                         && !t.toObject().value(QLatin1String("shape")).toArray().isEmpty() && t.toObject().value(QLatin1String("shape")).toArray().first().isDouble(),
                     qPrintable(QJsonDocument(t.toObject()).toJson()));
        // One byte of its state changed: BAD, why, exit 5.
        const QString folder = json.value(QLatin1String("folder")).toString();
        const QString state = QDir(folder).filePath(entry.value(QLatin1String("key")).toString() + QStringLiteral("/state.json"));
        QFile file(state);
        QVERIFY2(file.open(QIODevice::Append), qPrintable(state));
        QCOMPARE(file.write(" "), qint64(1));
        file.close();
        const Result bad = run({QStringLiteral("inspect"), m_selftest, QStringLiteral("--json")});
        const QJsonObject badJson = parsed(bad.out);
        QVERIFY2(bad.code == 5 && badJson.value(QLatin1String("bad")).toInt() == 1, qPrintable(bad.out + bad.err));
        const QJsonObject badEntry = badJson.value(QLatin1String("entries")).toArray().first().toObject();
        QVERIFY(!badEntry.value(QLatin1String("verified")).toBool() && !badEntry.value(QLatin1String("error")).toString().isEmpty());
        QVERIFY(badEntry.value(QLatin1String("state")).isNull() && badEntry.value(QLatin1String("schema")).isNull()
                && badEntry.value(QLatin1String("created")).isNull()); // not {} and 0
        // The text says no more than the JSON: the key and why, no schema read from an unverified manifest.
        const Result badText = run({QStringLiteral("inspect"), m_selftest});
        const QString badLine = QStringLiteral("BAD  ") + badEntry.value(QLatin1String("key")).toString() + QLatin1Char('\n');
        QVERIFY2(badText.code == 5 && badText.out.contains(badLine) && !badText.out.contains(QStringLiteral("schema")), qPrintable(badText.out));
    }

    // `inspect` of a folder: one that holds no checkpoint is said to be none; one above runs'
    // checkpoint folders is refused naming the projects; a run's own, an empty one, or one inside it
    // is verified from the run's checkpoint folder; a run whose checkpoint folder is gone is said so.
    void inspectTakesTheFolderOfOneRunsCheckpoints()
    {
        const QString project = m_dir.filePath(QStringLiteral("inspect-folders"));
        const Result r = run({QStringLiteral("--project"), project, QStringLiteral("run"), QStringLiteral("workbench"), QStringLiteral("selftest"),
                              QStringLiteral("--units"), QStringLiteral("6"), QStringLiteral("--work"), QStringLiteral("1")});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        const QString id = runIdFrom(r.err);
        QVERIFY(!id.isEmpty());
        // A folder that holds no checkpoint (here the run's output folder) is said to be one, exit 6.
        const Result notCheckpoints = run({QStringLiteral("--project"), project, QStringLiteral("inspect"), QDir(project).filePath(QStringLiteral("runs/") + id)});
        QVERIFY2(notCheckpoints.code == 6 && notCheckpoints.err.contains(QStringLiteral("holds no checkpoint entry")), qPrintable(notCheckpoints.err));
        // A folder above runs' checkpoint folders (<project>/checkpoints, the project, a folder of
        // projects) is refused naming the projects, not verified as one folder (`inspect ~` walked a
        // whole home; <project>/checkpoints called every healthy entry BAD).
        // A validate run's scratch folder of stage checkpoints (runs/ID/validation/checkpoints/STAGE) is no
        // project of runs (it was counted as "a project of 6 runs": trial 18).
        const QString scratch = QDir(project).filePath(QStringLiteral("runs/%1/validation/checkpoints/frames").arg(id));
        QVERIFY(QDir().mkpath(scratch));
        QVERIFY(QFile::copy(QDir(project).filePath(QStringLiteral("checkpoints/%1/generate/unit-00005/manifest.json").arg(id)), QDir(scratch).filePath(QStringLiteral("manifest.json"))));
        for (const QString& above : {QDir(project).filePath(QStringLiteral("checkpoints")), project, QFileInfo(project).absolutePath()}) {
            const Result many = run({QStringLiteral("--project"), project, QStringLiteral("inspect"), above, QStringLiteral("--json")});
            QVERIFY2(!many.err.contains(QStringLiteral("validation")), qPrintable(many.err));
            QVERIFY2(many.code == 6 && many.out.isEmpty() && many.err.contains(QStringLiteral("holds the checkpoint folders of"))
                         && (above == QFileInfo(project).absolutePath() || many.err.contains(QStringLiteral("the project %1 (").arg(QFileInfo(project).absoluteFilePath()))),
                     qPrintable(above + QStringLiteral(": ") + many.err));
        }
        // A run's own checkpoint folder is inspected whatever it holds below (a cluster run's holds its
        // tasks' projects with their checkpoints): not refused as a folder above runs.
        const QString runFolder = QDir(project).filePath(QStringLiteral("checkpoints/") + id);
        const QString nested = QDir(runFolder).filePath(QStringLiteral("cluster/tasks/0/project/checkpoints/shard-run/unit"));
        QVERIFY(QDir().mkpath(nested));
        QVERIFY(QFile::copy(QDir(runFolder).filePath(QStringLiteral("generate/unit-00005/manifest.json")), QDir(nested).filePath(QStringLiteral("manifest.json"))));
        const Result own = run({QStringLiteral("--project"), project, QStringLiteral("inspect"), runFolder});
        QVERIFY2(own.code != 6 && !own.err.contains(QStringLiteral("holds the checkpoint folders of")) && own.out.contains(QStringLiteral("ok   generate/unit-00005")),
                 qPrintable(own.out + own.err));
        QVERIFY(QDir(QDir(runFolder).filePath(QStringLiteral("cluster"))).removeRecursively());
        // A run's checkpoint folder before its first checkpoint: no entry, and that is fine.
        const QString empty = QDir(project).filePath(QStringLiteral("checkpoints/not-started-yet"));
        QVERIFY(QDir().mkpath(empty));
        const Result none = run({QStringLiteral("--project"), project, QStringLiteral("inspect"), empty});
        QVERIFY2(none.code == 0 && none.out.contains(QStringLiteral(": 0 entries")), qPrintable(none.out + none.err));
        // A folder inside the run's checkpoint folder (one stage's, one entry's): verified from the
        // checkpoint folder, not every healthy entry called BAD.
        const QString checkpoints = QDir(project).filePath(QStringLiteral("checkpoints/") + id);
        for (const QString& inside : {QDir(checkpoints).filePath(QStringLiteral("generate")), QDir(checkpoints).filePath(QStringLiteral("generate/unit-00005"))}) {
            const Result sub = run({QStringLiteral("--project"), project, QStringLiteral("inspect"), inside});
            QVERIFY2(sub.code == 0 && sub.out.contains(QStringLiteral("is inside the checkpoint folder")) && sub.out.contains(QStringLiteral("ok   generate/unit-00005"))
                         && !sub.out.contains(QStringLiteral("BAD")),
                     qPrintable(inside + QStringLiteral(": ") + sub.out + sub.err));
        }
        // The run's checkpoint folder gone (deleted, moved): said, 6 — it read "0 entries", 0.
        QVERIFY(QDir().rename(checkpoints, checkpoints + QStringLiteral(".moved")));
        const Result gone = run({QStringLiteral("--project"), project, QStringLiteral("inspect"), id});
        QVERIFY(QDir().rename(checkpoints + QStringLiteral(".moved"), checkpoints));
        QVERIFY2(gone.code == 6 && gone.err.contains(QStringLiteral("has no checkpoint folder")), qPrintable(gone.out + gone.err));
    }

    // Every plugin the text lists, as JSON: loaded ones with their verbs, commands and file.
    void pluginsAsJson()
    {
        const Result text = run({QStringLiteral("plugins")});
        const Result asJson = run({QStringLiteral("plugins"), QStringLiteral("--json")});
        const QJsonObject json = parsed(asJson.out);
        QVERIFY2(asJson.code == 0 && !json.value(QLatin1String("search_paths")).toArray().isEmpty(), qPrintable(asJson.out + asJson.err));
        const QJsonArray plugins = json.value(QLatin1String("plugins")).toArray();
        QCOMPARE(plugins.size(), text.out.split(QLatin1Char('\n')).filter(QRegularExpression(QStringLiteral("^(loaded|unused|FAILED)  "))).size());
        bool sawLlm = false;
        for (const QJsonValue& v : plugins) {
            const QJsonObject p = v.toObject();
            QVERIFY2(text.out.contains(p.value(QLatin1String("id")).toString() + QLatin1Char(' ') + p.value(QLatin1String("version")).toString()),
                     qPrintable(QJsonDocument(p).toJson()));
            if (p.value(QLatin1String("id")).toString() != QLatin1String("llm"))
                continue;
            sawLlm = true;
            QCOMPARE(p.value(QLatin1String("state")).toString(), QStringLiteral("loaded"));
            QCOMPARE(p.value(QLatin1String("run_verbs")).toArray(), QJsonArray{QStringLiteral("generate")});
            QVERIFY(p.value(QLatin1String("commands")).toArray().contains(QStringLiteral("chat")));
            QVERIFY(p.value(QLatin1String("file")).toString().endsWith(QStringLiteral("libbioforge_llm.so")) && p.value(QLatin1String("error")).isNull());
        }
        QVERIFY(sawLlm);
    }

    // `version`, `devices` and `status` as JSON too (they refused --json): what the text says.
    void theOtherListingsAsJson()
    {
        const Result versionText = run({QStringLiteral("version")});
        const QJsonObject version = parsed(run({QStringLiteral("version"), QStringLiteral("--json")}).out);
        QVERIFY2(!version.value(QLatin1String("version")).toString().isEmpty()
                     && versionText.out.startsWith(QStringLiteral("BioForge Workbench ") + version.value(QLatin1String("version")).toString())
                     && version.value(QLatin1String("libraries")).toObject().contains(QStringLiteral("Qt (run time)")),
                 qPrintable(QJsonDocument(version).toJson()));
        // The commit it was built from, where it was built from a git checkout (this test's is one
        // when .git is beside the sources): a result is traced to the code that made it (trial 25 T25-1).
        const QString commit = version.value(QLatin1String("commit")).toString();
        QVERIFY(version.contains(QLatin1String("commit")));
        if (QFileInfo::exists(QStringLiteral(BIOFORGE_SOURCE_DIR "/.git")))
            QVERIFY2(QRegularExpression(QStringLiteral("^[0-9a-f]{7,40}(-dirty)?$")).match(commit).hasMatch()
                         && versionText.out.startsWith(QStringLiteral("BioForge Workbench %1 (commit %2)\n").arg(version.value(QLatin1String("version")).toString(), commit)),
                     qPrintable(versionText.out));
        for (const bool check : {false, true}) {
            QStringList args{QStringLiteral("devices"), QStringLiteral("--json")};
            if (check)
                args << QStringLiteral("--check");
            const Result r = run(args);
            const QJsonObject devices = parsed(r.out);
            const QJsonObject cpu = devices.value(QLatin1String("devices")).toArray().first().toObject();
            QVERIFY2(r.code == 0 && cpu.value(QLatin1String("id")).toString() == QLatin1String("cpu") && cpu.value(QLatin1String("threads")).toInt() > 0
                         && cpu.value(QLatin1String("memory_bytes")).toDouble() > 0 && devices.value(QLatin1String("notes")).isArray()
                         && devices.value(QLatin1String("checks")).isArray() == check,
                     qPrintable(r.out + r.err));
            // No GPU to check: said among the notes, as the text says it (the checks were only [] there).
            const bool gpus = devices.value(QLatin1String("devices")).toArray().size() > 1;
            QCOMPARE(devices.value(QLatin1String("notes")).toArray().contains(QStringLiteral("no GPU on this machine; GPU kernels are skipped and the CPU is used")),
                     check && !gpus);
        }
        const Result status = run({QStringLiteral("status"), QStringLiteral("--json")}); // no cluster run here
        const QJsonObject underWay = parsed(status.out);
        QVERIFY2(status.code == 0 && underWay.value(QLatin1String("runs")).toArray().isEmpty() && underWay.value(QLatin1String("project")).isString(),
                 qPrintable(status.out + status.err));
        QCOMPARE(run({QStringLiteral("status"), QStringLiteral("no-such-run"), QStringLiteral("--json")}).code, 6);
        // `settings list --jsn` answered with the bare usage line: it names the option it does not take.
        const Result settings = run({QStringLiteral("settings"), QStringLiteral("list"), QStringLiteral("--jsn")});
        QVERIFY2(settings.code == 2 && settings.err.contains(QStringLiteral("unknown option '--jsn'")), qPrintable(settings.err));
    }

    // A run whose end the project database refuses to record (a full disk, a lock; here a trigger):
    // said, and exit 5 — it printed "finished" and exited 0, the run listed as running. Last: the
    // trigger stays.
    void aRunWhoseEndIsNotRecordedIsNotASuccess()
    {
        {
            QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("trigger"));
            db.setDatabaseName(QDir(project()).filePath(QStringLiteral("project.sqlite")));
            QVERIFY(db.open());
            QSqlQuery q(db);
            QVERIFY2(q.exec(QStringLiteral("CREATE TRIGGER refuse_the_end BEFORE UPDATE OF state ON runs WHEN NEW.state = 'finished' "
                                           "BEGIN SELECT RAISE(ABORT, 'the disk refused the write'); END")),
                     qPrintable(q.lastError().text()));
            db.close();
        }
        QSqlDatabase::removeDatabase(QStringLiteral("trigger"));
        const Result r = run({QStringLiteral("run"), QStringLiteral("workbench"), QStringLiteral("selftest"), QStringLiteral("--units"),
                              QStringLiteral("1"), QStringLiteral("--work"), QStringLiteral("1")});
        QVERIFY2(r.code == 5 && r.err.contains(QStringLiteral("ended finished, but the project database still records it as running")),
                 qPrintable(r.out + r.err));
    }
};

QTEST_GUILESS_MAIN(TstCliListings)
#include "tst_cli_listings.moc"
