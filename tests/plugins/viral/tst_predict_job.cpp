// The whole VirNucPro pipeline as a job, on the fixture encoders and a
// seeded random classifier: the reference output layout, one frame checked
// against the models called directly, a run paused at every unit that
// resumes to byte-identical files, damaged checkpoints recomputed, bad
// records reported without losing the rest, and unchanged contigs reused by
// a later run. The device tests (several workers, out of memory) are in
// tst_predict_devices; the harness both use in predict_job_harness.h.

#include "model/dnabert_model.h"
#include "model/esm2_model.h"
#include "model/int8_matmul.h"
#include "model/torch_runtime.h"
#include "model/virus_classifier.h"
#include "models/model_registry.h"
#include "pipeline/contig_call.h"
#include "pipeline/model_digest.h"
#include "pipeline/predict_job.h"
#include "predict_job_harness.h"
#include "sequence/six_frames.h"
#include "support/test_support.h"
#include "tokenizer/esm_alphabet.h"
#include "tokenizer/hf_bpe_tokenizer.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QtTest>

#include <cmath>

using namespace bioforge;
using namespace bioforge::viral;
using bioforge::viral::test::PredictJobHarness;
using bioforge::viral::test::RunResult;
using namespace bioforge::test;

class TstPredictJob : public QObject {
    Q_OBJECT
    PredictJobHarness h;

    // The largest difference of a class probability between `run`'s frames.tsv and the float32
    // run's ("plain"), frame by frame (the files' rows and columns must match).
    void frameProbabilityDifference(const QString& run, double& worst)
    {
        const QList<QByteArray> ours = h.file(run, "frames.tsv").split('\n'), theirs = h.file(h.path("plain"), "frames.tsv").split('\n');
        QCOMPARE(ours.size(), theirs.size());
        QVERIFY(ours.first().contains("\tprediction\tp_"));
        for (qsizetype i = 1; i < ours.size(); ++i) { // after the header: the class probabilities are columns 9 … last-1
            const QList<QByteArray> a = ours[i].split('\t'), b = theirs[i].split('\t');
            QCOMPARE(a.size(), b.size());
            for (qsizetype c = 8; c + 1 < a.size(); ++c)
                worst = std::max(worst, std::fabs(a[c].toDouble() - b[c].toDouble()));
        }
    }

private slots:
    void initTestCase()
    {
        QString why;
        if (!h.setUp(&why))
            QSKIP(qPrintable(why));
    }

    void aRunWritesTheReferenceLayoutAndOurTables()
    {
        const QString run = h.path("plain");
        const RunResult r = h.attempt(run, h.parameters(), false);
        QVERIFY2(r.failure.isEmpty(), qPrintable(r.failure));
        QCOMPARE(r.outcome, core::JobOutcome::Finished);
        const QList<QByteArray> lines = h.file(run, "prediction_results.txt").split('\n');
        QCOMPARE(lines.first(), QByteArray("Sequence_ID\tPrediction\tscore1\tscore2"));
        QVERIFY2(lines.size() > 10, h.file(run, "summary.json").constData());
        for (qsizetype i = 1; i < lines.size() - 1; ++i) {
            const QList<QByteArray> f = lines[i].split('\t');
            QCOMPARE(f.size(), 4);
            QVERIFY(f[1] == "virus" || f[1] == "others");
            QVERIFY(std::fabs(f[2].toDouble() + f[3].toDouble() - 1.0) < 1e-5);
            QCOMPARE(f[1] == "virus", f[3].toDouble() > f[2].toDouble());
        }
        QVERIFY(lines[1].startsWith("long_contig_chunk_1"));
        const QList<QByteArray> contigs = h.file(run, "contigs.tsv").split('\n');
        QCOMPARE(contigs.size(), 1 + 5 + 1); // header, five readable contigs, final newline
        QVERIFY(contigs[1].startsWith("long_contig\tcontigs.fa\t1000\t4\t"));
        QVERIFY(h.file(run, "contigs.tsv").contains("tiny\tcontigs.fa\t2\t1\t0\t0\tNA\tNA\tNA\tunscored"));
        const QJsonObject summary = QJsonDocument::fromJson(h.file(run, "summary.json")).object();
        QCOMPARE(summary.value(QLatin1String("contigs")).toInt(), 5);
        const QJsonArray warnings = summary.value(QLatin1String("warnings")).toArray();
        QCOMPARE(warnings.size(), 2); // the empty record, named with its file and line; the unscored contig, by id
        QVERIFY2(warnings[0].toString().contains(QStringLiteral("contigs.fa")) && warnings[0].toString().contains(QStringLiteral("5")),
                 qPrintable(warnings[0].toString()));
        QVERIFY2(warnings[1].toString().startsWith(QStringLiteral("contigs without a call ('unscored' in contigs.tsv): 1 of 5,"))
                     && warnings[1].toString().endsWith(QStringLiteral(": tiny")),
                 qPrintable(warnings[1].toString()));
        QVERIFY(r.warnings.contains(warnings[1].toString())); // said during the run too (the terminal, the window)
        QVERIFY(h.file(run, "chunks.tsv").contains("long_contig\t2\t249\t300\t"));
        // The seeded random classifier is a TEST model: the run says its calls mean nothing.
        QVERIFY2(!r.warnings.filter(QStringLiteral("TEST model with random weights")).isEmpty(), qPrintable(r.warnings.join(QLatin1Char('\n'))));
    }

