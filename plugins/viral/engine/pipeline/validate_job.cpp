#include "pipeline/validate_job.h"

#include "checkpoint/checkpoint_store.h"
#include "io/atomic_file.h"
#include "jobs/clock.h"
#include "jobs/job_context.h"
#include "model/dnabert_model.h"
#include "model/esm2_model.h"
#include "model/torch_runtime.h"
#include "model/virus_classifier.h"
#include "pipeline/predict_job.h"
#include "provenance/provenance_recorder.h"

#include <QDir>
#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>

#include <random>

namespace bioforge::viral {

using core::JobFailure;

std::string ValidateJob::syntheticContig(size_t length, uint32_t seed)
{
    std::mt19937 rng(seed);
    std::string s;
    while (s.size() < length) {
        const std::string codon{"ACGT"[rng() % 4], "ACGT"[rng() % 4], "ACGT"[rng() % 4]};
        if (codon != "TAA" && codon != "TAG" && codon != "TGA")
            s += codon;
    }
    s.resize(length);
    return s;
}

core::JobOutcome ValidateJob::run(core::JobContext& ctx)
{
    ctx.defineStages({{QStringLiteral("load"), QStringLiteral("Load the models"), 0.6}, {QStringLiteral("run"), QStringLiteral("Run a tiny input"), 0.4}});
    ctx.beginStage(QStringLiteral("load"), 3);
    QJsonObject report;
    QElapsedTimer timer;
    timer.start();
    const EncoderDevice device = core::orThrow(resolveEncoderDevice(m_settings.device, leasedCudaIndex(ctx)));
    report.insert(QStringLiteral("device"), device.isCuda() ? device.label() : QStringLiteral("cpu"));
    auto dna = DnabertModel::load(m_settings.dnabert.path, m_settings.precision, device);
    if (!dna)
        throw JobFailure(dna.error().withContext(QStringLiteral("DNABERT-S model '%1'").arg(m_settings.dnabert.name)));
    ctx.advance();
    auto esm = Esm2Model::load(m_settings.esm.path, m_settings.precision, device);
    if (!esm)
        throw JobFailure(esm.error().withContext(QStringLiteral("ESM-2 model '%1'").arg(m_settings.esm.name)));
    ctx.advance();
    auto classifier = VirusClassifier::load(m_settings.classifier.path);
    if (!classifier)
        throw JobFailure(classifier.error().withContext(QStringLiteral("classifier '%1'").arg(m_settings.classifier.name)));
    ctx.advance();
    const int64_t width = (*dna)->config().hidden + (*esm)->config().hidden;
    if (width != (*classifier)->spec().inputDim)
        throw JobFailure(QStringLiteral("DNABERT-S (%1) + ESM-2 (%2) give %3 features per frame, but the classifier takes %4: these models do not belong together")
                             .arg(QString::number((*dna)->config().hidden), QString::number((*esm)->config().hidden), QString::number(width),
                                  QString::number((*classifier)->spec().inputDim)));
    report.insert(QStringLiteral("load_ms"), double(timer.elapsed()));
    report.insert(QStringLiteral("dnabert"), QJsonObject{{QStringLiteral("hidden"), double((*dna)->config().hidden)}, {QStringLiteral("layers"), double((*dna)->config().layers)}});
    report.insert(QStringLiteral("esm"), QJsonObject{{QStringLiteral("hidden"), double((*esm)->config().hidden)}, {QStringLiteral("layers"), double((*esm)->config().layers)}});
    report.insert(QStringLiteral("classifier"), QJsonObject{{QStringLiteral("input_dim"), double((*classifier)->spec().inputDim)},
                                                            {QStringLiteral("classes"), QJsonArray::fromStringList((*classifier)->spec().classes)}});
    dna->reset();
    esm->reset();

    // The whole pipeline on one small contig, in a scratch folder of this run; its checkpoints in the
    // run's own checkpoint folder, where `bioforge inspect <run>` and the Checkpoints dock look (they
    // were in the scratch folder, and inspect said the run had none: trial 18).
    ctx.beginStage(QStringLiteral("run"), 1);
    const QDir scratch(QDir(ctx.outputDir()).filePath(QStringLiteral("validation")));
    QDir().mkpath(scratch.filePath(QStringLiteral("out")));
    const QString fasta = scratch.filePath(QStringLiteral("tiny.fa"));
    core::orThrow(core::AtomicFile::write(fasta, ">validation_contig\n" + QByteArray::fromStdString(syntheticContig(size_t(2 * m_settings.chunkLength + 17), 7)) + "\n"));
    // A resumed validate run checks the models again: the tiny pipeline's entries of an earlier try
    // are removed, so that it is computed, not read back.
    for (const QString& key : ctx.checkpoints().keys())
        core::orThrow(ctx.checkpoints().remove(key));
    PredictSettings tiny = m_settings;
    tiny.inputs = {fasta};
    tiny.reuseResults = false;
    core::ProvenanceRecorder provenance(scratch.filePath(QStringLiteral("out")));
    core::JobContext inner(ctx.runId() + QStringLiteral("-validation"), ctx.clock(),
                           {&ctx.checkpoints(), &provenance, ctx.device(), scratch.filePath(QStringLiteral("out")), QString()}); // the same GPU lease
    timer.restart();
    if (PredictJob(tiny).run(inner) != core::JobOutcome::Finished)
        throw JobFailure(QStringLiteral("the tiny pipeline run did not finish"));
    const QJsonObject summary = QJsonDocument::fromJson(core::orThrow(core::AtomicFile::readVerified(scratch.filePath(QStringLiteral("out/summary.json"))))).object();
    report.insert(QStringLiteral("pipeline_ms"), double(timer.elapsed()));
    report.insert(QStringLiteral("tiny_run"), summary);
    report.insert(QStringLiteral("ok"), true);
    core::orThrow(core::AtomicFile::write(QDir(ctx.outputDir()).filePath(QStringLiteral("validation.json")), QJsonDocument(report).toJson()));
    ctx.provenance().addOutput(QStringLiteral("validation"), QStringLiteral("validation.json"));
    ctx.advance();
    return core::JobOutcome::Finished;
}

} // namespace bioforge::viral
