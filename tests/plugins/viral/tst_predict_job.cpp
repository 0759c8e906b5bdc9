// The whole VirNucPro pipeline as a job, on the fixture encoders and a
// seeded random classifier: the reference output layout, one frame checked
// against the models called directly, a run paused at every unit that
// resumes to byte-identical files, damaged checkpoints recomputed, bad
// records reported without losing the rest, and unchanged contigs reused by
// a later run.

#include "checkpoint/checkpoint_store.h"
#include "compute/device_lease.h"
#include "jobs/clock.h"
#include "jobs/job_context.h"
#include "model/classifier_writer.h"
#include "model/dnabert_model.h"
#include "model/esm2_model.h"
#include "model/virus_classifier.h"
#include "models/model_registry.h"
#include "pipeline/float_text.h"
#include "pipeline/model_digest.h"
#include "pipeline/predict_job.h"
#include "model/torch_runtime.h"
#include "provenance/provenance_recorder.h"
#include "sequence/chunker.h"
#include "sequence/six_frames.h"
#include "support/test_support.h"
#include "tokenizer/esm_alphabet.h"
#include "tokenizer/hf_bpe_tokenizer.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QTemporaryDir>
#include <QtTest>

#include <functional>
#include <random>

using namespace bioforge;
using namespace bioforge::viral;
using namespace bioforge::test;

namespace {

// Random sense codons (no stop), so the forward frame survives translation as real genes do.
std::string randomDna(size_t n, uint32_t seed)
{
    std::mt19937 rng(seed);
    std::string s;
    while (s.size() < n) {
        std::string codon{"ACGT"[rng() % 4], "ACGT"[rng() % 4], "ACGT"[rng() % 4]};
        if (codon != "TAA" && codon != "TAG" && codon != "TGA")
            s += codon;
    }
    return s.substr(0, n);
}

struct RunResult {
    core::JobOutcome outcome = core::JobOutcome::Cancelled;
    QString failure;
    QStringList warnings; // the run record's
};

} // namespace

class TstPredictJob : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;
    QString m_fasta, m_classifier;

    // reuse: whether results of earlier runs in the (shared) cache may be reused.
    QJsonObject parameters(int chunkLength = 300, bool reuse = false) const
    {
        const QString dna = fixturePath(QStringLiteral("viral/dnabert_s_tiny")), esm = fixturePath(QStringLiteral("viral/esm2_tiny"));
        return {{QStringLiteral("inputs"), QJsonArray{m_fasta}},
                {QStringLiteral("chunk_length"), chunkLength},
                {QStringLiteral("dnabert"), QStringLiteral("dnabert_s_tiny")},
                {QStringLiteral("dnabert_path"), dna},
                {QStringLiteral("dnabert_sha256"), QString(64, QLatin1Char('a'))},
                {QStringLiteral("esm"), QStringLiteral("esm2_tiny")},
                {QStringLiteral("esm_path"), esm},
                {QStringLiteral("esm_sha256"), QString(64, QLatin1Char('b'))},
                {QStringLiteral("classifier"), QStringLiteral("random")},
                {QStringLiteral("classifier_path"), m_classifier},
                {QStringLiteral("classifier_sha256"), QString(64, QLatin1Char('c'))},
                {QStringLiteral("shard_frames"), 8},
                {QStringLiteral("dnabert_tokens_per_batch"), 200},
                {QStringLiteral("esm_tokens_per_batch"), 300},
                {QStringLiteral("threads"), 2},
                {QStringLiteral("reuse_results"), reuse}};
    }

    // One attempt of the job on a run folder (checkpoints kept between attempts); `tweak`
    // changes what the parameters cannot (the device's test hooks).
    RunResult attempt(const QString& run, const QJsonObject& p, bool pauseAtOnce, const std::function<void(PredictSettings&)>& tweak = {},
                      const std::vector<EncoderDevice>& spreadOver = {})
    {
        QDir().mkpath(run + QStringLiteral("/out"));
        core::CheckpointStore store(run + QStringLiteral("/checkpoints"), 1);
        core::ProvenanceRecorder provenance(run + QStringLiteral("/out"));
        core::JobContext ctx(QStringLiteral("run"), core::SteadyClock::instance(),
                             {&store, &provenance, nullptr, run + QStringLiteral("/out"), m_dir.filePath(QStringLiteral("cache"))}, p);
        if (pauseAtOnce)
            ctx.requestPause();
        auto settings = PredictSettings::fromParameters(p);
        if (!settings)
            return {core::JobOutcome::Cancelled, settings.error().message(), {}};
        if (tweak)
            tweak(*settings);
        PredictJob job(*settings);
        if (!spreadOver.empty())
            job.spreadOver(spreadOver);
        RunResult result;
        try {
            result.outcome = job.run(ctx);
        } catch (const core::JobFailure& f) {
            result.failure = f.message();
        }
        core::RunRecord record;
        if (provenance.finalizeInto(record))
            result.warnings = record.warnings;
        return result;
    }

    QByteArray file(const QString& run, const char* name) const { return readAll(run + QStringLiteral("/out/") + QLatin1String(name)); }

