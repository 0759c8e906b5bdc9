// `bioforge run viral …` as a script would use it: validate, predict with
// models given by path, a clear exit code for a model that does not exist,
// a kill -9 in the middle of a prediction followed by `bioforge resume`
// giving outputs byte-identical to an uninterrupted run, and shard runs.
// (Registered models: tst_viral_registry_cli.)

#include "compute/blas_core.h"
#include "support/kill_resume.h"
#include "viral_cli_test.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QScopeGuard>
#include <QtTest>

#include <csignal>

using namespace bioforge;
using namespace bioforge::test;

class TstViralCli : public ViralCliTest {
    Q_OBJECT

private slots:
    void initTestCase() { writeInputs(); }

    void validateAndMissingModels()
    {
        const Result ok = run(QStringList{QStringLiteral("--project"), m_dir.filePath(QStringLiteral("v")), QStringLiteral("run"),
                                          QStringLiteral("viral"), QStringLiteral("validate")} + models());
        QVERIFY2(ok.code == 0, qPrintable(ok.err));
        // Its tiny pipeline's checkpoints are the run's own: inspect finds and verifies them (it said
        // the run had no checkpoint folder: trial 18).
        const Result inspected = run({QStringLiteral("--project"), m_dir.filePath(QStringLiteral("v")), QStringLiteral("inspect"), runIdFrom(ok.err)});
        QVERIFY2(inspected.code == 0 && inspected.out.contains(QStringLiteral("\nok   frames/")) && !inspected.out.contains(QStringLiteral("BAD")),
                 qPrintable(inspected.out + inspected.err));
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
        // The published classifier as torch.save writes it (a zip whose first entry is archive/data.pkl)
        // and as older PyTorch did (a pickle): named, and the conversion pointed at (trial 18).
        const QString pth = m_dir.filePath(QStringLiteral("alone/300_model.pth"));
        QVERIFY(writeAll(pth, QByteArray("PK\x03\x04", 4) + QByteArray(22, '\0') + QByteArray("\x10\0\0\0", 4) + "archive/data.pkl" + QByteArray(300, '\x01')));
        const QString pickle = m_dir.filePath(QStringLiteral("alone/old_model.pth"));
        QVERIFY(writeAll(pickle, QByteArray::fromHex("80028a0a6c6de89cf9fc9c46f9206aa850192e") + QByteArray(300, 'x')));
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
                        {"--classifier", pth, 2, QStringLiteral("is not a safetensors file (it is a PyTorch checkpoint (torch.save")},
                        {"--classifier", pth, 2, QStringLiteral("convert the .pth once with the script in docs/viral.md")},
                        {"--classifier", pickle, 2, QStringLiteral("(it is a Python pickle (an older PyTorch checkpoint?)")},
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

        // Its input moved away: the refusal names the run and what to do, with the same exit code with
        // or without the run's id (trial 21: no run named; 1 without the id, 6 with it).
        const QString movedTo = m_dir.filePath(QStringLiteral("moved-data"));
        const QString moved = QDir(movedTo).filePath(QFileInfo(m_fasta).fileName());
        QVERIFY(QDir().mkpath(movedTo) && QFile::rename(m_fasta, moved));
        auto putBack = qScopeGuard([&] { QFile::rename(moved, m_fasta); }); // for the tests after this one, whatever it finds
        for (const QStringList& how : {QStringList{}, QStringList{killedId}}) {
            const Result gone = run(QStringList{QStringLiteral("--project"), project, QStringLiteral("resume")} + how);
            QVERIFY2(gone.code == 6 && gone.err.contains(QStringLiteral("run %1 (").arg(killedId))
                         && gone.err.contains(QStringLiteral(") cannot be resumed: its input is gone since it began (%1)").arg(m_fasta))
                         && gone.err.contains(QStringLiteral("put it back where it was and resume again, or say where it is now: bioforge resume %1 --relocate").arg(killedId)),
                     qPrintable(QString::number(gone.code) + QLatin1Char(' ') + gone.err));
        }
        // Found where it is now, by its name in a folder searched (trial 21: only moving it back helped).
        const Result noId = run({QStringLiteral("--project"), project, QStringLiteral("resume"), QStringLiteral("--search"), movedTo});
        QVERIFY2(noId.code == 2 && noId.err.contains(QStringLiteral("name the run")), qPrintable(noId.err));
        const Result resumed = run({QStringLiteral("--project"), project, QStringLiteral("resume"), killedId, QStringLiteral("--search"), movedTo});
        QVERIFY2(resumed.code == 0, qPrintable(resumed.err + resumed.out));
        const QString newId = QRegularExpression(QStringLiteral("resumed as run (\\S+)")).match(resumed.err).captured(1);
        QVERIFY(!newId.isEmpty());
        QCOMPARE(outputsOf(project, newId), outputsOf(reference, refId));
        const Result shownMoved = run({QStringLiteral("--project"), project, QStringLiteral("show"), newId});
        QVERIFY2(shownMoved.out.contains(moved) && shownMoved.out.contains(QStringLiteral("moved to")), qPrintable(shownMoved.out));
        putBack.dismiss();
        QVERIFY(QFile::rename(moved, m_fasta));
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
