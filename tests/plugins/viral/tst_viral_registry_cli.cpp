// `bioforge run viral …` with registered models: a folder named as a
// registered classifier shadows it and says so; a registered model whose files
// changed is refused before anything is computed, and runs again once put back.

#include "io/sha256.h"
#include "models/model_entry.h"
#include "viral_cli_test.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QtTest>

using namespace bioforge;
using namespace bioforge::test;

class TstViralRegistryCli : public ViralCliTest {
    Q_OBJECT

private slots:
    void initTestCase() { writeInputs(); }

    // A folder in the current folder named as a registered classifier comes first (viral.md); its
    // refusal says that it shadows the registered model, which is used from any other folder.
    void aFolderShadowingARegisteredModelIsSaid()
    {
        const QString imported = m_dir.filePath(QStringLiteral("shadow/mycls"));
        QVERIFY(QDir().mkpath(imported));
        for (const QString& suffix : {QStringLiteral(".safetensors"), QStringLiteral(".json")})
            QVERIFY(QFile::copy(m_classifier.chopped(12) + suffix, imported + QStringLiteral("/classifier") + suffix));
        const QString project = m_dir.filePath(QStringLiteral("shadow/project"));
        const Result registered = run({QStringLiteral("--project"), project, QStringLiteral("models"), QStringLiteral("import"), QStringLiteral("mycls"),
                                       QStringLiteral("virnucpro-classifier"), imported});
        QVERIFY2(registered.code == 0, qPrintable(registered.err));
        QStringList args = QStringList{QStringLiteral("--project"), project, QStringLiteral("run"), QStringLiteral("viral"), QStringLiteral("validate")} + models();
        args[args.indexOf(QStringLiteral("--classifier")) + 1] = QStringLiteral("mycls");
        const Result shadowed = run(args, m_dir.filePath(QStringLiteral("shadow")));
        QVERIFY2(shadowed.code == 2 && shadowed.err.contains(QStringLiteral("the folder 'mycls' in this folder shadows the registered model 'mycls'")),
                 qPrintable(shadowed.err));
        const Result elsewhere = run(args, m_dir.path());
        QVERIFY2(elsewhere.code == 0, qPrintable(elsewhere.err));
    }

