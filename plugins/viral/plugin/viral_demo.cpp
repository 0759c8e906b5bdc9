#include "viral_demo.h"

#include "io/atomic_file.h"
#include "model/classifier_writer.h"
#include "pipeline/validate_job.h"

#include <QDir>
#include <QFileInfo>
#include <QJsonArray>

#include <random>

namespace bioforge::viral {

QString viralFixturesDir()
{
    for (const QString& candidate : {qEnvironmentVariable("BIOFORGE_FIXTURES_DIR"), QStringLiteral(BIOFORGE_CONFIGURED_FIXTURES_DIR)})
        if (!candidate.isEmpty() && QFileInfo(QDir(candidate).filePath(QStringLiteral("viral/esm2_tiny/config.json"))).isFile())
            return QDir(candidate).filePath(QStringLiteral("viral"));
    return {};
}

std::optional<core::DemoRun> viralDemoRun(const QString& dataDir)
{
    const QString fixtures = viralFixturesDir();
    if (fixtures.isEmpty())
        return std::nullopt;
    const QDir dir(dataDir);
    const QString fasta = dir.filePath(QStringLiteral("demo-data/viral-demo-contigs.fa"));
    const QString classifier = dir.filePath(QStringLiteral("demo-models/viral-test-classifier.safetensors"));
    if (!QFileInfo::exists(fasta)) {
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
        if (!core::AtomicFile::write(fasta, text))
            return std::nullopt;
    }
    if (!QFileInfo::exists(classifier)) {
        QDir().mkpath(QFileInfo(classifier).absolutePath());
        // The fixture encoders are 64 wide each.
        if (!writeRandomClassifier(classifier, 128, 32, 2026))
            return std::nullopt;
    }
    return core::DemoRun{QStringLiteral("predict"),
                         QJsonObject{{QStringLiteral("inputs"), QJsonArray{fasta}},
                                     {QStringLiteral("dnabert"), QDir(fixtures).filePath(QStringLiteral("dnabert_s_tiny"))},
                                     {QStringLiteral("esm"), QDir(fixtures).filePath(QStringLiteral("esm2_tiny"))},
                                     {QStringLiteral("classifier"), classifier},
                                     {QStringLiteral("shard_frames"), 64}},
                         QStringLiteral("VirNucPro demo on synthetic contigs with TEST models (random weights: the calls mean nothing)")};
}

} // namespace bioforge::viral