private slots:
    void initTestCase()
    {
        if (!fixturesAvailable())
            QSKIP("../shared/fixtures is not present");
        m_classifier = m_dir.filePath(QStringLiteral("classifier.safetensors"));
        QVERIFY(writeRandomClassifier(m_classifier, 128, 16, 11));
        m_fasta = m_dir.filePath(QStringLiteral("contigs.fa"));
        QFile f(m_fasta);
        QVERIFY(f.open(QIODevice::WriteOnly));
        std::string mixed = randomDna(420, 3);
        mixed.replace(100, 5, "NNNNN");
        for (size_t i = 200; i < 260; ++i)
            mixed[i] = char(std::tolower(mixed[i]));
        const QByteArray fasta = ">long_contig some description\n" + QByteArray::fromStdString(randomDna(1000, 1)) + "\n"
                                 + ">just_over\n" + QByteArray::fromStdString(randomDna(301, 2)) + "\n"
                                 + ">empty_record\n\n"
                                 + ">mixed_case_with_N\n" + QByteArray::fromStdString(mixed) + "\n"
                                 + ">tiny\nAC\n"
                                 + ">short\n" + QByteArray::fromStdString(randomDna(60, 4)) + "\n";
        QVERIFY(f.write(fasta) == fasta.size());
    }

    void aRunWritesTheReferenceLayoutAndOurTables()
    {
        const QString run = m_dir.filePath(QStringLiteral("plain"));
        const RunResult r = attempt(run, parameters(), false);
        QVERIFY2(r.failure.isEmpty(), qPrintable(r.failure));
        QCOMPARE(r.outcome, core::JobOutcome::Finished);
        const QList<QByteArray> lines = file(run, "prediction_results.txt").split('\n');
        QCOMPARE(lines.first(), QByteArray("Sequence_ID\tPrediction\tscore1\tscore2"));
        QVERIFY2(lines.size() > 10, file(run, "summary.json").constData());
        for (qsizetype i = 1; i < lines.size() - 1; ++i) {
            const QList<QByteArray> f = lines[i].split('\t');
            QCOMPARE(f.size(), 4);
            QVERIFY(f[1] == "virus" || f[1] == "others");
            QVERIFY(std::fabs(f[2].toDouble() + f[3].toDouble() - 1.0) < 1e-5);
            QCOMPARE(f[1] == "virus", f[3].toDouble() > f[2].toDouble());
        }
        QVERIFY(lines[1].startsWith("long_contig_chunk_1"));
        const QList<QByteArray> contigs = file(run, "contigs.tsv").split('\n');
        QCOMPARE(contigs.size(), 1 + 5 + 1); // header, five readable contigs, final newline
        QVERIFY(contigs[1].startsWith("long_contig\tcontigs.fa\t1000\t4\t"));
        QVERIFY(file(run, "contigs.tsv").contains("tiny\tcontigs.fa\t2\t1\t0\t0\tNA\tNA\tNA\tunscored"));
        const QJsonObject summary = QJsonDocument::fromJson(file(run, "summary.json")).object();
        QCOMPARE(summary.value(QLatin1String("contigs")).toInt(), 5);
        const QJsonArray warnings = summary.value(QLatin1String("warnings")).toArray();
        QCOMPARE(warnings.size(), 1); // the empty record, named with its file and line
        QVERIFY2(warnings[0].toString().contains(QStringLiteral("contigs.fa")) && warnings[0].toString().contains(QStringLiteral("5")),
                 qPrintable(warnings[0].toString()));
        QVERIFY(file(run, "chunks.tsv").contains("long_contig\t2\t249\t300\t"));
    }

    void aFrameEqualsTheModelsCalledDirectly()
    {
        const QString run = m_dir.filePath(QStringLiteral("plain"));
        const QList<QByteArray> first = file(run, "prediction_results.txt").split('\n')[1].split('\t');
        // Recompute that frame by hand: chunk 1 of long_contig, its frame, both encoders, merge, classify.
        const QList<QByteArray> fasta = readAll(m_fasta).split('\n');
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
        auto classifier = VirusClassifier::load(m_classifier);
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
        const QString run = m_dir.filePath(QStringLiteral("paused"));
        int attempts = 0;
        RunResult r;
        do {
            r = attempt(run, parameters(), true);
            QVERIFY2(r.failure.isEmpty(), qPrintable(r.failure));
            QVERIFY(++attempts < 200);
        } while (r.outcome != core::JobOutcome::Finished);
        QVERIFY2(attempts > 10, qPrintable(QString::number(attempts))); // it really stopped many times
        const QString plain = m_dir.filePath(QStringLiteral("plain"));
        for (const char* name : {"prediction_results.txt", "frames.tsv", "chunks.tsv", "contigs.tsv"})
            QVERIFY2(file(run, name) == file(plain, name), name);
    }

    void shardsSplitOverSeveralDevicesGiveTheSameFiles()
    {
        // Two CPU workers stand in for two GPUs: each loads its own copy of the models on a thread
        // of its own and takes the next shard when it finishes one. Uninterrupted, and paused at
        // every unit, the files are the single-device run's.
        const EncoderDevice cpu = *parseEncoderDevice(QStringLiteral("cpu"));
        const std::vector<EncoderDevice> two{cpu, cpu};
        const QString plain = m_dir.filePath(QStringLiteral("plain")), run = m_dir.filePath(QStringLiteral("spread"));
        const RunResult r = attempt(run, parameters(), false, {}, two);
        QVERIFY2(r.failure.isEmpty() && r.outcome == core::JobOutcome::Finished, qPrintable(r.failure));
        for (const char* name : {"prediction_results.txt", "frames.tsv", "chunks.tsv", "contigs.tsv"})
            QVERIFY2(file(run, name) == file(plain, name), name);
        const QString paused = m_dir.filePath(QStringLiteral("spread-paused"));
        int attempts = 0;
        RunResult p;
        do {
            p = attempt(paused, parameters(), true, {}, two);
            QVERIFY2(p.failure.isEmpty(), qPrintable(p.failure));
            QVERIFY(++attempts < 200);
        } while (p.outcome != core::JobOutcome::Finished);
        QVERIFY2(attempts > 5, qPrintable(QString::number(attempts)));
        for (const char* name : {"prediction_results.txt", "frames.tsv", "chunks.tsv", "contigs.tsv"})
            QVERIFY2(file(paused, name) == file(plain, name), name);
        // A failure on one device fails the run with its reason, the other device's shard saved.
        const RunResult failed = attempt(m_dir.filePath(QStringLiteral("spread-failed")), parameters(), false, {},
                                         {cpu, [&] {
                                              EncoderDevice small = cpu;
                                              small.outOfMemoryAboveTokens = 20; // no frame fits
                                              return small;
                                          }()});
        QVERIFY2(failed.failure.contains(QStringLiteral("a single frame does not fit")), qPrintable(failed.failure));

        // Which devices: auto and cuda (no number) take every CUDA GPU of the lease; cuda:N, N alone.
        auto gpu = [](int i) {
            core::DeviceInfo d;
            d.id = QStringLiteral("cuda:%1").arg(i);
            d.kind = core::DeviceKind::Cuda;
            d.index = i;
            return d;
        };
        core::DeviceLeasePool pool({core::DeviceInfo{}, gpu(0), gpu(1), gpu(2)});
        core::JobRequirements needs{core::DeviceNeed::GpuPreferred, false};
        needs.maxGpus = 2;
        const auto lease = pool.tryAcquire(needs);
        QCOMPARE(lease.lease->devices().size(), 2);
        EncoderDevice first = *parseEncoderDevice(QStringLiteral("cuda:0"));
        first.index = lease.lease->device().index;
        QStringList labels;
        for (const EncoderDevice& d : encoderDevices(first, *parseEncoderDevice(QStringLiteral("auto")), lease.lease.get()))
            labels << d.label();
        QCOMPARE(labels.size(), 2);
        QCOMPARE(labels.first(), first.label());
        QVERIFY(labels.first() != labels.last() && labels.last().startsWith(QStringLiteral("cuda:")));
        QCOMPARE(encoderDevices(first, *parseEncoderDevice(QStringLiteral("cuda")), lease.lease.get()).size(), size_t(2));
        QCOMPARE(encoderDevices(first, *parseEncoderDevice(QStringLiteral("cuda:0")), lease.lease.get()).size(), size_t(1));
        QCOMPARE(encoderDevices(cpu, *parseEncoderDevice(QStringLiteral("auto")), lease.lease.get()).size(), size_t(1));
        QCOMPARE(encoderDevices(first, *parseEncoderDevice(QStringLiteral("auto")), nullptr).size(), size_t(1));
    }

    void damagedCheckpointsAreRecomputed()
    {
        const QString run = m_dir.filePath(QStringLiteral("damaged"));
        QVERIFY(attempt(run, parameters(), false).outcome == core::JobOutcome::Finished);
        // Truncate one ESM shard and empty one merged shard, then run again on the same checkpoints.
        QFile esm(run + QStringLiteral("/checkpoints/esm/shard-00001/tensors.safetensors"));
        QVERIFY(esm.open(QIODevice::ReadWrite));
        QVERIFY(esm.resize(esm.size() / 2));
        esm.close();
        QFile merged(run + QStringLiteral("/checkpoints/merged/shard-00001/tensors.safetensors"));
        QVERIFY(merged.open(QIODevice::WriteOnly | QIODevice::Truncate));
        merged.close();
        QFile::remove(run + QStringLiteral("/checkpoints/classify/shard-00001/manifest.json"));
        const RunResult again = attempt(run, parameters(), false);
        QVERIFY2(again.failure.isEmpty(), qPrintable(again.failure));
        QCOMPARE(again.outcome, core::JobOutcome::Finished);
        QCOMPARE(file(run, "prediction_results.txt"), file(m_dir.filePath(QStringLiteral("plain")), "prediction_results.txt"));
    }

    void unchangedContigsAreReusedByALaterRun()
    {
        const QString run = m_dir.filePath(QStringLiteral("later"));
        QVERIFY(attempt(run, parameters(300, true), false).outcome == core::JobOutcome::Finished);
        const QJsonObject summary = QJsonDocument::fromJson(file(run, "summary.json")).object();
        QCOMPARE(summary.value(QLatin1String("reused_contigs")).toInt(), 5);
        const QString plain = m_dir.filePath(QStringLiteral("plain"));
        QCOMPARE(file(run, "prediction_results.txt"), file(plain, "prediction_results.txt"));
        QByteArray ours = file(run, "contigs.tsv"), before = file(plain, "contigs.tsv");
        QCOMPARE(ours.replace("\tyes\n", "\tno\n"), before);
        // Another chunk length changes the results: nothing is reused.
        const QString other = m_dir.filePath(QStringLiteral("other-length"));
        QVERIFY(attempt(other, parameters(500, true), false).outcome == core::JobOutcome::Finished);
        QCOMPARE(QJsonDocument::fromJson(file(other, "summary.json")).object().value(QLatin1String("reused_contigs")).toInt(), 0);
    }

    void modelsGivenByPathAreChecksummedAsTheRegistryDoes()
    {
        core::ModelRegistry registry(m_dir.filePath(QStringLiteral("registry.json")));
        auto entry = registry.importFolder(QStringLiteral("esm2_tiny"), QStringLiteral("esm2"), fixturePath(QStringLiteral("viral/esm2_tiny")));
        QVERIFY(entry);
        QCOMPARE(*modelDigest(fixturePath(QStringLiteral("viral/esm2_tiny"))), entry->combinedSha256());
        QCOMPARE(modelFingerprint(m_classifier), modelFingerprint(m_classifier));
        QVERIFY(!modelDigest(m_dir.filePath(QStringLiteral("nowhere"))));
        // A run given models by path records their checksums in its provenance.
        QJsonObject p = parameters();
        for (const char* key : {"dnabert_sha256", "esm_sha256", "classifier_sha256"})
            p.remove(QLatin1String(key));
        const QString run = m_dir.filePath(QStringLiteral("by-path"));
        const RunResult r = attempt(run, p, false);
        QVERIFY2(r.failure.isEmpty(), qPrintable(r.failure));
        QCOMPARE(file(run, "prediction_results.txt"), file(m_dir.filePath(QStringLiteral("plain")), "prediction_results.txt"));
    }

    void bfloat16RunsAreRecordedAndKeepTheirOwnResults()
    {
        // The precision is part of the result key: float32 keys are unchanged
        // (older caches stay valid), bf16 ones differ.
        QJsonObject p = parameters(300, true);
        const QString float32Key = PredictSettings::fromParameters(p)->resultKey();
        p.insert(QStringLiteral("precision"), QStringLiteral("fp32"));
        QCOMPARE(PredictSettings::fromParameters(p)->resultKey(), float32Key);
        p.insert(QStringLiteral("precision"), QStringLiteral("bf16"));
        QVERIFY(PredictSettings::fromParameters(p)->resultKey() != float32Key);
        // A bf16 run in a cache full of float32 results computes every contig,
        // records its precision, and scores close to the float32 run.
        const QString run = m_dir.filePath(QStringLiteral("bf16"));
        QVERIFY(attempt(run, p, false).outcome == core::JobOutcome::Finished);
        const QJsonObject summary = QJsonDocument::fromJson(file(run, "summary.json")).object();
        QCOMPARE(summary.value(QLatin1String("reused_contigs")).toInt(), 0);
        QCOMPARE(summary.value(QLatin1String("encoder_precision")).toString(), QStringLiteral("bf16"));
        const QJsonObject plain = QJsonDocument::fromJson(file(m_dir.filePath(QStringLiteral("plain")), "summary.json")).object();
        QCOMPARE(plain.value(QLatin1String("encoder_precision")).toString(), QStringLiteral("fp32"));
        const QList<QByteArray> ours = file(run, "frames.tsv").split('\n'), theirs = file(m_dir.filePath(QStringLiteral("plain")), "frames.tsv").split('\n');
        QCOMPARE(ours.size(), theirs.size());
        double worst = 0;
        QVERIFY(ours.first().contains("\tprediction\tp_"));
        for (qsizetype i = 1; i < ours.size(); ++i) { // after the header: the class probabilities are columns 9 … last-1
            const QList<QByteArray> a = ours[i].split('\t'), b = theirs[i].split('\t');
            QCOMPARE(a.size(), b.size());
            for (qsizetype c = 8; c + 1 < a.size(); ++c)
                worst = std::max(worst, std::fabs(a[c].toDouble() - b[c].toDouble()));
        }
        qInfo("bf16 against fp32, tiny fixture models: frame probability max difference %.3g", worst);
        QVERIFY2(worst > 0 && worst < 0.02, qPrintable(QString::number(worst)));
        // A second bf16 run reuses the first one's results.
        const QString again = m_dir.filePath(QStringLiteral("bf16-again"));
        QVERIFY(attempt(again, p, false).outcome == core::JobOutcome::Finished);
        QCOMPARE(QJsonDocument::fromJson(file(again, "summary.json")).object().value(QLatin1String("reused_contigs")).toInt(), 5);
        QCOMPARE(file(again, "prediction_results.txt"), file(run, "prediction_results.txt"));
    }

    void theDeviceIsParsedResolvedAndLeftOutOfTheResultKey()
    {
        QJsonObject p = parameters();
        const auto byDefault = PredictSettings::fromParameters(p);
        QVERIFY(byDefault);
        QCOMPARE(byDefault->device.label(), QStringLiteral("auto"));
        for (const auto& [text, label] : {std::pair{"cpu", "cpu"}, {"cuda", "cuda"}, {"cuda:1", "cuda:1"}, {" CUDA:0 ", "cuda:0"}, {"auto", "auto"}}) {
            p.insert(QStringLiteral("device"), QLatin1String(text));
            const auto s = PredictSettings::fromParameters(p);
            QVERIFY2(s, text);
            QCOMPARE(s->device.label(), QLatin1String(label));
            // The parameter alone leaves the key: a run that ends up on the CPU keeps older runs' keys.
            QCOMPARE(s->resultKey(), byDefault->resultKey());
        }
        // A result computed on a GPU gets a key of its own (its kernels round differently).
        PredictSettings onGpu = *byDefault;
        onGpu.computedOnCuda = true;
        QVERIFY(onGpu.resultKey() != byDefault->resultKey());
        for (const char* bad : {"gpu", "cuda:", "cuda:x", "cuda:-1", "cuda:+1", "cuda:01", "hip:0", "cuda0"}) {
            p.insert(QStringLiteral("device"), QLatin1String(bad));
            const auto s = PredictSettings::fromParameters(p);
            QVERIFY2(!s, bad);
            QVERIFY2(s.error().message().contains(QLatin1String(bad)) && s.error().message().contains(QLatin1String("cuda:N")),
                     qPrintable(s.error().message()));
        }
        // The CPU asked for is the CPU; auto is the CPU where LibTorch sees no CUDA device.
        QCOMPARE(resolveEncoderDevice(*parseEncoderDevice(QStringLiteral("cpu")))->label(), QStringLiteral("cpu"));
        if (torchCudaDeviceCount() > 0)
            QSKIP("this LibTorch sees a CUDA device: the CPU-only answers are checked where it does not");
        QCOMPARE(resolveEncoderDevice(*parseEncoderDevice(QStringLiteral("auto")))->label(), QStringLiteral("cpu"));
        p.insert(QStringLiteral("device"), QStringLiteral("auto"));
        QCOMPARE(int(PredictJob(*PredictSettings::fromParameters(p)).requirements().device), int(core::DeviceNeed::CpuOnly));
        // cuda asked for where this LibTorch cannot: the run fails before any work, saying why.
        for (const char* asked : {"cuda", "cuda:3"}) {
            const auto refused = resolveEncoderDevice(*parseEncoderDevice(QLatin1String(asked)));
            QVERIFY(!refused);
            QVERIFY2(refused.error().message().startsWith(QStringLiteral("device %1:").arg(QLatin1String(asked))), qPrintable(refused.error().message()));
            QVERIFY2(refused.error().message().contains(torchHasCuda() ? QStringLiteral("sees no CUDA device") : QStringLiteral("has no CUDA")),
                     qPrintable(refused.error().message()));
        }
        p.insert(QStringLiteral("device"), QStringLiteral("cuda:0"));
        const RunResult r = attempt(m_dir.filePath(QStringLiteral("cuda-refused")), p, false);
        QVERIFY2(r.failure.contains(QStringLiteral("device cuda:0")), qPrintable(r.failure));
    }

    void aBatchTheDeviceHasNoMemoryForIsSplitInHalves()
    {
        // The device "has memory" for 150 padded tokens (rows × longest row): the budgets of 200
        // and 300 make batches over it, which fail as out of memory, are split, and later batches
        // are split before they are tried. The results are the plain run's within float rounding
        // (a smaller batch pads less; the masked positions add nothing but the order of sums).
        auto limit = [](int64_t tokens) {
            return [tokens](PredictSettings& s) {
                s.device = *parseEncoderDevice(QStringLiteral("cpu"));
                s.device.outOfMemoryAboveTokens = tokens;
            };
        };
        const QString run = m_dir.filePath(QStringLiteral("out-of-memory"));
        const RunResult r = attempt(run, parameters(), false, limit(150));
        QVERIFY2(r.failure.isEmpty(), qPrintable(r.failure));
        QCOMPARE(r.outcome, core::JobOutcome::Finished);
        for (const char* stage : {"dnabert stage: DNABERT-S on cpu: out of memory for a batch of ", "esm stage: ESM-2 on cpu: out of memory for a batch of "})
            QVERIFY2(!r.warnings.filter(QLatin1String(stage)).isEmpty(), qPrintable(r.warnings.join(QLatin1Char('\n'))));
        QVERIFY2(r.warnings.filter(QStringLiteral("later batches keep under")).size() <= 2 * 8, qPrintable(r.warnings.join(QLatin1Char('\n'))));
        const QList<QByteArray> ours = file(run, "frames.tsv").split('\n'), plain = file(m_dir.filePath(QStringLiteral("plain")), "frames.tsv").split('\n');
        QCOMPARE(ours.size(), plain.size());
        for (qsizetype i = 1; i < ours.size(); ++i) {
            const QList<QByteArray> a = ours[i].split('\t'), b = plain[i].split('\t');
            QCOMPARE(a.size(), b.size());
            for (qsizetype c = 0; c < a.size(); ++c)
                if (c < 8 || c + 1 == a.size())
                    QCOMPARE(a[c], b[c]);
                else
                    QVERIFY2(std::fabs(a[c].toDouble() - b[c].toDouble()) < 1e-5, ours[i].constData());
        }
        // A single frame over the limit: the run fails, saying so, instead of looping.
        const RunResult tooSmall = attempt(m_dir.filePath(QStringLiteral("out-of-memory-single")), parameters(), false, limit(20));
        QVERIFY2(tooSmall.failure.contains(QStringLiteral("a single frame does not fit")) && tooSmall.failure.contains(QStringLiteral("out of memory for a batch of 1 rows")),
                 qPrintable(tooSmall.failure));
    }

    void badSettingsAreRefusedWithAReason()
    {
        QJsonObject p0 = parameters();
        p0.insert(QStringLiteral("precision"), QStringLiteral("fp16"));
        const auto bad = PredictSettings::fromParameters(p0);
        QVERIFY(!bad);
        QVERIFY2(bad.error().message().contains(QStringLiteral("fp16")) && bad.error().message().contains(QStringLiteral("bf16")),
                 qPrintable(bad.error().message()));
        QJsonObject p = parameters();
        p.insert(QStringLiteral("contig_rule"), QStringLiteral("median"));
        QVERIFY(!PredictSettings::fromParameters(p));
        p = parameters();
        p.insert(QStringLiteral("inputs"), QJsonArray{});
        QVERIFY(!PredictSettings::fromParameters(p));
        p = parameters();
        p.insert(QStringLiteral("inputs"), QJsonArray{m_dir.filePath(QStringLiteral("missing.fa"))});
        const RunResult r = attempt(m_dir.filePath(QStringLiteral("missing")), p, false);
        QVERIFY(r.failure.contains(QStringLiteral("missing.fa")));
    }
};

QTEST_GUILESS_MAIN(TstPredictJob)
#include "tst_predict_job.moc"