    // A registered model whose files changed (an in-place update, a bad copy; the same size) is
    // refused by the run, named, before anything is computed or cached with it; put back, it
    // runs, and its results are those of the model as registered.
    void aRegisteredModelThatChangedIsRefused()
    {
        const QString esm = m_dir.filePath(QStringLiteral("my-esm"));
        QVERIFY(QDir().mkpath(esm));
        for (const QString& f : QDir(fixturePath(QStringLiteral("viral/esm2_tiny"))).entryList(QDir::Files))
            QVERIFY(QFile::copy(fixturePath(QStringLiteral("viral/esm2_tiny/") + f), QDir(esm).filePath(f)));
        const QString project = m_dir.filePath(QStringLiteral("registered"));
        const Result imported = run({QStringLiteral("--project"), project, QStringLiteral("models"), QStringLiteral("import"), QStringLiteral("my-esm"),
                                     QStringLiteral("esm2"), esm});
        QVERIFY2(imported.code == 0, qPrintable(imported.err));
        const QString fasta = m_dir.filePath(QStringLiteral("three.fa"));
        QFile f(fasta);
        QVERIFY(f.open(QIODevice::WriteOnly));
        for (uint32_t i = 0; i < 3; ++i)
            f.write(">r" + QByteArray::number(i) + "\n" + QByteArray::fromStdString(viral::ValidateJob::syntheticContig(400, 90 + i)) + "\n");
        f.close();
        QStringList args = QStringList{QStringLiteral("--project"), project, QStringLiteral("run"), QStringLiteral("viral"), QStringLiteral("predict"), fasta} + models();
        args[args.indexOf(QStringLiteral("--esm")) + 1] = QStringLiteral("my-esm");
        const Result first = run(args);
        QVERIFY2(first.code == 0, qPrintable(first.err));
        // Provenance lists each model's files with their own SHA-256 (what sha256sum says of the file at
        // that path) beside the model checksum, which is theirs combined: registered (my-esm) or given by path.
        const QJsonObject record = QJsonDocument::fromJson(readAll(QDir(project).filePath(QStringLiteral("runs/%1/provenance.json").arg(runIdFrom(first.out)))))
                                       .object();
        const QJsonArray modelsRecorded = record.value(QLatin1String("models")).toArray();
        QCOMPARE(modelsRecorded.size(), 3);
        for (const QJsonValue& v : modelsRecorded) {
            const QJsonObject model = v.toObject();
            const QJsonArray files = model.value(QLatin1String("files")).toArray();
            QVERIFY2(!files.isEmpty(), qPrintable(model.value(QLatin1String("name")).toString()));
            core::ModelEntry combined;
            for (const QJsonValue& f : files) {
                const QString path = f.toObject().value(QLatin1String("path")).toString();
                const QString sha256 = f.toObject().value(QLatin1String("sha256")).toString();
                QCOMPARE(sha256, core::Sha256::ofFile(path).valueOr(QString()));
                QCOMPARE(f.toObject().value(QLatin1String("size")).toInteger(), QFileInfo(path).size());
                combined.files.append({f.toObject().value(QLatin1String("name")).toString(), 0, sha256, QString()});
            }
            QCOMPARE(model.value(QLatin1String("sha256")).toString(), combined.combinedSha256());
        }
        const Result listed = run({QStringLiteral("--project"), project, QStringLiteral("models"), QStringLiteral("list")});
        QVERIFY2(listed.out.contains(QStringLiteral("my-esm")) && listed.out.contains(QStringLiteral("model checksum")), qPrintable(listed.out));
        // The report says which checksum is whose: the model's, then each file's own.
        const QString html = m_dir.filePath(QStringLiteral("registered.html"));
        const Result reported = run({QStringLiteral("--project"), project, QStringLiteral("report"), runIdFrom(first.out), QStringLiteral("--html"), html});
        QVERIFY2(reported.code == 0, qPrintable(reported.err));
        const QByteArray page = readAll(html);
        QCOMPARE(page.count("(model checksum: of its files' SHA-256s, below)"), qsizetype(3));
        // The frames scored against the six each chunk is translated in.
        const QJsonObject summary = QJsonDocument::fromJson(readAll(QDir(project).filePath(QStringLiteral("runs/%1/summary.json").arg(runIdFrom(first.out))))).object();
        const QString scored = QStringLiteral("%1 of their %2 reading frames scored").arg(summary.value(QLatin1String("frames")).toInt()).arg(6 * summary.value(QLatin1String("chunks")).toInt());
        QVERIFY2(summary.value(QLatin1String("chunks")).toInt() > 0 && page.contains(scored.toUtf8()), qPrintable(scored));
        // Chunks of up to the chunk length (a contig's last is shorter); the score plots mark the threshold.
        QVERIFY(page.contains(QStringLiteral("chunks of up to %1 bases (a contig's last may be shorter)").arg(summary.value(QLatin1String("chunk_length")).toInt()).toUtf8()));
        QCOMPARE(summary.value(QLatin1String("threshold")).toDouble(-1), 0.5);
        QCOMPARE(page.count("(dashed: the threshold, 0.5)"), qsizetype(2));
        // LibTorch's build and run versions: one row where they agree.
        const QString built = record.value(QLatin1String("environment")).toObject().value(QLatin1String("libraries")).toObject().value(QLatin1String("LibTorch (build)")).toString();
        const QString used = record.value(QLatin1String("libraries")).toObject().value(QLatin1String("LibTorch")).toString();
        QVERIFY(!used.isEmpty());
        QCOMPARE(page.count("<td>LibTorch</td>") + page.count("<td>LibTorch (build)</td>"), built.isEmpty() || built == used ? qsizetype(1) : qsizetype(2));
        // A parameter left empty is not a row (provenance.json keeps it).
        const QJsonObject parameters = record.value(QLatin1String("parameters")).toObject();
        for (auto it = parameters.begin(); it != parameters.end(); ++it)
            if (it.value().isString() && it.value().toString().isEmpty())
                QVERIFY2(!page.contains(QStringLiteral("<td>%1</td><td></td>").arg(it.key()).toUtf8()), qPrintable(it.key()));
        for (const QJsonValue& v : modelsRecorded)
            for (const QJsonValue& f : v.toObject().value(QLatin1String("files")).toArray())
                QVERIFY2(page.contains(f.toObject().value(QLatin1String("sha256")).toString().toUtf8()), qPrintable(f.toObject().value(QLatin1String("path")).toString()));

        const QString weights = QDir(esm).filePath(QStringLiteral("model.safetensors"));
        const QByteArray original = readAll(weights);
        QByteArray edited = original;
        edited[edited.size() - 1] = char(edited.back() ^ 0x40);
        QVERIFY(writeAll(weights, edited));
        QFile touched(weights); // a time of its own, whatever the clock's resolution
        QVERIFY(touched.open(QIODevice::ReadWrite) && touched.setFileTime(QDateTime::currentDateTimeUtc().addSecs(120), QFileDevice::FileModificationTime));
        touched.close();
        const Result changed = run(args);
        QCOMPARE(changed.code, 1);
        QVERIFY2(changed.out.contains(QStringLiteral("model 'my-esm': %1 has SHA-256").arg(weights))
                     && changed.out.contains(QStringLiteral("changed since it was registered")),
                 qPrintable(changed.out + changed.err));

        QVERIFY(writeAll(weights, original)); // put back (a new time: read, and it matches)
        const Result again = run(args);
        QVERIFY2(again.code == 0, qPrintable(again.out + again.err));
    }
};

QTEST_GUILESS_MAIN(TstViralRegistryCli)
#include "tst_viral_registry_cli.moc"
