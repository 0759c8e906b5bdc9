// `bioforge settings` through the real program: the workbench's settings and
// the plugins' own (annotation's NCBI key, rate limits, library) are listed,
// read, set with their checks and unset; a secret is never printed, and may
// come from standard input; a plugin sees what was set (annotation sources
// names the library set). A headless machine had no way to set these. A
// plugin that did not load is named as such, and its saved keys can be unset.

#include "cli_test_base.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSettings>
#include <QThread>

using namespace bioforge::test;

class TstCliSettings : public CliTestBase {
    Q_OBJECT

private slots:
    void initTestCase() { QVERIFY(m_dir.isValid()); }

    void everySettingIsListedAndSecretsAreNeverShown()
    {
        const Result list = run({QStringLiteral("settings")});
        QCOMPARE(list.code, 0);
        for (const char* line : {"threads = ", "device = auto", "cluster = {", "annotation.ncbi_api_key = (not set)", "annotation.rate_limits = (not set)",
                                 "settings file: "})
            QVERIFY2(list.out.contains(QLatin1String(line)), qPrintable(list.out));
        const QString key = QStringLiteral("0123abcd0123abcd0123abcd0123abcd0123");
        const Result set = run({QStringLiteral("settings"), QStringLiteral("set"), QStringLiteral("annotation.ncbi_api_key"), key});
        QVERIFY2(set.code == 0 && !set.out.contains(key) && set.out.contains(QStringLiteral("(set, 36 characters; not shown)")), qPrintable(set.out + set.err));
        for (const QStringList& args : {QStringList{QStringLiteral("settings")}, QStringList{QStringLiteral("settings"), QStringLiteral("get"), QStringLiteral("annotation.ncbi_api_key")}}) {
            const Result r = run(args);
            QVERIFY2(r.code == 0 && !r.out.contains(key) && r.out.contains(QStringLiteral("(set, 36 characters; not shown)")), qPrintable(r.out));
        }
        // From standard input (out of the shell's history); a key that is no key is refused without echoing it.
        QProcess p;
        p.setProcessEnvironment(env());
        p.start(binPath(QStringLiteral("bioforge")), {QStringLiteral("--project"), project(), QStringLiteral("settings"), QStringLiteral("set"),
                                                       QStringLiteral("annotation.ncbi_api_key"), QStringLiteral("-")});
        p.write("not a key!\n");
        p.closeWriteChannel();
        QVERIFY(p.waitForFinished(60000));
        const QString err = QString::fromUtf8(p.readAllStandardError());
        QVERIFY2(p.exitCode() == 2 && err.contains(QStringLiteral("the value is not accepted")) && !err.contains(QStringLiteral("not a key!")), qPrintable(err));
        // As JSON (list and get): every key the text lists, the secret set but never its value.
        const Result listed = run({QStringLiteral("settings"), QStringLiteral("list"), QStringLiteral("--json")});
        const QJsonObject all = QJsonDocument::fromJson(listed.out.toUtf8()).object();
        QVERIFY2(listed.code == 0 && !listed.out.contains(key) && all.value(QLatin1String("file")).toString().endsWith(QStringLiteral(".conf")), qPrintable(listed.out));
        QStringList keys;
        for (const QJsonValue& v : all.value(QLatin1String("settings")).toArray()) {
            const QJsonObject one = v.toObject();
            keys << one.value(QLatin1String("key")).toString();
            QVERIFY2(list.out.contains(one.value(QLatin1String("key")).toString() + QStringLiteral(" = ")) && !one.value(QLatin1String("description")).toString().isEmpty(),
                     qPrintable(QJsonDocument(one).toJson()));
            if (one.value(QLatin1String("key")).toString() == QLatin1String("annotation.ncbi_api_key"))
                QVERIFY(one.value(QLatin1String("set")).toBool() && one.value(QLatin1String("secret")).toBool() && one.value(QLatin1String("value")).isNull());
            if (one.value(QLatin1String("key")).toString() == QLatin1String("device"))
                QCOMPARE(one.value(QLatin1String("value")).toString(), QStringLiteral("auto"));
            if (one.value(QLatin1String("key")).toString() == QLatin1String("cluster")) // UTF-8 read as such (an ellipsis printed as 'â¦': trial 21)
                QVERIFY2(one.value(QLatin1String("description")).toString().contains(QStringLiteral("`run \u2026 --cluster slurm`")), qPrintable(QJsonDocument(one).toJson()));
        }
        QVERIFY(list.out.contains(QStringLiteral("`run \u2026 --cluster slurm`")));
        QCOMPARE(keys.size(), list.out.count(QStringLiteral(" = ")));
        const Result got = run({QStringLiteral("settings"), QStringLiteral("get"), QStringLiteral("threads"), QStringLiteral("--json")});
        const QJsonObject threads = QJsonDocument::fromJson(got.out.toUtf8()).object();
        QVERIFY2(got.code == 0 && threads.value(QLatin1String("key")).toString() == QLatin1String("threads") && threads.value(QLatin1String("value")).toInt() >= 1,
                 qPrintable(got.out + got.err));
        QCOMPARE(run({QStringLiteral("settings"), QStringLiteral("unset"), QStringLiteral("annotation.ncbi_api_key")}).code, 0);
        QVERIFY(run({QStringLiteral("settings"), QStringLiteral("get"), QStringLiteral("annotation.ncbi_api_key")}).out.contains(QStringLiteral("(not set)")));
        const QJsonObject unsetKey = QJsonDocument::fromJson(run({QStringLiteral("settings"), QStringLiteral("get"), QStringLiteral("annotation.ncbi_api_key"),
                                                                   QStringLiteral("--json")})
                                                                  .out.toUtf8())
                                         .object();
        QVERIFY(!unsetKey.value(QLatin1String("set")).toBool(true) && unsetKey.value(QLatin1String("value")).isNull()); // a script tells it from a value
    }

