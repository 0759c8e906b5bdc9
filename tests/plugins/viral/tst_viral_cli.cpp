// `bioforge run viral …` as a script would use it: validate, predict with
// models given by path, a clear exit code for a model that does not exist,
// and a kill -9 in the middle of a prediction followed by `bioforge resume`
// giving outputs byte-identical to an uninterrupted run.

#include "io/sha256.h"
#include "model/classifier_writer.h"
#include "models/model_entry.h"
#include "pipeline/validate_job.h"
#include "compute/blas_core.h"
#include "support/kill_resume.h"
#include "support/test_support.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QtTest>

#include <csignal>

using namespace bioforge;
using namespace bioforge::test;

class TstViralCli : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;
    QString m_fasta, m_classifier;

    struct Result {
        int code = -1;
        QString out, err;
    };

    // Every run inherits generic kernels marked as a parent's choice (what a cluster task on another
    // node inherits): bioforge must choose again for this CPU before loading the plugin, on any CPU.
    QProcessEnvironment env() const
    {
        QProcessEnvironment e = isolatedEnvironment(m_dir.filePath(QStringLiteral("home")));
        e.insert(QStringLiteral("OPENBLAS_CORETYPE"), QStringLiteral("Prescott"));
        e.insert(QStringLiteral("BIOFORGE_OPENBLAS_CORETYPE_CHOSEN"), QStringLiteral("Prescott"));
        e.insert(QStringLiteral("ATEN_CPU_CAPABILITY"), QStringLiteral("default"));
        e.insert(QStringLiteral("BIOFORGE_ATEN_CPU_CAPABILITY_CHOSEN"), QStringLiteral("default"));
        e.remove(QStringLiteral("GOMP_SPINCOUNT")); // bioforge bounds the pools' waits itself
        e.remove(QStringLiteral("OPENBLAS_THREAD_TIMEOUT"));
        return e;
    }

    Result run(const QStringList& args, const QString& workingDirectory = QString())
    {
        QProcess p;
        p.setProcessEnvironment(env());
        if (!workingDirectory.isEmpty())
            p.setWorkingDirectory(workingDirectory);
        p.start(binPath(QStringLiteral("bioforge")), args);
        p.waitForFinished(300000);
        return {p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1, QString::fromUtf8(p.readAllStandardOutput()),
                QString::fromUtf8(p.readAllStandardError())};
    }

    QStringList models() const
    {
        return {QStringLiteral("--dnabert"), fixturePath(QStringLiteral("viral/dnabert_s_tiny")), QStringLiteral("--esm"),
                fixturePath(QStringLiteral("viral/esm2_tiny")), QStringLiteral("--classifier"), m_classifier, QStringLiteral("--threads"),
                QStringLiteral("1")};
    }

    QStringList predict(const QString& project) const
    {
        return QStringList{QStringLiteral("--project"), project, QStringLiteral("run"), QStringLiteral("viral"), QStringLiteral("predict"), m_fasta}
               + models()
               + QStringList{QStringLiteral("--shard_frames"), QStringLiteral("16"), QStringLiteral("--esm_tokens_per_batch"), QStringLiteral("400"),
                             QStringLiteral("--dnabert_tokens_per_batch"), QStringLiteral("300"), QStringLiteral("--no-reuse_results")};
    }

    static QByteArray outputsOf(const QString& project, const QString& runId)
    {
        QByteArray all;
        for (const char* name : {"prediction_results.txt", "frames.tsv", "chunks.tsv", "contigs.tsv", "summary.json"})
            all += readAll(QDir(project).filePath(QStringLiteral("runs/%1/%2").arg(runId, QLatin1String(name))));
        return all;
    }

    static QString runIdFrom(const QString& text)
    {
        return QRegularExpression(QStringLiteral("run (\\d{8}-\\d{6}-[0-9a-f]{8})")).match(text).captured(1);
    }

