// The model registry: import of a Hugging Face style folder with checksums,
// verification catching a changed file, persistence across instances.

#include "io/atomic_file.h"
#include "models/model_registry.h"
#include "runs/session.h"
#include "support/test_support.h"

#include <QDir>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonObject>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

#include <atomic>
#include <thread>

using namespace bioforge::core;
using namespace bioforge::test;

class TstModelRegistry : public QObject {
    Q_OBJECT
private slots:
    void importVerifyAndReload()
    {
        QTemporaryDir dir;
        const QString model = dir.filePath(QStringLiteral("esm2_small"));
        QVERIFY(writeAll(QDir(model).filePath(QStringLiteral("config.json")), "{\"hidden_size\": 64}"));
        QVERIFY(writeAll(QDir(model).filePath(QStringLiteral("model.safetensors")), QByteArray(1000, 'w')));
        QVERIFY(writeAll(QDir(model).filePath(QStringLiteral(".git/HEAD")), "ref"));
        const QString file = dir.filePath(QStringLiteral("models/registry.json"));
        {
            ModelRegistry reg(file);
            QVERIFY(reg.load());
            auto entry = reg.importFolder(QStringLiteral("esm2-test"), QStringLiteral("esm2"), model, QStringLiteral("r1"));
            QVERIFY2(entry, entry ? "" : qPrintable(entry.error().message()));
            QCOMPARE(entry->files.size(), 2); // .git is skipped
            QVERIFY(entry->file(QStringLiteral("config.json")));
            QCOMPARE(entry->combinedSha256().size(), 64);
            QVERIFY(reg.verify(QStringLiteral("esm2-test")));
            QVERIFY(reg.importFolder(QStringLiteral("dnabert-test"), QStringLiteral("dnabert"), model, QStringLiteral("r1")));
        }
        ModelRegistry again(file);
        QVERIFY(again.load());
        const auto entry = again.find(QStringLiteral("esm2-test"));
        QVERIFY(entry);
        QCOMPARE(entry->kind, QStringLiteral("esm2"));
        QCOMPARE(entry->revision, QStringLiteral("r1"));
        // What a "did you mean" offers: the names of one kind only.
        QCOMPARE(again.namesOfKind(QStringLiteral("esm2")), QStringList{QStringLiteral("esm2-test")});
        QCOMPARE(again.namesOfKind(QStringLiteral("dnabert")), QStringList{QStringLiteral("dnabert-test")});
        QVERIFY(again.namesOfKind(QStringLiteral("gguf")).isEmpty());
        // A changed weight file no longer verifies.
        QVERIFY(writeAll(QDir(model).filePath(QStringLiteral("model.safetensors")), QByteArray(1000, 'x')));
        auto st = again.verify(QStringLiteral("esm2-test"));
        QVERIFY(!st);
        QVERIFY(st.error().message().contains(QStringLiteral("SHA-256")));
        QVERIFY(again.remove(QStringLiteral("esm2-test")));
        QVERIFY(!again.find(QStringLiteral("esm2-test")));
        QVERIFY(!again.remove(QStringLiteral("esm2-test")));
    }