    void aFrameEqualsTheModelsCalledDirectly()
    {
        const QString run = h.path("plain");
        const QList<QByteArray> first = h.file(run, "prediction_results.txt").split('\n')[1].split('\t');
        // Recompute that frame by hand: chunk 1 of long_contig, its frame, both encoders, merge, classify.
        const QList<QByteArray> fasta = readAll(h.fasta()).split('\n');
        const std::string contig = fasta[1].toStdString();
        const std::string frameName = first[0].right(2).toStdString();
        TranslatedFrame frame;
        for (const TranslatedFrame& f : translateSixFrames(contig.substr(0, 300)))
            if (f.name == frameName)
                frame = f;
        QVERIFY(!frame.protein.empty());
        auto dna = DnabertModel::load(fixturePath(QStringLiteral("viral/dnabert_s_tiny")));
        auto esm = Esm2Model::load(fixturePath(QStringLiteral("viral/esm2_tiny")));
        auto bpe = HfBpeTokenizer::fromFile(fixturePath(QStringLiteral("viral/dnabert_s_tiny/tokenizer.json")));
        auto alphabet = EsmAlphabet::fromVocabFile(fixturePath(QStringLiteral("viral/esm2_tiny/vocab.txt")));
        auto classifier = VirusClassifier::load(h.classifier());
        QVERIFY(dna && esm && bpe && alphabet && classifier);
        auto d = (*dna)->meanEmbeddings({bpe->encode(frame.nucleotide)});
        auto p = (*esm)->meanEmbeddings({alphabet->encode(frame.protein).ids}, 2, 1024);
        QVERIFY(d && p);
        std::vector<float> merged = (*d)[0];
        merged.insert(merged.end(), (*p)[0].begin(), (*p)[0].end());
        auto probs = (*classifier)->probabilities({merged});
        QVERIFY(probs);
        // Batched with other frames in the run: equal within float rounding.
        QVERIFY(std::fabs(first[2].toDouble() - (*probs)[0][0]) < 1e-5);
        QVERIFY(std::fabs(first[3].toDouble() - (*probs)[0][1]) < 1e-5);
    }

    void aRunPausedAtEveryUnitResumesToIdenticalFiles()
    {
        const QString run = h.path("paused");
        int attempts = 0;
        RunResult r;
        do {
            r = h.attempt(run, h.parameters(), true);
            QVERIFY2(r.failure.isEmpty(), qPrintable(r.failure));
            QVERIFY(++attempts < 200);
        } while (r.outcome != core::JobOutcome::Finished);
        QVERIFY2(attempts > 10, qPrintable(QString::number(attempts))); // it really stopped many times
        const QString plain = h.path("plain");
        for (const char* name : {"prediction_results.txt", "frames.tsv", "chunks.tsv", "contigs.tsv"})
            QVERIFY2(h.file(run, name) == h.file(plain, name), name);
    }