    void valuesAreCheckedAndReachThePlugin()
    {
        const Result zeroRate = run({QStringLiteral("settings"), QStringLiteral("set"), QStringLiteral("annotation.rate_limits"), QStringLiteral("{\"rest.genenames.org\": 0}")});
        QVERIFY2(zeroRate.code == 2 && zeroRate.err.contains(QStringLiteral("the rate of rest.genenames.org must be")), qPrintable(zeroRate.err));
        QCOMPARE(run({QStringLiteral("settings"), QStringLiteral("set"), QStringLiteral("annotation.rate_limits"), QStringLiteral("{\"rest.genenames.org\": 2.5}")}).code, 0);
        QCOMPARE(run({QStringLiteral("settings"), QStringLiteral("get"), QStringLiteral("annotation.rate_limits")}).out.trimmed(),
                 QStringLiteral("{\"rest.genenames.org\":2.5}"));
        const Result halfThread = run({QStringLiteral("settings"), QStringLiteral("set"), QStringLiteral("threads"), QStringLiteral("1.5")});
        QVERIFY2(halfThread.code == 2 && halfThread.err.contains(QStringLiteral("a whole number of threads")), qPrintable(halfThread.err));
        QCOMPARE(run({QStringLiteral("settings"), QStringLiteral("set"), QStringLiteral("threads"), QStringLiteral("-1")}).code, 2);
        QCOMPARE(run({QStringLiteral("settings"), QStringLiteral("set"), QStringLiteral("threads"), QStringLiteral("3")}).code, 0);
        QCOMPARE(run({QStringLiteral("settings"), QStringLiteral("get"), QStringLiteral("threads")}).out.trimmed(), QStringLiteral("3"));
        // 0 is all cores, as a run's --threads 0: the saved 3 is removed, the default used.
        const Result allCores = run({QStringLiteral("settings"), QStringLiteral("set"), QStringLiteral("threads"), QStringLiteral("0")});
        QVERIFY2(allCores.code == 0 && allCores.out.contains(QStringLiteral("(all cores: %1 on this machine)").arg(QThread::idealThreadCount())),
                 qPrintable(allCores.out + allCores.err));
        QCOMPARE(run({QStringLiteral("settings"), QStringLiteral("get"), QStringLiteral("threads")}).out.trimmed(), QString::number(QThread::idealThreadCount()));
        QCOMPARE(run({QStringLiteral("settings"), QStringLiteral("set"), QStringLiteral("device"), QStringLiteral("gpu0")}).code, 2);
        // A folder setting given a file: refused (a folder yet to be made is fine).
        const QString file = m_dir.filePath(QStringLiteral("genes.csv"));
        QVERIFY(writeAll(file, "gene\n"));
        const Result aFile = run({QStringLiteral("settings"), QStringLiteral("set"), QStringLiteral("model_folder"), file});
        QVERIFY2(aFile.code == 2 && aFile.err.contains(QStringLiteral("is a file, not a folder")), qPrintable(aFile.err));
        QCOMPARE(run({QStringLiteral("settings"), QStringLiteral("set"), QStringLiteral("model_folder"), m_dir.filePath(QStringLiteral("models-to-be"))}).code, 0);
        QCOMPARE(run({QStringLiteral("settings"), QStringLiteral("set"), QStringLiteral("cluster"), QStringLiteral("{\"shards\": 0}")}).code, 2);
        const Result unknown = run({QStringLiteral("settings"), QStringLiteral("set"), QStringLiteral("annotation.ncbi_key"), QStringLiteral("x")});
        QVERIFY2(unknown.code == 6 && unknown.err.contains(QStringLiteral("annotation.ncbi_api_key")), qPrintable(unknown.err)); // the keys are listed
        // unset: back to the default (it was refused, and the default had to be known to be typed back).
        const Result unset = run({QStringLiteral("settings"), QStringLiteral("unset"), QStringLiteral("model_folder")});
        QVERIFY2(unset.code == 0 && unset.out.contains(QStringLiteral("its default is used")) && !unset.out.contains(QStringLiteral("models-to-be")),
                 qPrintable(unset.out + unset.err));
        QVERIFY(!run({QStringLiteral("settings"), QStringLiteral("get"), QStringLiteral("model_folder")}).out.contains(QStringLiteral("models-to-be")));
        QCOMPARE(run({QStringLiteral("settings"), QStringLiteral("unset"), QStringLiteral("threads")}).code, 0);
        QCOMPARE(run({QStringLiteral("settings"), QStringLiteral("get"), QStringLiteral("threads")}).out.trimmed(), QString::number(QThread::idealThreadCount()));
        for (const char* key : {"max_jobs", "device", "cache_folder", "cluster"}) // every workbench setting has its way back
            QCOMPARE(run({QStringLiteral("settings"), QStringLiteral("unset"), QLatin1String(key)}).code, 0);
        const Result partition = run({QStringLiteral("settings"), QStringLiteral("set"), QStringLiteral("cluster"), QStringLiteral("{\"partition\": 5}")});
        QVERIFY2(partition.code == 2 && partition.err.contains(QStringLiteral("partition: 5 is not text")), qPrintable(partition.err));
        // Saved as the options read it: keys spelt as the flags become the options' own (a flag of the
        // same option then replaces it, not "given twice"), `unlimited` as sbatch spells it.
        QCOMPARE(run({QStringLiteral("settings"), QStringLiteral("set"), QStringLiteral("cluster"),
                      QStringLiteral("{\"cpus-per-task\": 2, \"mem\": \"4G\", \"time\": \"unlimited\"}")})
                     .code,
                 0);
        const QString cluster = run({QStringLiteral("settings"), QStringLiteral("get"), QStringLiteral("cluster")}).out;
        QVERIFY2(cluster.contains(QStringLiteral("\"cpus_per_task\":2")) && cluster.contains(QStringLiteral("\"memory\":\"4G\""))
                     && cluster.contains(QStringLiteral("\"UNLIMITED\"")) && !cluster.contains(QStringLiteral("cpus-per-task"))
                     && !cluster.contains(QStringLiteral("shards")), // nothing the user did not give: later defaults still reach it
                 qPrintable(cluster));
        QCOMPARE(run({QStringLiteral("settings"), QStringLiteral("unset"), QStringLiteral("cluster")}).code, 0);
        QCOMPARE(run({QStringLiteral("settings"), QStringLiteral("set"), QStringLiteral("threads")}).code, 2);
        // The annotation plugin reads its library from the settings.
        const QString library = path("set-library.sqlite");
        QCOMPARE(run({QStringLiteral("settings"), QStringLiteral("set"), QStringLiteral("annotation.library"), library}).code, 0);
        const Result sources = run({QStringLiteral("annotation"), QStringLiteral("sources")});
        QVERIFY2(sources.code == 0 && sources.out.contains(QStringLiteral("annotation library: ") + library), qPrintable(sources.out + sources.err));
        // Not made by listing it (it was made empty, with its folder): said to be made by the first import.
        QVERIFY2(sources.out.contains(QStringLiteral("(not made yet: the first import makes it)")) && !QFileInfo::exists(library), qPrintable(sources.out));
        QCOMPARE(run({QStringLiteral("settings"), QStringLiteral("set"), QStringLiteral("annotation.library"), QStringLiteral("relative.sqlite")}).code, 2);
        // A file that is no SQLite file (every annotation command then failed) or a folder: refused.
        const Result notSqlite = run({QStringLiteral("settings"), QStringLiteral("set"), QStringLiteral("annotation.library"), file});
        QVERIFY2(notSqlite.code == 2 && notSqlite.err.contains(QStringLiteral("is not an SQLite file")), qPrintable(notSqlite.err));
        QCOMPARE(run({QStringLiteral("settings"), QStringLiteral("set"), QStringLiteral("annotation.library"), m_dir.path()}).code, 2);
    }