    // The check a run makes: a file whose time is the one recorded when it was hashed is not read;
    // a changed one is (size kept, content not), and so is one of an entry without times, which
    // `verify` then records. A download's unfinished files are never part of a model.
    void quickCheckReadsOnlyFilesWhoseTimeChanged()
    {
        QTemporaryDir dir;
        const QString model = dir.filePath(QStringLiteral("m"));
        const QString weights = QDir(model).filePath(QStringLiteral("model.safetensors"));
        QVERIFY(writeAll(weights, QByteArray(1000, 'w')));
        QVERIFY(writeAll(QDir(model).filePath(QStringLiteral("config.json")), "{}"));
        QVERIFY(writeAll(QDir(model).filePath(QStringLiteral("m.gguf.part")), ""));
        QVERIFY(writeAll(QDir(model).filePath(QStringLiteral("m.gguf.part.json")), "{}"));
        ModelRegistry reg(dir.filePath(QStringLiteral("r.json")));
        auto entry = reg.importFolder(QStringLiteral("m"), QStringLiteral("esm2"), model);
        QVERIFY2(entry, entry ? "" : qPrintable(entry.error().message()));
        QCOMPARE(entry->files.size(), 2);
        for (const ModelFile& f : entry->files)
            QCOMPARE(f.modifiedMs, QFileInfo(entry->filePath(f.path)).lastModified().toMSecsSinceEpoch());
        QVERIFY(entry->verifyFiles(true));

        // The same bytes written again (a new time): read, and they match.
        QVERIFY(writeAll(weights, QByteArray(1000, 'w')));
        QFile touched(weights);
        QVERIFY(touched.open(QIODevice::ReadWrite) && touched.setFileTime(QDateTime::currentDateTimeUtc().addSecs(-60), QFileDevice::FileModificationTime));
        touched.close();
        QList<ModelFile> hashed;
        QVERIFY(entry->verifyFiles(true, &hashed));
        QCOMPARE(hashed.size(), 1);
        QCOMPARE(hashed.first().path, QStringLiteral("model.safetensors"));
        // Other bytes of the same size: refused, named; with the recorded time forged back, the
        // quick check cannot see it (as make cannot) and the full one does.
        QVERIFY(writeAll(weights, QByteArray(1000, 'x')));
        QFile edited(weights); // its own time, whatever the clock's resolution
        QVERIFY(edited.open(QIODevice::ReadWrite) && edited.setFileTime(QDateTime::currentDateTimeUtc().addSecs(120), QFileDevice::FileModificationTime));
        edited.close();
        const Status changed = entry->verifyFiles(true);
        QVERIFY(!changed);
        QVERIFY2(changed.error().message().contains(QStringLiteral("model 'm': %1 has SHA-256").arg(weights)), qPrintable(changed.error().message()));
        ModelEntry forged = *entry;
        for (ModelFile& f : forged.files)
            f.modifiedMs = QFileInfo(forged.filePath(f.path)).lastModified().toMSecsSinceEpoch();
        QVERIFY(forged.verifyFiles(true));
        QVERIFY(!forged.verifyFiles(false));
        // Missing: NotFound.
        QVERIFY(QFile::remove(QDir(model).filePath(QStringLiteral("config.json"))));
        const Status missing = entry->verifyFiles(true);
        QVERIFY(!missing && missing.error().kind() == Error::Kind::NotFound);
        QVERIFY(writeAll(QDir(model).filePath(QStringLiteral("config.json")), "{}"));
        QVERIFY(writeAll(weights, QByteArray(1000, 'w')));

        // An entry of an older registry (no times): every file read; verify records the times.
        ModelEntry old = *reg.find(QStringLiteral("m"));
        for (ModelFile& f : old.files)
            f.modifiedMs = 0;
        QVERIFY(!old.toJson().value(QLatin1String("files")).toArray().first().toObject().contains(QLatin1String("modified_ms")));
        QVERIFY(reg.add(old));
        hashed.clear();
        QVERIFY(reg.find(QStringLiteral("m"))->verifyFiles(true, &hashed));
        QCOMPARE(hashed.size(), 2);
        QVERIFY(reg.verify(QStringLiteral("m")));
        ModelRegistry reloaded(dir.filePath(QStringLiteral("r.json")));
        QVERIFY(reloaded.load());
        hashed.clear();
        QVERIFY(reloaded.find(QStringLiteral("m"))->verifyFiles(true, &hashed));
        QCOMPARE(hashed.size(), 0);
    }

