// `bioforge models` through the real program: import checks a folder's kind
// and files; a name is not replaced silently; remove deletes only what
// `models download` fetched for that name; imports at once are all kept and a
// broken registry is not overwritten (docs/cli.md, docs/models.md).

#include "cli_test_base.h"
#include "support/loopback_http_server.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

using namespace bioforge::test;

class TstCliModels : public CliTestBase {
    Q_OBJECT

private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        QVERIFY(writeAll(path("contigs.fa"), ">c1\nACGTACGTACGTACGTACGTACGTACGTACGT\n")); // a file where a folder is expected
        // An empty registry says how to fill it (it printed only its path).
        const Result empty = run({QStringLiteral("models"), QStringLiteral("list")});
        QVERIFY2(empty.code == 0 && empty.out.contains(QStringLiteral("no models yet: bioforge models import NAME KIND FOLDER (a gguf model: its FILE.gguf too; KIND: ")), qPrintable(empty.out));
    }

    // A GGUF that `bioforge llm synth-model` wrote (random weights) is a TEST model whoever imports
    // it; a one-file model is listed with that file's SHA-256, the one a publisher gives (the checksum
    // of the files' checksums read as a mismatch: trial 19).
    void aSynthesizedGgufIsATestModelListedByItsFilesChecksum()
    {
        const QString folder = path("synth-gguf");
        QVERIFY(QDir().mkpath(folder));
        const QByteArray bytes = QByteArray("GGUF\x03\0\0\0", 8) + QByteArray(40, '\0') + "general.name" + QByteArray(4, '\0') + "bioforge-synthetic-llama-F32";
        QVERIFY(writeAll(folder + QStringLiteral("/synth.gguf"), bytes));
        const Result imported = run({QStringLiteral("models"), QStringLiteral("import"), QStringLiteral("synth"), QStringLiteral("gguf"), folder});
        QVERIFY2(imported.code == 0 && imported.out.contains(QStringLiteral("registered synth — TEST model (random weights)")), qPrintable(imported.out + imported.err));
        const QString sha = QString::fromLatin1(QCryptographicHash::hash(bytes, QCryptographicHash::Sha256).toHex());
        const QString listed = run({QStringLiteral("models"), QStringLiteral("list")}).out;
        QVERIFY2(listed.contains(QStringLiteral("synth — TEST model (random weights)  gguf  rev -  1 file  sha256 %1…").arg(sha.left(16))), qPrintable(listed));
        const QString real = path("real-gguf");
        QVERIFY(QDir().mkpath(real) && writeAll(real + QStringLiteral("/model.gguf"), QByteArray("GGUF\x03\0\0\0", 8) + "general.name" + "Llama 3"));
        // A GGUF beside other files (a Downloads folder): the folder's import registers the .gguf
        // only and says what it left; deleting a note then leaves the model whole (trial 19).
        QVERIFY(writeAll(real + QStringLiteral("/notes.txt"), "where it came from") && writeAll(real + QStringLiteral("/other.fa"), ">c\nACGT\n"));
        const Result folderImport = run({QStringLiteral("models"), QStringLiteral("import"), QStringLiteral("real"), QStringLiteral("gguf"), real});
        QVERIFY2(folderImport.code == 0 && folderImport.out.contains(QStringLiteral("registered real: 1 file (model.gguf"))
                     && folderImport.out.contains(QStringLiteral("2 other files in %1 are not the model's (*.gguf) and were not registered").arg(real)),
                 qPrintable(folderImport.out + folderImport.err));
        QVERIFY2(!run({QStringLiteral("models"), QStringLiteral("list")}).out.contains(QStringLiteral("real — TEST")), "a published model is not a TEST one");
        QVERIFY(QFile::remove(real + QStringLiteral("/notes.txt")));
        QCOMPARE(run({QStringLiteral("models"), QStringLiteral("verify"), QStringLiteral("real")}).code, 0);
        // A GGUF is one file: imported as that file (it was refused: "not a folder").
        const Result fileImport = run({QStringLiteral("models"), QStringLiteral("import"), QStringLiteral("one"), QStringLiteral("gguf"), folder + QStringLiteral("/synth.gguf")});
        QVERIFY2(fileImport.code == 0 && fileImport.out.contains(QStringLiteral("registered one — TEST model (random weights): 1 file (synth.gguf, SHA-256 %1)").arg(sha)),
                 qPrintable(fileImport.out + fileImport.err));
        const Result notGguf = run({QStringLiteral("models"), QStringLiteral("import"), QStringLiteral("two"), QStringLiteral("gguf"), real + QStringLiteral("/other.fa")});
        QVERIFY2(notGguf.code == 2 && notGguf.err.contains(QStringLiteral("a gguf model is imported as its *.gguf file or the folder")), qPrintable(notGguf.err));
        // Through a link (a Hugging Face cache's snapshot links to its blob): the file it names is
        // registered, and verifies (the link's name in the target's folder did not: review 64).
        const QString links = path("hf-cache/snapshots/abc");
        QVERIFY(QDir().mkpath(links));
        QVERIFY(QFile::link(real + QStringLiteral("/model.gguf"), links + QStringLiteral("/llama.gguf")));
        const Result linked = run({QStringLiteral("models"), QStringLiteral("import"), QStringLiteral("linked"), QStringLiteral("gguf"), links + QStringLiteral("/llama.gguf")});
        QVERIFY2(linked.code == 0 && linked.out.contains(QStringLiteral("1 file (model.gguf")), qPrintable(linked.out + linked.err));
        QCOMPARE(run({QStringLiteral("models"), QStringLiteral("verify"), QStringLiteral("linked")}).code, 0);
        // Another GGUF of the same folder under a registered name is another model: refused.
        QVERIFY(writeAll(real + QStringLiteral("/second.gguf"), QByteArray("GGUF\x03\0\0\0", 8) + "general.name" + "Other"));
        const Result other = run({QStringLiteral("models"), QStringLiteral("import"), QStringLiteral("linked"), QStringLiteral("gguf"), real + QStringLiteral("/second.gguf")});
        QVERIFY2(other.code == 2 && other.err.contains(QStringLiteral("a model named 'linked' is registered already")), qPrintable(other.out + other.err));
        // Removed, its folder stays, with the other model registered there said as such.
        const Result removed = run({QStringLiteral("models"), QStringLiteral("remove"), QStringLiteral("linked")});
        QVERIFY2(removed.code == 0 && removed.out.contains(QStringLiteral("(another registered model's files are in that folder)")), qPrintable(removed.out + removed.err));
        QVERIFY(QFileInfo::exists(real + QStringLiteral("/model.gguf")));
    }

    void importChecksTheKindAndItsFiles()
    {
        const QString esm = modelFolder("esm-ok", {QStringLiteral("config.json"), QStringLiteral("model.safetensors"), QStringLiteral("vocab.txt")});
        const Result unknownKind = run({QStringLiteral("models"), QStringLiteral("import"), QStringLiteral("m1"), QStringLiteral("nosuchkind"), esm});
        QCOMPARE(unknownKind.code, 2);
        QVERIFY2(unknownKind.err.contains(QStringLiteral("unknown model kind 'nosuchkind'")) && unknownKind.err.contains(QStringLiteral("esm2")),
                 qPrintable(unknownKind.err));
        const QString partial = modelFolder("dnabert-partial", {QStringLiteral("config.json"), QStringLiteral("notes.csv")});
        const Result lacking = run({QStringLiteral("models"), QStringLiteral("import"), QStringLiteral("m2"), QStringLiteral("dnabert-s"), partial});
        QCOMPARE(lacking.code, 6);
        QVERIFY2(lacking.err.contains(QStringLiteral("model.safetensors, tokenizer.json")), qPrintable(lacking.err));
        const Result aFile = run({QStringLiteral("models"), QStringLiteral("import"), QStringLiteral("m3"), QStringLiteral("esm2"), path("contigs.fa")});
        QCOMPARE(aFile.code, 2);
        QVERIFY2(aFile.err.contains(QStringLiteral("not a folder; a esm2 model is imported as the folder that holds its files (config.json, model.safetensors, vocab.txt)")),
                 qPrintable(aFile.err));
        const QString models = run({QStringLiteral("models"), QStringLiteral("list")}).out;
        // `models list --jsn` (a script asking for JSON) printed the text and succeeded.
        for (const char* extra : {"--jsn", "extra"}) {
            const Result refused = run({QStringLiteral("models"), QStringLiteral("list"), QLatin1String(extra)});
            QVERIFY2(refused.code == 2 && refused.err.contains(QLatin1String(extra)) && refused.out.isEmpty(), qPrintable(refused.err));
        }
        // The other subcommands refuse an option they do not take (`verify X --json` looked up a model
        // named --json; `download … --json` saved the file as --json).
        for (const QStringList& args : {QStringList{QStringLiteral("verify"), QStringLiteral("x"), QStringLiteral("--json")},
                                        QStringList{QStringLiteral("remove"), QStringLiteral("--json"), QStringLiteral("x")},
                                        QStringList{QStringLiteral("download"), QStringLiteral("x"), QStringLiteral("esm2"), QStringLiteral("http://127.0.0.1:1/m"),
                                                    QString(64, QLatin1Char('a')), QStringLiteral("--json")}}) {
            const Result refused = run(QStringList{QStringLiteral("models")} + args);
            QVERIFY2(refused.code == 2 && refused.err.contains(QStringLiteral("unknown option '--json'")), qPrintable(args.join(QLatin1Char(' ')) + QStringLiteral(": ") + refused.err));
        }
        QVERIFY2(!models.contains(QStringLiteral("m1 ")) && !models.contains(QStringLiteral("m2 ")) && !models.contains(QStringLiteral("m3 ")), qPrintable(models));
        const Result ok = run({QStringLiteral("models"), QStringLiteral("import"), QStringLiteral("esm-dummy"), QStringLiteral("esm2"), esm});
        QVERIFY2(ok.code == 0, qPrintable(ok.err));
        // As JSON for a script: each file with its checksum, the model checksum the text gives (cut) whole.
        const Result asJson = run({QStringLiteral("models"), QStringLiteral("list"), QStringLiteral("--json")});
        const QJsonObject listed = QJsonDocument::fromJson(asJson.out.toUtf8()).object();
        QVERIFY2(asJson.code == 0 && listed.value(QLatin1String("models")).isArray(), qPrintable(asJson.out + asJson.err));
        bool found = false;
        for (const QJsonValue& v : listed.value(QLatin1String("models")).toArray()) {
            const QJsonObject m = v.toObject();
            if (m.value(QLatin1String("name")).toString() != QLatin1String("esm-dummy"))
                continue;
            found = true;
            QCOMPARE(m.value(QLatin1String("kind")).toString(), QStringLiteral("esm2"));
            QVERIFY(m.value(QLatin1String("revision")).isNull() || m.value(QLatin1String("revision")).isString());
            const QString checksum = m.value(QLatin1String("model_sha256")).toString();
            QVERIFY2(checksum.size() == 64 && run({QStringLiteral("models"), QStringLiteral("list")}).out.contains(checksum.left(16)), qPrintable(checksum));
            // Under the keys a run's provenance (`show`) gives the same facts: the model's sha256, each
            // file's name (its path in the model), absolute path and size.
            QCOMPARE(m.value(QLatin1String("sha256")).toString(), checksum);
            const QJsonArray files = m.value(QLatin1String("files")).toArray();
            QVERIFY(!files.isEmpty());
            for (const QJsonValue& v : files) {
                const QJsonObject f = v.toObject();
                const QFileInfo file(f.value(QLatin1String("path")).toString());
                QVERIFY2(f.value(QLatin1String("sha256")).toString().size() == 64 && file.isAbsolute() && file.exists(), qPrintable(file.filePath()));
                QCOMPARE(f.value(QLatin1String("size")).toInteger(-1), file.size());
                QCOMPARE(f.value(QLatin1String("bytes")).toInteger(-1), file.size());
                QCOMPARE(QDir(m.value(QLatin1String("root")).toString()).relativeFilePath(file.filePath()), f.value(QLatin1String("name")).toString());
            }
        }
        QVERIFY2(found, qPrintable(asJson.out));
    }

    // A registered name is not replaced by another kind or folder without a word; the same folder
    // again is an update that says so. A download needs an http(s) URL and a SHA-256, checked first.
    void aModelNameIsNotReplacedSilently()
    {
        const QString gguf = modelFolder("gguf-one", {QStringLiteral("m.gguf")});
        QCOMPARE(run({QStringLiteral("models"), QStringLiteral("import"), QStringLiteral("kept"), QStringLiteral("gguf"), gguf, QStringLiteral("--revision"),
                      QStringLiteral("v2")}).code, 0);
        const QString esm = modelFolder("esm-other", {QStringLiteral("config.json"), QStringLiteral("model.safetensors"), QStringLiteral("vocab.txt")});
        const Result otherKind = run({QStringLiteral("models"), QStringLiteral("import"), QStringLiteral("kept"), QStringLiteral("esm2"), esm});
        QCOMPARE(otherKind.code, 2);
        QVERIFY2(otherKind.err.contains(QStringLiteral("a model named 'kept' is registered already (kind gguf, revision v2"))
                     && otherKind.err.contains(QStringLiteral("bioforge models remove kept")),
                 qPrintable(otherKind.err));
        const QString gguf2 = modelFolder("gguf-two", {QStringLiteral("m.gguf")});
        QCOMPARE(run({QStringLiteral("models"), QStringLiteral("import"), QStringLiteral("kept"), QStringLiteral("gguf"), gguf2}).code, 2);
        const Result again = run({QStringLiteral("models"), QStringLiteral("import"), QStringLiteral("kept"), QStringLiteral("gguf"), gguf});
        QVERIFY2(again.code == 0 && again.out.contains(QStringLiteral("registered kept again: 1 file (m.gguf, SHA-256 "))
                     && again.out.contains(QStringLiteral("it was revision v2, the same files")),
                 qPrintable(again.out + again.err));
        QVERIFY(run({QStringLiteral("models"), QStringLiteral("list")}).out.contains(QStringLiteral("kept  gguf")));

        const QString sha(64, QLatin1Char('a'));
        for (const QString& url : {QStringLiteral("ftp://example.org/m.gguf"), path("gguf-one/m.gguf"), QStringLiteral("file:///tmp/m.gguf")}) {
            const Result notHttp = run({QStringLiteral("models"), QStringLiteral("download"), QStringLiteral("dl"), QStringLiteral("gguf"), url, sha});
            QVERIFY2(notHttp.code == 2 && notHttp.err.contains(QStringLiteral("not an http(s) URL")) && notHttp.err.contains(QStringLiteral("models import")),
                     qPrintable(url + QLatin1Char(' ') + notHttp.err));
        }
        const Result notSha = run({QStringLiteral("models"), QStringLiteral("download"), QStringLiteral("dl"), QStringLiteral("gguf"),
                                   QStringLiteral("http://127.0.0.1:9/m.gguf"), QStringLiteral("nothex")});
        QVERIFY2(notSha.code == 2 && notSha.err.contains(QStringLiteral("'nothex' is not a SHA-256")), qPrintable(notSha.err));
        // A GGUF saved under a name that is not *.gguf is refused before the transfer (it failed after it).
        const Result notGguf = run({QStringLiteral("models"), QStringLiteral("download"), QStringLiteral("dl"), QStringLiteral("gguf"),
                                    QStringLiteral("http://127.0.0.1:9/get"), sha});
        QVERIFY2(notGguf.code == 2 && notGguf.err.contains(QStringLiteral("a gguf model is one file named *.gguf; 'get' (the URL's last part) is not"))
                     && notGguf.err.contains(QStringLiteral("<sha256> dl.gguf")),
                 qPrintable(notGguf.err));
        const Result namedBin = run({QStringLiteral("models"), QStringLiteral("download"), QStringLiteral("dl"), QStringLiteral("gguf"),
                                     QStringLiteral("http://127.0.0.1:9/m.gguf"), sha, QStringLiteral("model.bin")});
        QVERIFY2(namedBin.code == 2 && namedBin.err.contains(QStringLiteral("'model.bin' is not")), qPrintable(namedBin.err));
        QVERIFY(!run({QStringLiteral("models"), QStringLiteral("list")}).out.contains(QStringLiteral("dl  gguf")));
    }

    // `models remove` deletes the folder `models download` made for the model (it is the
    // workbench's), keeps it with --keep-files, and never touches a folder the user imported.
    void removeDeletesWhatItDownloadedOnly()
    {
        bioforge::test::LoopbackHttpServer server;
        QVERIFY(server.start());
        const QByteArray weights("GGUF-like bytes of a downloaded model");
        server.serve(QStringLiteral("/m.gguf"), weights);
        const QString sha = QString::fromLatin1(QCryptographicHash::hash(weights, QCryptographicHash::Sha256).toHex());
        static const QRegularExpression where(QStringLiteral("registered \\S+ in (.+)\n"));
        QString roots[2];
        for (int i = 0; i < 2; ++i) {
            const Result got = runServing({QStringLiteral("models"), QStringLiteral("download"), QStringLiteral("fetched-%1").arg(i), QStringLiteral("gguf"),
                                           server.url(QStringLiteral("/m.gguf")), sha});
            QVERIFY2(got.code == 0, qPrintable(got.err));
            roots[i] = where.match(got.out).captured(1).trimmed();
            QVERIFY2(QFileInfo(QDir(roots[i]).filePath(QStringLiteral("m.gguf"))).isFile(), qPrintable(got.out));
        }
        const Result gone = run({QStringLiteral("models"), QStringLiteral("remove"), QStringLiteral("fetched-0")});
        QVERIFY2(gone.code == 0 && gone.out.contains(QStringLiteral("its downloaded files in %1 were deleted").arg(roots[0])), qPrintable(gone.out + gone.err));
        QVERIFY(!QFileInfo::exists(roots[0]));
        const Result kept = run({QStringLiteral("models"), QStringLiteral("remove"), QStringLiteral("fetched-1"), QStringLiteral("--keep-files")});
        QVERIFY2(kept.code == 0 && kept.out.contains(QStringLiteral("its files stay in %1 (--keep-files)").arg(roots[1])), qPrintable(kept.out + kept.err));
        QVERIFY(QFileInfo(QDir(roots[1]).filePath(QStringLiteral("m.gguf"))).isFile());
        const QString mine = modelFolder("imported-by-hand", {QStringLiteral("m.gguf")});
        QCOMPARE(run({QStringLiteral("models"), QStringLiteral("import"), QStringLiteral("by-hand"), QStringLiteral("gguf"), mine}).code, 0);
        const Result imported = run({QStringLiteral("models"), QStringLiteral("remove"), QStringLiteral("by-hand")});
        QVERIFY2(imported.code == 0 && imported.out.contains(QStringLiteral("its files stay in %1").arg(QFileInfo(mine).canonicalFilePath())),
                 qPrintable(imported.out + imported.err));
        QVERIFY(QFileInfo(QDir(mine).filePath(QStringLiteral("m.gguf"))).isFile());
        // A folder the user made inside the models folder and imported is still the user's.
        const QString inside = QDir(QFileInfo(roots[1]).absolutePath()).filePath(QStringLiteral("made-by-hand"));
        QVERIFY(writeAll(QDir(inside).filePath(QStringLiteral("m.gguf")), "x"));
        QCOMPARE(run({QStringLiteral("models"), QStringLiteral("import"), QStringLiteral("made-by-hand"), QStringLiteral("gguf"), inside}).code, 0);
        const Result kept2 = run({QStringLiteral("models"), QStringLiteral("remove"), QStringLiteral("made-by-hand")});
        QVERIFY2(kept2.code == 0 && kept2.out.contains(QStringLiteral("its files stay in")), qPrintable(kept2.out + kept2.err));
        QVERIFY(QFileInfo(QDir(inside).filePath(QStringLiteral("m.gguf"))).isFile());
    }

    // Imports started at once (a script's `&`) all land in the registry; a registry that cannot be
    // read is an error for `models list` (5), and an import does not overwrite it.
    void importsAtOnceAreAllKeptAndABrokenRegistryIsNotOverwritten()
    {
        QList<QProcess*> imports;
        for (int i = 0; i < 5; ++i) {
            auto* p = new QProcess(this);
            p->setProcessEnvironment(env());
            p->start(binPath(QStringLiteral("bioforge")), {QStringLiteral("--project"), project(), QStringLiteral("models"), QStringLiteral("import"),
                                                          QStringLiteral("at-once-%1").arg(i), QStringLiteral("gguf"),
                                                          modelFolder(qPrintable(QStringLiteral("at-once-%1").arg(i)), {QStringLiteral("m.gguf")})});
            imports << p;
        }
        for (QProcess* p : imports) {
            QVERIFY(p->waitForFinished(120000));
            QVERIFY2(p->exitCode() == 0, p->readAllStandardError().constData());
        }
        qDeleteAll(imports);
        const QString listed = run({QStringLiteral("models"), QStringLiteral("list")}).out;
        for (int i = 0; i < 5; ++i)
            QVERIFY2(listed.contains(QStringLiteral("at-once-%1  gguf").arg(i)), qPrintable(listed));
        const QString registry = listed.section(QLatin1Char('\n'), 0, 0).section(QLatin1Char(' '), 1);
        const QByteArray whole = readAll(registry);
        QVERIFY(writeAll(registry, whole.left(whole.size() / 2)));
        const Result broken = run({QStringLiteral("models"), QStringLiteral("list")});
        QCOMPARE(broken.code, 5);
        const Result import = run({QStringLiteral("models"), QStringLiteral("import"), QStringLiteral("late"), QStringLiteral("gguf"), path("at-once-0")});
        QVERIFY(import.code != 0);
        QCOMPARE(readAll(registry), whole.left(whole.size() / 2));
        // A run naming a registered model says the registry could not be read and the way back, not
        // "no model named …, import it" (trial 24 T24-11).
        QVERIFY(writeAll(path("one.fa"), ">c1\nACGTACGTACGTACGTACGTACGTACGTACGT\n"));
        for (const QStringList& command : {QStringList{QStringLiteral("llm"), QStringLiteral("generate"), QStringLiteral("at-once-1"), QStringLiteral("--prompt"),
                                                       QStringLiteral("hi")},
                                           QStringList{QStringLiteral("run"), QStringLiteral("viral"), QStringLiteral("predict"), path("one.fa"),
                                                       QStringLiteral("--dnabert"), QStringLiteral("at-once-1")}}) {
            const Result refused = run(command);
            QVERIFY2(refused.code != 0 && refused.err.contains(QStringLiteral("the model registry could not be read"))
                         && refused.err.contains(QStringLiteral("puts it back: cp '%1.bak'").arg(registry)),
                     qPrintable(refused.err));
        }
        QVERIFY(writeAll(registry, whole));
    }
};

QTEST_GUILESS_MAIN(TstCliModels)
#include "tst_cli_models.moc"