    void cleanup() { m_pluginPath.clear(); }

    void aSettingThatCannotBeSavedIsAnError()
    {
        // The settings folder cannot be made (under a file: not even root can): set and unset say so (5), not "set".
        const QString blocker = path("not-a-folder");
        QVERIFY(writeAll(blocker, "x"));
        for (const QStringList& args : {QStringList{QStringLiteral("set"), QStringLiteral("threads"), QStringLiteral("2")},
                                        QStringList{QStringLiteral("set"), QStringLiteral("annotation.ncbi_api_key"), QStringLiteral("0123abcd0123abcd0123abcd0123abcd0123")}}) {
            QProcess p;
            QProcessEnvironment e = env();
            e.insert(QStringLiteral("XDG_CONFIG_HOME"), blocker + QStringLiteral("/config"));
            p.setProcessEnvironment(e);
            p.start(binPath(QStringLiteral("bioforge")), QStringList{QStringLiteral("--project"), project(), QStringLiteral("settings")} + args);
            QVERIFY(p.waitForFinished(60000));
            const QString out = QString::fromUtf8(p.readAllStandardOutput()), err = QString::fromUtf8(p.readAllStandardError());
            QVERIFY2(p.exitCode() == 5 && err.contains(QStringLiteral("the settings could not be saved")) && !out.contains(QStringLiteral("set ")),
                     qPrintable(args.join(' ') + ": " + out + err));
        }
    }