    void testModelsAreMarkedKeptAndFoundByPath()
    {
        QTemporaryDir dir;
        const QString model = dir.filePath(QStringLiteral("demo/tiny"));
        QVERIFY(writeAll(QDir(model).filePath(QStringLiteral("tiny.gguf")), QByteArray(100, 'g')));
        const QString other = dir.filePath(QStringLiteral("real"));
        QVERIFY(writeAll(QDir(other).filePath(QStringLiteral("real.gguf")), QByteArray(100, 'r')));
        const QString file = dir.filePath(QStringLiteral("models/registry.json"));
        QDateTime added;
        {
            ModelRegistry reg(file);
            QVERIFY(reg.load());
            auto entry = reg.registerTestModel(QStringLiteral("tiny-test"), QStringLiteral("gguf"), model);
            QVERIFY2(entry, entry ? "" : qPrintable(entry.error().message()));
            QVERIFY(entry->testModel);
            QVERIFY(entry->displayName().contains(QStringLiteral("TEST model")));
            added = entry->added;
            QVERIFY(reg.importFolder(QStringLiteral("real"), QStringLiteral("gguf"), other));
        }
        ModelRegistry again(file);
        QVERIFY(again.load());
        QVERIFY(again.find(QStringLiteral("tiny-test"))->testModel); // persisted
        QVERIFY(!again.find(QStringLiteral("real"))->testModel);
        QCOMPARE(again.find(QStringLiteral("real"))->displayName(), QStringLiteral("real"));
        // Registering the same folder again keeps the entry (no re-import:
        // it would fail here, with the folder's only file set aside).
        QVERIFY(QFile::rename(QDir(model).filePath(QStringLiteral("tiny.gguf")), dir.filePath(QStringLiteral("aside.gguf"))));
        auto kept = again.registerTestModel(QStringLiteral("tiny-test"), QStringLiteral("gguf"), model);
        QVERIFY2(kept, kept ? "" : qPrintable(kept.error().message()));
        QCOMPARE(kept->added.toString(Qt::ISODate), added.toString(Qt::ISODate));
        QVERIFY(QFile::rename(dir.filePath(QStringLiteral("aside.gguf")), QDir(model).filePath(QStringLiteral("tiny.gguf"))));
        // By name, by its folder, by a file in it; a real model or an unknown path is not one.
        QVERIFY(again.testModelFor(QStringLiteral("tiny-test")));
        QVERIFY(again.testModelFor(model));
        QVERIFY(again.testModelFor(QDir(model).filePath(QStringLiteral("tiny.gguf"))));
        QVERIFY(!again.testModelFor(QStringLiteral("real")));
        QVERIFY(!again.testModelFor(QDir(other).filePath(QStringLiteral("real.gguf"))));
        QVERIFY(!again.testModelFor(dir.filePath(QStringLiteral("demo/tinyish"))));
        QVERIFY(!again.testModelFor(QString()));
        // A TEST model imported as its one file, from a folder of others (Downloads): those others
        // are not TEST models (review 64); a link to the file registers the file it names.
        const QString downloads = dir.filePath(QStringLiteral("Downloads"));
        QVERIFY(writeAll(QDir(downloads).filePath(QStringLiteral("synth.gguf")), QByteArray("bioforge-synthetic-llama")));
        QVERIFY(writeAll(QDir(downloads).filePath(QStringLiteral("llama3.gguf")), QByteArray(100, 'l')));
        QVERIFY(QFile::link(QDir(downloads).filePath(QStringLiteral("synth.gguf")), dir.filePath(QStringLiteral("link.gguf"))));
        auto one = again.importFile(QStringLiteral("synth"), QStringLiteral("gguf"), dir.filePath(QStringLiteral("link.gguf")));
        QVERIFY2(one, one ? "" : qPrintable(one.error().message()));
        QVERIFY(one->testModel);
        QCOMPARE(one->root, QFileInfo(downloads).canonicalFilePath());
        QCOMPARE(one->files.size(), 1);
        QCOMPARE(one->files.first().path, QStringLiteral("synth.gguf"));
        QVERIFY(again.verify(QStringLiteral("synth")));
        QVERIFY(again.testModelFor(QDir(downloads).filePath(QStringLiteral("synth.gguf"))));
        QVERIFY(!again.testModelFor(QDir(downloads).filePath(QStringLiteral("llama3.gguf"))));
        QVERIFY(!again.importFile(QStringLiteral("x"), QStringLiteral("esm2"), QDir(downloads).filePath(QStringLiteral("llama3.gguf"))));
        // That folder imported as a gguf model: its top's GGUFs, not its subfolders' (review 64 F22);
        // the other files at its top counted.
        QVERIFY(writeAll(QDir(downloads).filePath(QStringLiteral("older/llama2.gguf")), QByteArray(100, 'o')));
        QVERIFY(writeAll(QDir(downloads).filePath(QStringLiteral("notes.txt")), "a note"));
        int skipped = -1;
        auto folder = again.importFolder(QStringLiteral("downloads"), QStringLiteral("gguf"), downloads, QString(), &skipped);
        QVERIFY2(folder, folder ? "" : qPrintable(folder.error().message()));
        QStringList files;
        for (const ModelFile& f : folder->files)
            files << f.path;
        QCOMPARE(files, (QStringList{QStringLiteral("llama3.gguf"), QStringLiteral("synth.gguf")}));
        QCOMPARE(skipped, 1);
    }