    void damagedCheckpointsAreRecomputed()
    {
        const QString run = h.path("damaged");
        QVERIFY(h.attempt(run, h.parameters(), false).outcome == core::JobOutcome::Finished);
        // Truncate one ESM shard and empty one merged shard, then run again on the same checkpoints.
        QFile esm(run + QStringLiteral("/checkpoints/esm/shard-00001/tensors.safetensors"));
        QVERIFY(esm.open(QIODevice::ReadWrite));
        QVERIFY(esm.resize(esm.size() / 2));
        esm.close();
        QFile merged(run + QStringLiteral("/checkpoints/merged/shard-00001/tensors.safetensors"));
        QVERIFY(merged.open(QIODevice::WriteOnly | QIODevice::Truncate));
        merged.close();
        QFile::remove(run + QStringLiteral("/checkpoints/classify/shard-00001/manifest.json"));
        const RunResult again = h.attempt(run, h.parameters(), false);
        QVERIFY2(again.failure.isEmpty(), qPrintable(again.failure));
        QCOMPARE(again.outcome, core::JobOutcome::Finished);
        QCOMPARE(h.file(run, "prediction_results.txt"), h.file(h.path("plain"), "prediction_results.txt"));
    }

    void unchangedContigsAreReusedByALaterRun()
    {
        const QString run = h.path("later");
        const RunResult later = h.attempt(run, h.parameters(300, true), false);
        QVERIFY(later.outcome == core::JobOutcome::Finished);
        const QJsonObject summary = QJsonDocument::fromJson(h.file(run, "summary.json")).object();
        QCOMPARE(summary.value(QLatin1String("reused_contigs")).toInt(), 5);
        // Said in the run's warnings, with the run and program that computed them (summary.json's
        // count alone said so: trial 25 T25-16).
        const QString reusedWarning = later.warnings.filter(QStringLiteral("taken from earlier runs' results")).join(QLatin1Char('\n'));
        QVERIFY2(reusedWarning.startsWith(QStringLiteral("5 of 5 contigs' results were taken from earlier runs' results"))
                     && reusedWarning.contains(QStringLiteral("5 from run run (BioForge Workbench ")) && reusedWarning.contains(QStringLiteral("--reuse_results false")),
                 qPrintable(later.warnings.join(QLatin1Char('\n'))));
        const QJsonArray from = summary.value(QLatin1String("reused_from")).toArray();
        QCOMPARE(from.size(), 1);
        QCOMPARE(from.first().toObject().value(QLatin1String("contigs")).toInt(), 5);
        const QString plain = h.path("plain");
        QCOMPARE(h.file(run, "prediction_results.txt"), h.file(plain, "prediction_results.txt"));
        QByteArray ours = h.file(run, "contigs.tsv"), before = h.file(plain, "contigs.tsv");
        QCOMPARE(ours.replace("\tyes\n", "\tno\n"), before);
        // Another chunk length changes the results: nothing is reused.
        const QString other = h.path("other-length");
        QVERIFY(h.attempt(other, h.parameters(500, true), false).outcome == core::JobOutcome::Finished);
        QCOMPARE(QJsonDocument::fromJson(h.file(other, "summary.json")).object().value(QLatin1String("reused_contigs")).toInt(), 0);
        // Other batching too: the encoders' last digits depend on a frame's batch (a reused result of
        // other batches made a run differ from a fresh one and the cluster run's: trial 22).
        const QString batched = h.path("other-batching");
        QJsonObject smaller = h.parameters(300, true);
        smaller.insert(QStringLiteral("shard_frames"), 16);
        QVERIFY(h.attempt(batched, smaller, false).outcome == core::JobOutcome::Finished);
        QCOMPARE(QJsonDocument::fromJson(h.file(batched, "summary.json")).object().value(QLatin1String("reused_contigs")).toInt(), 0);
        // A classifier that says it was trained on 300-base chunks (a copy of the test one), run at 500: said.
        // Without it, 500 alone is a published length: nothing said.
        QVERIFY(h.attempt(h.path("published-length"), h.parameters(500, true), false).warnings.filter(QStringLiteral("chunk_length")).isEmpty());
        const QString copy = h.path("classifier-300.safetensors");
        QVERIFY(QFile::copy(h.classifier(), copy));
        QJsonObject said = QJsonDocument::fromJson(readAll(ClassifierSpec::pathFor(h.classifier()))).object();
        said.insert(QStringLiteral("chunk_length"), 300);
        QVERIFY(writeAll(ClassifierSpec::pathFor(copy), QJsonDocument(said).toJson()));
        QJsonObject p = h.parameters(500, true);
        p.insert(QStringLiteral("classifier_path"), copy);
        const RunResult mismatched = h.attempt(h.path("mismatched-length"), p, false);
        QVERIFY2(mismatched.warnings.filter(QStringLiteral("was trained on 300-base chunks (its chunk_length) and this run cuts 500-base chunks")).size() == 1,
                 qPrintable(mismatched.warnings.join(QLatin1Char('\n'))));
    }