    void threadsAndDeviceSettingsStandForWhatARunDoesNotGive()
    {
        // A run records the settings' threads and device where its command gives none, and the command's where it does.
        QCOMPARE(run({QStringLiteral("settings"), QStringLiteral("set"), QStringLiteral("threads"), QStringLiteral("1")}).code, 0);
        QCOMPARE(run({QStringLiteral("settings"), QStringLiteral("set"), QStringLiteral("device"), QStringLiteral("cpu")}).code, 0);
        const QString table = path("settings-table.csv");
        QVERIFY(writeAll(table, "seqn,age,sex\n1,50,1\n2,60,2\n"));
        for (const QStringList& extra : {QStringList{}, QStringList{QStringLiteral("--threads"), QStringLiteral("2")}}) {
            const Result r = run(QStringList{QStringLiteral("run"), QStringLiteral("age"), QStringLiteral("train"), QStringLiteral("--table"), table} + extra);
            const QString id = QRegularExpression(QStringLiteral("run (\\S+) started")).match(r.err).captured(1);
            QVERIFY2(!id.isEmpty(), qPrintable(r.out + r.err));
            const Result show = run({QStringLiteral("show"), id});
            QVERIFY2(show.out.contains(QStringLiteral("\"threads\": %1").arg(extra.isEmpty() ? 1 : 2)) && show.out.contains(QStringLiteral("\"device\": \"cpu\"")),
                     qPrintable(show.out));
        }
        QCOMPARE(run({QStringLiteral("settings"), QStringLiteral("set"), QStringLiteral("device"), QStringLiteral("auto")}).code, 0);
    }

    // The window opens the project it had last; a terminal's command in another project adds it
    // to the recent list, last, and leaves the first where it is (a `runs` in a colleague's project
    // made the window open that one next: trial 21).
    void theCommandLineLeavesTheWindowsProjectFirst()
    {
        const QString file = QJsonDocument::fromJson(run({QStringLiteral("settings"), QStringLiteral("list"), QStringLiteral("--json")}).out.toUtf8())
                                 .object()
                                 .value(QLatin1String("file"))
                                 .toString();
        QVERIFY(!file.isEmpty());
        const QString window = QDir(path("window project")).absolutePath(), other = QDir(path("colleague's project")).absolutePath();
        {
            QSettings settings(file, QSettings::IniFormat);
            settings.setValue(QStringLiteral("projects/recent"), QStringList{window});
        }
        for (const QString& folder : {other, window, other}) {
            QProcess p;
            p.setProcessEnvironment(env());
            p.start(binPath(QStringLiteral("bioforge")), {QStringLiteral("--project"), folder, QStringLiteral("run"), QStringLiteral("workbench"), QStringLiteral("selftest"),
                                                          QStringLiteral("--units"), QStringLiteral("1"), QStringLiteral("--work"), QStringLiteral("0")});
            QVERIFY2(p.waitForFinished(60000) && p.exitCode() == 0, p.readAllStandardError().constData());
        }
        QSettings settings(file, QSettings::IniFormat);
        QCOMPARE(settings.value(QStringLiteral("projects/recent")).toStringList(), (QStringList{window, other}));
    }