    void importRefusesEmptyOrMissingFolders()
    {
        QTemporaryDir dir;
        ModelRegistry reg(dir.filePath(QStringLiteral("r.json")));
        QVERIFY(!reg.importFolder(QStringLiteral("x"), QStringLiteral("k"), dir.filePath(QStringLiteral("nope"))));
        QDir().mkpath(dir.filePath(QStringLiteral("empty")));
        QVERIFY(!reg.importFolder(QStringLiteral("x"), QStringLiteral("k"), dir.filePath(QStringLiteral("empty"))));
    }

    void modelNamesThatWouldLeaveTheModelsFolderAreRefused()
    {
        QTemporaryDir dir;
        const QString model = dir.filePath(QStringLiteral("m"));
        QVERIFY(writeAll(QDir(model).filePath(QStringLiteral("config.json")), "{}"));
        ModelRegistry reg(dir.filePath(QStringLiteral("r.json")));
        for (const QString& name : {QStringLiteral("../../../../escape-test"), QStringLiteral("/abs"), QStringLiteral("a/b"), QStringLiteral(".."), QString()}) {
            auto entry = reg.importFolder(name, QStringLiteral("esm2"), model);
            QVERIFY2(!entry && entry.error().message().contains(QStringLiteral("model name")), qPrintable(name));
        }
        QVERIFY(reg.models().isEmpty());
    }

    void registryEntriesThatPointOutsideAreRefusedOnLoad_data()
    {
        QTest::addColumn<QByteArray>("entry");
        const QByteArray sha = QByteArray(64, 'a');
        QTest::newRow("name") << QByteArray("{\"name\": \"../x\", \"files\": [{\"path\": \"a\", \"sha256\": \"" + sha + "\"}]}");
        QTest::newRow("file traversal") << QByteArray("{\"name\": \"m\", \"files\": [{\"path\": \"../../etc/passwd\", \"sha256\": \"" + sha + "\"}]}");
        QTest::newRow("absolute file") << QByteArray("{\"name\": \"m\", \"files\": [{\"path\": \"/etc/passwd\", \"sha256\": \"" + sha + "\"}]}");
    }
    void registryEntriesThatPointOutsideAreRefusedOnLoad()
    {
        QFETCH(QByteArray, entry);
        QTemporaryDir dir;
        const QString file = dir.filePath(QStringLiteral("r.json"));
        // Written as the registry writes itself (so only the entry is wrong).
        {
            ModelRegistry reg(file);
            QVERIFY(reg.load());
            QVERIFY(writeAll(dir.filePath(QStringLiteral("m/x")), "1"));
            QVERIFY(reg.importFolder(QStringLiteral("ok"), QStringLiteral("k"), dir.filePath(QStringLiteral("m"))));
        }
        QByteArray text = readAll(file);
        const qsizetype models = text.indexOf("\"models\"");
        const qsizetype open = text.indexOf('[', models);
        text.insert(open + 1, entry + ',');
        QVERIFY(AtomicFile::write(file, text));
        ModelRegistry reg(file);
        const Status st = reg.load();
        QVERIFY(!st);
        QVERIFY2(st.error().message().contains(file), qPrintable(st.error().message()));
    }