private slots:
    void initTestCase()
    {
        if (!fixturesAvailable())
            QSKIP("../shared/fixtures is not present");
        m_classifier = m_dir.filePath(QStringLiteral("classifier.safetensors"));
        QVERIFY(viral::writeRandomClassifier(m_classifier, 128, 16, 5));
        m_fasta = m_dir.filePath(QStringLiteral("contigs.fa"));
        QFile f(m_fasta);
        QVERIFY(f.open(QIODevice::WriteOnly));
        for (uint32_t i = 0; i < 160; ++i)
            f.write(">c" + QByteArray::number(i) + "\n" + QByteArray::fromStdString(viral::ValidateJob::syntheticContig(600 + 37 * (i % 20), i)) + "\n");
    }

    void validateAndMissingModels()
    {
        const Result ok = run(QStringList{QStringLiteral("--project"), m_dir.filePath(QStringLiteral("v")), QStringLiteral("run"),
                                          QStringLiteral("viral"), QStringLiteral("validate")} + models());
        QVERIFY2(ok.code == 0, qPrintable(ok.err));
        QStringList args = QStringList{QStringLiteral("--project"), m_dir.filePath(QStringLiteral("v")), QStringLiteral("run"), QStringLiteral("viral"),
                                       QStringLiteral("validate")} + models();
        args[args.indexOf(QStringLiteral("--esm")) + 1] = QStringLiteral("no-such-esm");
        const Result missing = run(args);
        QCOMPARE(missing.code, 6); // no such model (docs/cli.md)
        QVERIFY2(missing.err.contains(QStringLiteral("no-such-esm")) && missing.err.contains(QStringLiteral("models import")), qPrintable(missing.err));
        // Models given by path are checked as registered ones are, before a run is recorded (they
        // failed inside it, naming a .json the user never gave): a classifier without its .json (6),
        // a file that is no safetensors (2, naming what it is: a GGUF model, the classifier's own
        // .json), an encoder folder without a file its kind needs (6), and an ESM-2 layer the model
        // does not have (2).
        const QString alone = m_dir.filePath(QStringLiteral("alone/classifier.safetensors"));
        QVERIFY(QDir().mkpath(QFileInfo(alone).path()) && QFile::copy(m_classifier, alone));
        const QString notSafetensors = m_dir.filePath(QStringLiteral("alone/model.gguf"));
        QVERIFY(writeAll(notSafetensors, QByteArray("GGUF\x03\0\0\0", 8) + QByteArray(64, '\0')));
        const QString partial = m_dir.filePath(QStringLiteral("dnabert-partial"));
        QVERIFY(QDir().mkpath(partial) && QFile::copy(fixturePath(QStringLiteral("viral/dnabert_s_tiny/config.json")), partial + QStringLiteral("/config.json")));
        const QString runs = m_dir.filePath(QStringLiteral("refused"));
        const struct {
            const char* option;
            QString value;
            int code;
            QString said;
        } refusals[] = {{"--classifier", alone, 6, QStringLiteral("its classifier.json is not beside it")},
                        {"--classifier", notSafetensors, 2, QStringLiteral("is not a safetensors file (it is a GGUF model)")},
                        {"--dnabert", partial, 6, QStringLiteral("model.safetensors")},
                        {"--classifier", m_classifier.chopped(12) + QStringLiteral(".json"), 2, QStringLiteral("is not a safetensors file (it is JSON)")},
                        {"--esm_layer", QStringLiteral("99"), 2, QStringLiteral("--esm_layer 99: the ESM-2 model")}};
        for (const auto& r : refusals) {
            QStringList given = QStringList{QStringLiteral("--project"), runs, QStringLiteral("run"), QStringLiteral("viral"), QStringLiteral("predict"), m_fasta} + models();
            if (const qsizetype at = given.indexOf(QLatin1String(r.option)); at >= 0)
                given[at + 1] = r.value;
            else
                given << QLatin1String(r.option) << r.value;
            const Result refused = run(given);
            QVERIFY2(refused.code == r.code && refused.err.contains(r.said), qPrintable(QLatin1String(r.option) + QStringLiteral(": ") + refused.err));
        }
        QVERIFY(!run({QStringLiteral("--project"), runs, QStringLiteral("runs")}).out.contains(QStringLiteral("predict"))); // nothing recorded
    }

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

    // A rule bound that makes every scored contig viral (allowed: the bounds are [0, 1]) is said; a
    // hand-typed shard of an input too small to cut so fails saying how many parts it makes.
    void ruleAndShardBoundsAreSaid()
    {
        const QString fasta = m_dir.filePath(QStringLiteral("two.fa"));
        QVERIFY(writeAll(fasta, ">a\n" + QByteArray::fromStdString(viral::ValidateJob::syntheticContig(400, 7)) + "\n>b\n"
                                    + QByteArray::fromStdString(viral::ValidateJob::syntheticContig(400, 8)) + "\n"));
        const Result r = run(QStringList{QStringLiteral("--project"), m_dir.filePath(QStringLiteral("everything")), QStringLiteral("run"), QStringLiteral("viral"),
                                         QStringLiteral("predict"), fasta}
                             + models() + QStringList{QStringLiteral("--contig_rule"), QStringLiteral("fraction"), QStringLiteral("--viral_fraction"), QStringLiteral("0")});
        QVERIFY2(r.code == 0 && r.err.contains(QStringLiteral("calls every scored contig viral, whatever its scores: --viral_fraction 0 decides nothing")),
                 qPrintable(r.err));
        const Result shard = run(QStringList{QStringLiteral("--project"), m_dir.filePath(QStringLiteral("everything")), QStringLiteral("run"),
                                             QStringLiteral("viral"), QStringLiteral("predict"), fasta}
                                 + models() + QStringList{QStringLiteral("--shard"), QStringLiteral("1/2")});
        QVERIFY2(shard.code == 1 && shard.out.contains(QStringLiteral("shard 1/2: these inputs (2 contigs in 1 frame shard of up to 512 frames) split into at "
                                                                      "most 1 part, cut only at contig ends: give --shard i/N with N at most 1"))
                     && shard.out.contains(QStringLiteral("a smaller --shard_frames makes more frame shards")),
                 qPrintable(shard.out + shard.err));
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

    void killDashNineThenResumeIsByteIdentical()
    {
        const QString reference = m_dir.filePath(QStringLiteral("ref"));
        const Result ref = run(predict(reference));
        QVERIFY2(ref.code == 0, qPrintable(ref.err));
        const QString refId = runIdFrom(ref.err);
        QVERIFY(outputsOf(reference, refId).contains("Sequence_ID"));
        // The plugin's OpenBLAS runs the kernels bioforge chose before loading it (compute/blas_core.h),
        // not the inherited Prescott, and the run's provenance says which. (The supported setup's BLAS is
        // OpenBLAS: installer/install-deps.sh.)
        const QString kernels = core::openBlasCoreFor(core::cpuVectorSupport());
        if (!kernels.isEmpty()) {
            const Result show = run({QStringLiteral("--project"), reference, QStringLiteral("show"), refId});
            QVERIFY2(show.out.contains(QStringLiteral("OpenBLAS, %1 kernels").arg(kernels), Qt::CaseInsensitive), qPrintable(show.out));
        }
        // So do LibTorch's own kernels (the inherited scalar "default" chosen again).
        const QString capability = core::atenCapabilityFor(core::cpuVectorSupport());
        const Result shown = run({QStringLiteral("--project"), reference, QStringLiteral("show"), refId});
        QVERIFY2(shown.out.contains(capability.isEmpty() ? QStringLiteral("LibTorch's own choice") : QStringLiteral("ATEN_CPU_CAPABILITY=") + capability),
                 qPrintable(shown.out));
        // The pools' idle waits bioforge set before loading the plugin (compute/thread_waits.h), and so
        // both of LibTorch's pools on the run's threads.
        QVERIFY2(shown.out.contains(QStringLiteral("GOMP_SPINCOUNT=10000, OPENBLAS_THREAD_TIMEOUT=4")), qPrintable(shown.out));
        if (!kernels.isEmpty())
            QVERIFY2(shown.out.contains(QStringLiteral("(OpenBLAS and OpenMP)")), qPrintable(shown.out));
        const int total = checkpointManifestCount(QDir(reference).filePath(QStringLiteral("checkpoints")));

        const QString project = m_dir.filePath(QStringLiteral("killed"));
        QProcess p;
        p.setProcessEnvironment(env());
        p.start(binPath(QStringLiteral("bioforge")), predict(project));
        QVERIFY(p.waitForStarted());
        // Killed once about a third of the checkpoints are written (the frames and part of DNABERT-S).
        QVERIFY(QTest::qWaitFor([&] { return checkpointManifestCount(QDir(project).filePath(QStringLiteral("checkpoints"))) >= total / 3; }, 120000));
        ::kill(pid_t(p.processId()), SIGKILL);
        QVERIFY(p.waitForFinished(30000));
        QCOMPARE(p.exitStatus(), QProcess::CrashExit);
        QVERIFY(checkpointManifestCount(QDir(project).filePath(QStringLiteral("checkpoints"))) < total); // really interrupted
        const QString killedId = runIdFrom(QString::fromUtf8(p.readAllStandardError()));
        QVERIFY(!killedId.isEmpty());

        const Result resumed = run({QStringLiteral("--project"), project, QStringLiteral("resume")});
        QVERIFY2(resumed.code == 0, qPrintable(resumed.err + resumed.out));
        const QString newId = QRegularExpression(QStringLiteral("resumed as run (\\S+)")).match(resumed.err).captured(1);
        QVERIFY(!newId.isEmpty());
        QCOMPARE(outputsOf(project, newId), outputsOf(reference, refId));
    }

    // kill -9 at seeded random points (support/kill_resume.h): BIOFORGE_KILL_ROUNDS rounds, 2 by default.
    void killDashNineAtRandomPointsThenResumeIsByteIdentical()
    {
        KillResumeSpec spec;
        spec.name = QStringLiteral("viral predict");
        spec.workDir = m_dir.filePath(QStringLiteral("kill-property"));
        spec.environment = env();
        spec.start = [this](const QString& project) { return predict(project); };
        spec.progress = [](const QString& project) { return checkpointManifestCount(QDir(project).filePath(QStringLiteral("checkpoints"))); };
        spec.outputs = [](const QString& project, const QString& runId) { return outputsOf(project, runId); };
        QString error;
        spec.expected = referenceOutputs(spec, &error);
        QVERIFY2(!spec.expected.isEmpty(), qPrintable(error));
        const int total = checkpointManifestCount(QDir(spec.workDir).filePath(QStringLiteral("reference/checkpoints")));
        QVERIFY(total > 3);
        spec.maxStep = total / 2; // so a round is killed two or three times on average
        const KillResumeOutcome outcome = killResumeProperty(spec);
        QVERIFY2(outcome.failure.isEmpty(), qPrintable(outcome.failure));
        QVERIFY(outcome.kills >= outcome.rounds);
        qInfo("kill -9 property, viral predict: %d rounds, %d kills, every output identical (%d checkpoints a run)", outcome.rounds, outcome.kills, total);
    }

    // Shard runs by hand (`--shard i/N`, each planning the split itself), in a project that holds
    // results of the same contigs (reuse on): their tables concatenate to the whole run's, byte for byte.
    void shardRunsConcatenateToTheWholeRun()
    {
        const QString project = m_dir.filePath(QStringLiteral("shards"));
        QStringList whole = predict(project);
        whole.removeAll(QStringLiteral("--no-reuse_results")); // the project's cache fills: shard runs must not use it
        const Result full = run(whole);
        QVERIFY2(full.code == 0, qPrintable(full.err));
        const QString fullId = runIdFrom(full.err);
        const int shards = 3;
        QByteArray tables[4];
        const char* names[4] = {"prediction_results.txt", "frames.tsv", "chunks.tsv", "contigs.tsv"};
        for (int i = 1; i <= shards; ++i) {
            const Result part = run(whole + QStringList{QStringLiteral("--shard"), QStringLiteral("%1/%2").arg(i).arg(shards)});
            QVERIFY2(part.code == 0, qPrintable(part.err + part.out));
            for (int t = 0; t < 4; ++t) {
                QByteArray table = readAll(QDir(project).filePath(QStringLiteral("runs/%1/%2").arg(runIdFrom(part.err), QLatin1String(names[t]))));
                QVERIFY(table.contains('\n'));
                if (i > 1)
                    table = table.mid(table.indexOf('\n') + 1); // one header
                tables[t] += table;
            }
        }
        for (int t = 0; t < 4; ++t)
            QVERIFY2(tables[t] == readAll(QDir(project).filePath(QStringLiteral("runs/%1/%2").arg(fullId, QLatin1String(names[t])))), names[t]);
        const Result bad = run(whole + QStringList{QStringLiteral("--shard"), QStringLiteral("4/3")});
        QCOMPARE(bad.code, 2);
        QVERIFY2(bad.err.contains(QLatin1String("shard '4/3'")), qPrintable(bad.err));
    }

    // A task of a cluster run (`--shard i/N --shard_plan`) compares each model, one given by path
    // too, with the checksum its plan recorded: a model edited in place after the plan is refused,
    // naming it. A plan that recorded none for a model (made before models given by path were
    // checksummed) is not refused for it (here it then fails on its layout, made up for the test).
    void aShardRefusesAModelThatIsNotThePlans()
    {
        const QString project = m_dir.filePath(QStringLiteral("plan-models"));
        const QString planFile = m_dir.filePath(QStringLiteral("plan-models.json"));
        auto plan = [&](const QString& esm) {
            const auto shard = [](int first) {
                return QJsonObject{{QStringLiteral("first_frame_shard"), first}, {QStringLiteral("end_frame_shard"), first + 1},
                                   {QStringLiteral("contigs"), 1}, {QStringLiteral("bases"), 1}};
            };
            const QJsonObject madeFrom{
                {QStringLiteral("inputs"), QJsonArray{QJsonObject{{QStringLiteral("path"), QFileInfo(m_fasta).absoluteFilePath()}}}},
                {QStringLiteral("models"), QJsonObject{{QStringLiteral("dnabert"), QString()}, {QStringLiteral("esm"), esm}, {QStringLiteral("classifier"), QString()}}}};
            return QJsonDocument(QJsonObject{{QStringLiteral("schema"), QStringLiteral("bioforge-viral-shard-plan/1")},
                                             {QStringLiteral("made_from"), madeFrom},
                                             {QStringLiteral("frame_shards"), 2},
                                             {QStringLiteral("contigs"), 2},
                                             {QStringLiteral("bases"), 2},
                                             {QStringLiteral("shards"), QJsonArray{shard(0), shard(1)}}})
                .toJson();
        };
        const QStringList task = predict(project) + QStringList{QStringLiteral("--shard"), QStringLiteral("1/2"), QStringLiteral("--shard_plan"), planFile};
        QVERIFY(writeAll(planFile, plan(QString(64, QLatin1Char('0')))));
        const Result other = run(task);
        QVERIFY2(other.code != 0 && (other.err + other.out).contains(QLatin1String("the --esm model changed after the run was planned"))
                     && (other.err + other.out).contains(QLatin1String("made with SHA-256 000000000000")),
                 qPrintable(other.err + other.out));
        QVERIFY(writeAll(planFile, plan(QString())));
        const Result older = run(task);
        QVERIFY2(older.code != 0 && !(older.err + older.out).contains(QLatin1String("model changed"))
                     && (older.err + older.out).contains(QLatin1String("the plan was made for other inputs or settings")),
                 qPrintable(older.err + older.out));
    }
};

QTEST_GUILESS_MAIN(TstViralCli)
#include "tst_viral_cli.moc"