    void modelsGivenByPathAreChecksummedAsTheRegistryDoes()
    {
        core::ModelRegistry registry(h.path("registry.json"));
        auto entry = registry.importFolder(QStringLiteral("esm2_tiny"), QStringLiteral("esm2"), fixturePath(QStringLiteral("viral/esm2_tiny")));
        QVERIFY(entry);
        QCOMPARE(*modelDigest(fixturePath(QStringLiteral("viral/esm2_tiny"))), entry->combinedSha256());
        QCOMPARE(modelFingerprint(h.classifier()), modelFingerprint(h.classifier()));
        QVERIFY(!modelDigest(h.path("nowhere")));
        // A run given models by path records their checksums in its provenance.
        QJsonObject p = h.parameters();
        for (const char* key : {"dnabert_sha256", "esm_sha256", "classifier_sha256"})
            p.remove(QLatin1String(key));
        const QString run = h.path("by-path");
        const RunResult r = h.attempt(run, p, false);
        QVERIFY2(r.failure.isEmpty(), qPrintable(r.failure));
        QCOMPARE(h.file(run, "prediction_results.txt"), h.file(h.path("plain"), "prediction_results.txt"));
    }

    void bfloat16RunsAreRecordedAndKeepTheirOwnResults()
    {
        // The precision is part of the result key: float32 keys are unchanged
        // (older caches stay valid), bf16 ones differ.
        QJsonObject p = h.parameters(300, true);
        const QString float32Key = PredictSettings::fromParameters(p)->resultKey();
        p.insert(QStringLiteral("precision"), QStringLiteral("fp32"));
        QCOMPARE(PredictSettings::fromParameters(p)->resultKey(), float32Key);
        p.insert(QStringLiteral("precision"), QStringLiteral("bf16"));
        QVERIFY(PredictSettings::fromParameters(p)->resultKey() != float32Key);
        // A bf16 run in a cache full of float32 results computes every contig,
        // records its precision, and scores close to the float32 run.
        const QString run = h.path("bf16");
        QVERIFY(h.attempt(run, p, false).outcome == core::JobOutcome::Finished);
        const QJsonObject summary = QJsonDocument::fromJson(h.file(run, "summary.json")).object();
        QCOMPARE(summary.value(QLatin1String("reused_contigs")).toInt(), 0);
        QCOMPARE(summary.value(QLatin1String("encoder_precision")).toString(), QStringLiteral("bf16"));
        const QJsonObject plain = QJsonDocument::fromJson(h.file(h.path("plain"), "summary.json")).object();
        QCOMPARE(plain.value(QLatin1String("encoder_precision")).toString(), QStringLiteral("fp32"));
        double worst = 0;
        frameProbabilityDifference(run, worst);
        if (QTest::currentTestFailed())
            return;
        qInfo("bf16 against fp32, tiny fixture models: frame probability max difference %.3g", worst);
        QVERIFY2(worst > 0 && worst < 0.02, qPrintable(QString::number(worst)));
        // A second bf16 run reuses the first one's results.
        const QString again = h.path("bf16-again");
        QVERIFY(h.attempt(again, p, false).outcome == core::JobOutcome::Finished);
        QCOMPARE(QJsonDocument::fromJson(h.file(again, "summary.json")).object().value(QLatin1String("reused_contigs")).toInt(), 5);
        QCOMPARE(h.file(again, "prediction_results.txt"), h.file(run, "prediction_results.txt"));
    }

