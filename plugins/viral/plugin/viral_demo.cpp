#include "viral_demo.h"

#include "io/atomic_file.h"
#include "model/classifier_writer.h"
#include "model/encoder_templates.h"
#include "model/synthetic_encoders.h"
#include "model_resolver.h"
#include "models/model_registry.h"
#include "pipeline/validate_job.h"

#include <QDir>
#include <QFileInfo>
#include <QJsonArray>
#include <QTemporaryDir>

#include <random>

namespace bioforge::viral {

namespace {

constexpr EncoderShape kDemoShape{2, 64, 4, 128}; // tiny: the demo shows the workflow, not the science

core::Status writeDemoFasta(const QString& fasta)
{
    QDir().mkpath(QFileInfo(fasta).absolutePath());
    QByteArray text;
    std::mt19937 rng(2026);
    for (int i = 0; i < 14; ++i) {
        const size_t length = 150 + size_t(rng() % 2400);
        std::string seq = ValidateJob::syntheticContig(length, uint32_t(100 + i));
        if (i % 5 == 4) // now and then a stretch of unknown bases
            seq.replace(length / 3, 20, std::string(20, 'N'));
        text += ">synthetic_contig_" + QByteArray::number(i + 1) + " synthetic test sequence\n" + QByteArray::fromStdString(seq) + "\n";
    }
    return core::AtomicFile::write(fasta, text);
}

// An encoder folder, synthesized once: template files, then random weights at kDemoShape.
core::Status writeDemoEncoder(const QString& folder, bool esm)
{
    if (QFileInfo::exists(QDir(folder).filePath(QStringLiteral("model.safetensors"))))
        return core::okStatus();
    QTemporaryDir scratch;
    if (!scratch.isValid())
        return core::Error(QStringLiteral("cannot create a temporary folder: %1").arg(scratch.errorString()));
    if (auto st = esm ? writeEsm2Template(scratch.path()) : writeDnabertTemplate(scratch.path()); !st)
        return st;
    return esm ? writeSyntheticEsm2(folder, kDemoShape, scratch.path(), 2026) : writeSyntheticDnabert(folder, kDemoShape, scratch.path(), 2027);
}

} // namespace

core::DemoRun viralDemoRun(const QString& dataDir, core::ModelRegistry* registry)
{
    core::DemoRun run{QStringLiteral("predict"), {},
                      QStringLiteral("VirNucPro demo on synthetic contigs with TEST models (random weights: the calls mean nothing)"), {}};
    const QDir dir(dataDir);
    const QString fasta = dir.filePath(QStringLiteral("demo-data/viral-demo-contigs.fa"));
    const QString dnabert = dir.filePath(QStringLiteral("demo-models/viral-test-dnabert-s"));
    const QString esm = dir.filePath(QStringLiteral("demo-models/viral-test-esm2"));
    const QString classifier = dir.filePath(QStringLiteral("demo-models/viral-test-classifier/classifier.safetensors"));
    core::Status st;
    if (!QFileInfo::exists(fasta))
        st = writeDemoFasta(fasta);
    if (st)
        st = writeDemoEncoder(dnabert, false);
    if (st)
        st = writeDemoEncoder(esm, true);
    if (st && !QFileInfo::exists(classifier)) {
        QDir().mkpath(QFileInfo(classifier).absolutePath());
        st = writeRandomClassifier(classifier, 2 * kDemoShape.hidden, 32, 2026); // [DNABERT | ESM] features
    }
    if (!st) {
        run.unavailable = QStringLiteral("the demo's test models could not be written under %1: %2").arg(dataDir, st.error().message());
        return run;
    }
    // Registered by name (kind, checksums) as test models; the run then names
    // them as any registered model. Without a registry, by path.
    QString models[3] = {dnabert, esm, classifier};
    if (registry) {
        const std::pair<QString, ModelRole> entries[3] = {{QStringLiteral("viral-test-dnabert-s"), ModelRole::Dnabert},
                                                          {QStringLiteral("viral-test-esm2"), ModelRole::Esm},
                                                          {QStringLiteral("viral-test-classifier"), ModelRole::Classifier}};
        for (int i = 0; i < 3; ++i) {
            const QString folder = i == 2 ? QFileInfo(classifier).absolutePath() : models[i];
            auto entry = registry->registerTestModel(entries[i].first, QLatin1String(modelKind(entries[i].second)), folder);
            if (!entry) {
                run.unavailable = QStringLiteral("the demo's test model %1 could not be registered: %2").arg(entries[i].first, entry.error().message());
                return run;
            }
            models[i] = entry->name;
        }
    }
    run.parameters = QJsonObject{{QStringLiteral("inputs"), QJsonArray{fasta}},
                                 {QStringLiteral("dnabert"), models[0]},
                                 {QStringLiteral("esm"), models[1]},
                                 {QStringLiteral("classifier"), models[2]},
                                 {QStringLiteral("shard_frames"), 64}};
    return run;
}

} // namespace bioforge::viral