    void corruptRegistryIsAnErrorNotAReset()
    {
        QTemporaryDir dir;
        const QString file = dir.filePath(QStringLiteral("r.json"));
        QVERIFY(writeAll(file, "{ broken"));
        ModelRegistry reg(file);
        QVERIFY(!reg.load());
        QCOMPARE(readAll(file), QByteArray("{ broken"));
        // Nor is it overwritten by a change (it would lose every entry the file held).
        QVERIFY(writeAll(dir.filePath(QStringLiteral("m/x")), "1"));
        auto imported = reg.importFolder(QStringLiteral("m"), QStringLiteral("k"), dir.filePath(QStringLiteral("m")));
        QVERIFY(!imported);
        QVERIFY2(imported.error().message().contains(QStringLiteral("the registry was not changed")), qPrintable(imported.error().message()));
        QCOMPARE(readAll(file), QByteArray("{ broken"));
    }

    // Each change keeps the file as it was (`.bak`); a file damaged later (a full disk, an editor
    // killed) is refused with the way back, which works (trial 24 T24-11).
    void aDamagedRegistrySaysTheWayBack()
    {
        QTemporaryDir dir;
        const QString file = dir.filePath(QStringLiteral("models/registry.json"));
        QVERIFY(writeAll(dir.filePath(QStringLiteral("m/x")), "1"));
        ModelRegistry reg(file);
        QVERIFY(reg.load());
        QVERIFY(reg.importFolder(QStringLiteral("first"), QStringLiteral("k"), dir.filePath(QStringLiteral("m"))));
        QVERIFY(!QFileInfo::exists(file + QStringLiteral(".bak"))); // nothing before the first
        QVERIFY(reg.importFolder(QStringLiteral("second"), QStringLiteral("k"), dir.filePath(QStringLiteral("m"))));
        QVERIFY(QFileInfo::exists(file + QStringLiteral(".bak")));
        QVERIFY(reg.loadProblem().isEmpty());
        const QByteArray whole = readAll(file);
        QVERIFY(writeAll(file, whole.left(whole.size() / 2))); // cut short
        const Status damaged = reg.load();
        QVERIFY(!damaged);
        QVERIFY2(damaged.error().message().contains(QStringLiteral("not a model registry"))
                     && damaged.error().message().contains(QStringLiteral("the copy kept before its last change (1 models) puts it back: cp '%1.bak' '%1'").arg(file)),
                 qPrintable(damaged.error().message()));
        QCOMPARE(reg.loadProblem(), damaged.error().message());
        QCOMPARE(reg.models().size(), 2); // what it held stays
        QVERIFY(QFile::remove(file) && QFile::copy(file + QStringLiteral(".bak"), file));
        QVERIFY(reg.load());
        QVERIFY(reg.loadProblem().isEmpty());
        QCOMPARE(reg.models().size(), 1);
        // No copy to go back to: move it away and import again.
        QVERIFY(writeAll(file, "{ broken") && QFile::remove(file + QStringLiteral(".bak")));
        const Status alone = reg.load();
        QVERIFY2(!alone && alone.error().message().contains(QStringLiteral("move it away (mv '%1' '%1.damaged') and import the models again").arg(file)),
                 qPrintable(alone.error().message()));
    }

