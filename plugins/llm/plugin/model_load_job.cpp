#include "model_load_job.h"

#include "gguf/gguf_file.h"
#include "jobs/job_context.h"
#include "model/model_config.h"
#include "model/model_weights.h"
#include "tokenizer/vocab.h"

#include <QCryptographicHash>
#include <QFile>

namespace bioforge::llm {

core::JobOutcome ModelLoadJob::run(core::JobContext& ctx)
{
    QFile file(m_path);
    if (!file.open(QIODevice::ReadOnly))
        throw core::JobFailure(QStringLiteral("%1: cannot open: %2").arg(m_path, file.errorString()));
    constexpr qint64 kChunk = 4 << 20;
    ctx.defineStages({{QStringLiteral("read"), QStringLiteral("Read and hash"), 9}, {QStringLiteral("check"), QStringLiteral("Check"), 1}});
    ctx.beginStage(QStringLiteral("read"), (file.size() + kChunk - 1) / kChunk);
    QCryptographicHash hash(QCryptographicHash::Sha256);
    QByteArray buffer;
    while (!file.atEnd()) {
        buffer = file.read(kChunk);
        if (buffer.isEmpty() && file.error() != QFileDevice::NoError)
            throw core::JobFailure(QStringLiteral("%1: read error: %2").arg(m_path, file.errorString()));
        hash.addData(buffer);
        ctx.advance();
        if (ctx.stopRequested())
            return ctx.stopRequest() == core::StopRequest::Pause ? core::JobOutcome::Paused : core::JobOutcome::Cancelled;
    }
    m_sha256 = QString::fromLatin1(hash.result().toHex());
    ctx.beginStage(QStringLiteral("check"), 1);
    auto gguf = GgufFile::open(m_path);
    if (!gguf)
        throw core::JobFailure(gguf.error());
    auto vocab = Vocab::fromGguf(**gguf);
    if (!vocab)
        throw core::JobFailure(vocab.error());
    auto config = ModelConfig::fromGguf(**gguf);
    if (!config)
        throw core::JobFailure(config.error());
    auto weights = ModelWeights::fromGguf(**gguf, *config);
    if (!weights)
        throw core::JobFailure(weights.error());
    ctx.advance();
    return core::JobOutcome::Finished;
}

} // namespace bioforge::llm