    void aSavedSecretIsForThisUserOnly()
    {
        QCOMPARE(run({QStringLiteral("settings"), QStringLiteral("set"), QStringLiteral("annotation.ncbi_api_key"), QStringLiteral("0123abcd0123abcd0123abcd0123abcd0123")}).code, 0);
        const QFileInfo file(m_dir.filePath(QStringLiteral("home/.config/BioForge/Workbench.conf")));
        QVERIFY(file.exists());
        QCOMPARE(file.permissions() & (QFileDevice::ReadGroup | QFileDevice::ReadOther | QFileDevice::WriteGroup | QFileDevice::WriteOther), QFileDevice::Permissions());
        QCOMPARE(run({QStringLiteral("settings"), QStringLiteral("unset"), QStringLiteral("annotation.ncbi_api_key")}).code, 0);
    }

    void aPluginThatDidNotLoadIsNamedAndItsKeysCanBeUnset()
    {
        // Values saved while the plugins loaded: the fixture plugin's initialize fails now, "gone" is not installed.
        {
            QSettings saved(m_dir.filePath(QStringLiteral("home/.config/BioForge/Workbench.conf")), QSettings::IniFormat);
            saved.setValue(QStringLiteral("plugins/failinginit"), QByteArray(R"({"token": "s3cret", "level": 2})"));
            saved.setValue(QStringLiteral("plugins/gone"), QByteArray(R"({"key": "zq-kept-value"})"));
        }
        m_pluginPath = QStringLiteral(BIOFORGE_BUILD_DIR "/tests/fixture-plugins");
        const Result list = run({QStringLiteral("settings")});
        QVERIFY2(list.code == 0 && list.out.contains(QStringLiteral("plugin 'failinginit' is not loaded: initialisation failed"))
                     && list.out.contains(QStringLiteral("its saved settings, not shown: level, token")) && !list.out.contains(QStringLiteral("s3cret")),
                 qPrintable(list.out + list.err));
        for (const QStringList& args : {QStringList{QStringLiteral("get"), QStringLiteral("failinginit.token")},
                                        QStringList{QStringLiteral("set"), QStringLiteral("failinginit.token"), QStringLiteral("x")}}) {
            const Result r = run(QStringList{QStringLiteral("settings")} + args);
            QVERIFY2(r.code == 6 && r.err.contains(QStringLiteral("plugin 'failinginit' is not loaded"))
                         && r.err.contains(QStringLiteral("bioforge settings unset failinginit.token")) && !r.err.contains(QStringLiteral("s3cret")),
                     qPrintable(r.err));
        }
        QCOMPARE(run({QStringLiteral("settings"), QStringLiteral("unset"), QStringLiteral("failinginit.token")}).code, 0);
        const Result again = run({QStringLiteral("settings"), QStringLiteral("unset"), QStringLiteral("failinginit.token")});
        QVERIFY2(again.code == 6 && again.err.contains(QStringLiteral("is not set")) && again.err.contains(QStringLiteral("its saved settings: level")),
                 qPrintable(again.err));
        const Result after = run({QStringLiteral("settings")});
        QVERIFY2(after.code == 0 && after.out.contains(QStringLiteral("its saved settings, not shown: level\n")) && !after.out.contains(QStringLiteral("token")),
                 qPrintable(after.out));
        // A plugin no longer installed: its saved key can be removed, not read.
        const Result gone = run({QStringLiteral("settings"), QStringLiteral("get"), QStringLiteral("gone.key")});
        QVERIFY2(gone.code == 6 && gone.err.contains(QStringLiteral("none of that name was found")) && !gone.err.contains(QStringLiteral("zq-kept-value")),
                 qPrintable(gone.err));
        QCOMPARE(run({QStringLiteral("settings"), QStringLiteral("unset"), QStringLiteral("gone.key")}).code, 0);
        QCOMPARE(run({QStringLiteral("settings"), QStringLiteral("unset"), QStringLiteral("gone.key")}).code, 6); // nothing saved now: no such setting
    }
};

QTEST_GUILESS_MAIN(TstCliSettings)
#include "tst_cli_settings.moc"