    void int8RunsAreRecordedAndStayOnTheCpu()
    {
        if (auto st = int8MatmulStatus(); !st)
            QSKIP(qPrintable(st.error().message()));
        // int8 (encoder_precision.h): its own result key, recorded, close to the float32 run's
        // scores; a CUDA device is refused before anything runs, auto means the CPU.
        QJsonObject p = h.parameters(300, true);
        const QString float32Key = PredictSettings::fromParameters(p)->resultKey();
        p.insert(QStringLiteral("precision"), QStringLiteral("int8"));
        const auto settings = PredictSettings::fromParameters(p);
        QVERIFY2(settings, settings ? "" : qPrintable(settings.error().message()));
        QVERIFY(settings->resultKey() != float32Key);
        QCOMPARE(settings->device.kind, core::TorchDevice::Kind::Cpu); // the parameters' default device is auto
        QJsonObject onGpu = p;
        onGpu.insert(QStringLiteral("device"), QStringLiteral("cuda:0"));
        const auto refused = PredictSettings::fromParameters(onGpu);
        QVERIFY(!refused);
        QVERIFY2(refused.error().message().contains(QStringLiteral("CPU only")), qPrintable(refused.error().message()));
        const QString run = h.path("int8");
        const RunResult result = h.attempt(run, p, false);
        QVERIFY(result.outcome == core::JobOutcome::Finished);
        // oneDNN's products and LibTorch's batched attention GEMMs on OpenMP's threads, OpenBLAS on one.
        QCOMPARE(torchThreadPools(), QString());
        // The provenance says the results are approximate.
        QVERIFY2(std::any_of(result.warnings.begin(), result.warnings.end(), [](const QString& w) { return w.startsWith(QStringLiteral("precision int8: approximate")); }),
                 qPrintable(result.warnings.join(QLatin1Char('\n'))));
        const QJsonObject summary = QJsonDocument::fromJson(h.file(run, "summary.json")).object();
        QCOMPARE(summary.value(QLatin1String("encoder_precision")).toString(), QStringLiteral("int8"));
        QCOMPARE(summary.value(QLatin1String("reused_contigs")).toInt(), 0);
        double worst = 0;
        frameProbabilityDifference(run, worst);
        if (QTest::currentTestFailed())
            return;
        qInfo("int8 against fp32, tiny fixture models: frame probability max difference %.3g", worst);
        QVERIFY2(worst > 0 && worst < 0.05, qPrintable(QString::number(worst)));
    }

    void badSettingsAreRefusedWithAReason()
    {
        QJsonObject p0 = h.parameters();
        p0.insert(QStringLiteral("precision"), QStringLiteral("fp16"));
        const auto bad = PredictSettings::fromParameters(p0);
        QVERIFY(!bad);
        QVERIFY2(bad.error().message().contains(QStringLiteral("fp16")) && bad.error().message().contains(QStringLiteral("bf16")),
                 qPrintable(bad.error().message()));
        QJsonObject p = h.parameters();
        p.insert(QStringLiteral("contig_rule"), QStringLiteral("median"));
        QVERIFY(!PredictSettings::fromParameters(p));
        // The fraction rule's share is said as a share (a bare "1" read as one chunk), of the chunks scored.
        CallRule all;
        all.rule = ContigRule::ViralFraction;
        all.minFraction = 1;
        all.threshold = 0;
        QCOMPARE(all.describe(), QStringLiteral("viral when at least 100 % of the chunks that have a frame to score score 0 or more"));
        p = h.parameters();
        p.insert(QStringLiteral("inputs"), QJsonArray{});
        QVERIFY(!PredictSettings::fromParameters(p));
        p = h.parameters();
        p.insert(QStringLiteral("inputs"), QJsonArray{h.path("missing.fa")});
        const RunResult r = h.attempt(h.path("missing"), p, false);
        QVERIFY(r.failure.contains(QStringLiteral("missing.fa")));
    }
};

QTEST_GUILESS_MAIN(TstPredictJob)
#include "tst_predict_job.moc"