    // Two programs holding the registry change it one after the other: each change is made to the
    // file as it is then, so neither entry is lost.
    void changesFromTwoHoldersKeepEachOthersEntries()
    {
        QTemporaryDir dir;
        const QString file = dir.filePath(QStringLiteral("r.json"));
        QVERIFY(writeAll(dir.filePath(QStringLiteral("a/x")), "1"));
        QVERIFY(writeAll(dir.filePath(QStringLiteral("b/x")), "2"));
        ModelRegistry first(file), second(file);
        QVERIFY(first.load() && second.load());
        QVERIFY(first.importFolder(QStringLiteral("a"), QStringLiteral("k"), dir.filePath(QStringLiteral("a"))));
        QVERIFY(second.importFolder(QStringLiteral("b"), QStringLiteral("k"), dir.filePath(QStringLiteral("b"))));
        ModelRegistry reader(file);
        QVERIFY(reader.load());
        QVERIFY(reader.find(QStringLiteral("a")) && reader.find(QStringLiteral("b")));
        QVERIFY(first.remove(QStringLiteral("b")));
        QVERIFY(reader.load());
        QVERIFY(reader.find(QStringLiteral("a")) && !reader.find(QStringLiteral("b")));
        QCOMPARE(second.remove(QStringLiteral("b")).error().kind(), Error::Kind::NotFound);
        // Times recorded from what one holder read do not bring back an entry another replaced.
        const ModelEntry before = *first.find(QStringLiteral("a"));
        QList<ModelFile> hashed;
        QVERIFY(before.verifyFiles(false, &hashed) && hashed.size() == 1);
        QVERIFY(writeAll(dir.filePath(QStringLiteral("a2/y")), "other"));
        QVERIFY(second.load() && second.importFolder(QStringLiteral("a"), QStringLiteral("k"), dir.filePath(QStringLiteral("a2"))));
        QVERIFY(first.recordTimes(QStringLiteral("a"), hashed));
        QVERIFY(reader.load());
        QCOMPARE(reader.find(QStringLiteral("a"))->root, QFileInfo(dir.filePath(QStringLiteral("a2"))).canonicalFilePath());
        QCOMPARE(reader.find(QStringLiteral("a"))->files.first().path, QStringLiteral("y"));
    }

    // Read on a worker while another thread reloads it (the window reloads it when another program
    // changes the file; a cluster run's planning reads it on a worker: review 67 R67-1): every read
    // sees a whole list. Under the sanitizers, a race would show.
    void readsWhileItReloadsAreSafe()
    {
        QTemporaryDir dir;
        const QString file = dir.filePath(QStringLiteral("r.json"));
        QVERIFY(writeAll(dir.filePath(QStringLiteral("a/x")), "1"));
        ModelRegistry registry(file);
        QVERIFY(registry.load() && registry.importFolder(QStringLiteral("a"), QStringLiteral("k"), dir.filePath(QStringLiteral("a"))));
        std::atomic<bool> done{false};
        std::atomic<int> found{0};
        std::thread reader([&] {
            while (!done.load())
                found += registry.find(QStringLiteral("a")).has_value() && registry.models().size() == 1 ? 1 : 0;
        });
        for (int i = 0; i < 300 || (found.load() == 0 && i < 1000000); ++i) // until the reader has read too
            QVERIFY(registry.load());
        done = true;
        reader.join();
        QVERIFY(found.load() > 0);
    }

    // The window's session (Options::watchModelRegistry) sees what another program imported or
    // removed: the registry is read again and modelsChanged emitted (trial 22 T22-6: the Chat page
    // offered a terminal's import only after a restart). The registry's folder need not exist yet.
    void aWatchingSessionSeesAnotherProgramsChanges()
    {
        QTemporaryDir dir;
        const QString file = dir.filePath(QStringLiteral("models/registry.json"));
        Session::Options options;
        options.modelRegistryFile = file;
        options.pluginPaths = {dir.filePath(QStringLiteral("no-plugins"))};
        options.watchModelRegistry = true;
        Session session(options);
        QSignalSpy changed(&session, &Session::modelsChanged);
        QVERIFY(writeAll(dir.filePath(QStringLiteral("a/x")), "1"));
        ModelRegistry terminal(file);
        QVERIFY(terminal.load() && terminal.importFolder(QStringLiteral("a"), QStringLiteral("k"), dir.filePath(QStringLiteral("a"))));
        QTRY_VERIFY(session.models().find(QStringLiteral("a")));
        QVERIFY(changed.count() >= 1);
        const qsizetype before = changed.count();
        QVERIFY(terminal.remove(QStringLiteral("a")));
        QTRY_VERIFY(!session.models().find(QStringLiteral("a")));
        QVERIFY(changed.count() > before);
    }
};

QTEST_GUILESS_MAIN(TstModelRegistry)
#include "tst_model_registry.moc"
