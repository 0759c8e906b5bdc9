#include "generate_job.h"

#include "checkpoint/checkpoint_store.h"
#include "cli/command_support.h"
#include "compute/device_choice.h"
#include "compute/host_memory.h"

#include "gguf/gguf_file.h"
#include "io/atomic_file.h"
#include "io/safetensors_writer.h"
#include "io/sha256.h"
#include "jobs/clock.h"
#include "jobs/job_context.h"
#include "model/llama_model.h"
#include "provenance/provenance_recorder.h"
#include "runtime/conversation.h"
#include "tokenizer/tokenizer.h"

#include <QDir>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>

namespace bioforge::llm {
namespace {
// The tokens generated before a pause (or a periodic checkpoint), the sampler's state and the KV cache (GenerateJob::keepGeneration).
constexpr const char* kPausedGenerationKey = "generate/tokens";
} // namespace


core::JobOutcome GenerateJob::run(core::JobContext& ctx)
{
    const QJsonObject& p = m_parameters;
    const QString path = m_model.path;
    // The bar's shares: generating a token takes about what loading takes per 16 tokens and reading
    // a prompt (a batch) about what loading does, so that generation has its share of the bar (it had
    // 4 of 6 whatever --n: 39 % at 8 % of 12000 tokens, trial 24 T24-7).
    const double generateWeight = std::max(4.0, p.value(QLatin1String("n")).toInt(128) / 16.0);
    ctx.defineStages({{QStringLiteral("load"), QStringLiteral("Load model"), 1},
                      {QStringLiteral("prompt"), QStringLiteral("Read prompt"), 1}, // until the prompt is in the KV cache
                      {QStringLiteral("generate"), QStringLiteral("Generate"), generateWeight, QStringLiteral("tokens")}}); // "tokens/s", not "units/s" (trial 21)
    ctx.beginStage(QStringLiteral("load"), 1);
    // The model file is pinned by its SHA-256: where it is there and refused (not GGUF, truncated, a
    // vocabulary it cannot read), a resume would read the same bytes and fail the same way (it was
    // offered to resume: trial 19). One that cannot be opened may be restored.
    const auto modelFailure = [&path](const core::Error& e) {
        return QFileInfo(path).isFile() && QFileInfo(path).isReadable() ? core::JobFailure::needingNewRun(e.message()) : core::JobFailure(e);
    };
    auto file = GgufFile::open(path);
    if (!file)
        throw modelFailure(file.error());
    std::shared_ptr<const GgufFile> shared(std::move(*file));
    recordModel(ctx, *shared);
    auto vocab = Vocab::fromGguf(*shared);
    if (!vocab)
        throw modelFailure(vocab.error());
    Tokenizer tokenizer(*vocab);
    QString threadNote;
    const int threads = usableThreads(p.value(QLatin1String("threads")).toInt(availableCpuThreads()), &threadNote);
    if (!threadNote.isEmpty())
        ctx.warn(QStringLiteral("threads: %1").arg(threadNote));
    const auto device = parseDevice(p.value(QLatin1String("device")).toString(QStringLiteral("cpu")));
    if (!device)
        throw core::JobFailure(device.error());
    auto options = backendOptions(*device, threads, *shared);
    if (!options)
        throw core::JobFailure(options.error());
    auto model = LlamaModel::load(shared, *options);
    if (!model)
        throw core::JobFailure(model.error());
    ctx.provenance().addLibrary(QStringLiteral("llm back-end"), QStringLiteral("%1, %2 threads").arg(QString::fromStdString((*model)->backend().name()),
                                                                                                     QString::number((*model)->threads())));
    ctx.advance();
    if (ctx.stopRequested())
        return ctx.stopRequest() == core::StopRequest::Pause ? core::JobOutcome::Paused : core::JobOutcome::Cancelled;

    GenerationRequest request;
    auto prompt = cli::promptFrom(p, QStringLiteral("prompt"), QStringLiteral("prompt_file"), false);
    if (!prompt) // checked when the run began: the file changed or went since (its checksum is checked on resume)
        throw prompt.error().kind() == core::Error::Kind::Invalid ? core::JobFailure::needingNewRun(prompt.error().message()) : core::JobFailure(prompt.error());
    request.prompt = std::move(*prompt);
    request.maxTokens = p.value(QLatin1String("n")).toInt(128);
    request.sampling.temperature = float(p.value(QLatin1String("temp")).toDouble(0.8));
    request.sampling.topK = p.value(QLatin1String("top_k")).toInt(40);
    request.sampling.topP = float(p.value(QLatin1String("top_p")).toDouble(0.95));
    request.sampling.minP = float(p.value(QLatin1String("min_p")).toDouble(0.05));
    request.sampling.repeatPenalty = float(p.value(QLatin1String("repeat_penalty")).toDouble(1.0));
    request.sampling.seed = uint64_t(p.value(QLatin1String("seed")).toInteger(42));
    request.sampling.repeatLastN = p.value(QLatin1String("repeat_last_n")).toInt(64);
    request.parseSpecialInPrompt = p.value(QLatin1String("special")).toBool(false);
    ctx.provenance().addInputData(QStringLiteral("prompt"), QByteArray::fromStdString(request.prompt));
    ctx.beginStage(QStringLiteral("prompt"), 1);
    QString contextNote;
    const int64_t context = core::orThrow(cli::chosenContext(p.value(QLatin1String("ctx")).toInt(0), (*model)->config().contextLength, &contextNote));
    if (!contextNote.isEmpty())
        ctx.warn(contextNote);
    if (core::Status st = (*model)->checkCache(context); !st)
        throw core::JobFailure(st.error());
    Conversation conversation(**model, tokenizer, context);
    int64_t continued = 0;
    if (auto paused = pausedGeneration(ctx, request.maxTokens)) {
        const int64_t tokens = int64_t(paused->tokens.size());
        if (core::Status st = conversation.resume(std::move(*paused), request); st) {
            continued = tokens;
        } else { // a checkpoint its manifest verified, but of another context, model or prompt
            ctx.warn(QStringLiteral("the %1 tokens generated before the pause cannot be continued (%2): generating from the prompt again")
                         .arg(tokens)
                         .arg(st.error().message()));
            (void)ctx.checkpoints().remove(QLatin1String(kPausedGenerationKey));
        }
    }
    // A prompt refused (too long, empty) or stopped before it is read leaves the run in "Read
    // prompt": its progress counts the model loaded, not a step of generation.
    GenerationEvents events;
    events.onPromptEvaluated = [&](int64_t) {
        ctx.advance();
        ctx.beginStage(QStringLiteral("generate"), request.maxTokens);
        ctx.advanceReused(continued); // put back from the checkpoint: no evidence of the rate
    };
    events.onText = [&](const std::string&, TokenId) { ctx.advance(); };
    events.stopRequested = [&] { return ctx.stopRequested(); };
    // A checkpoint every --checkpoint_every seconds of generation (the first that long after the
    // prompt), so that a crash loses only what came after it; not more often than ten times the time
    // writing one took (a large model's KV cache is gigabytes), and no more once one failed (said once).
    const qint64 everyMs = qint64(p.value(QLatin1String("checkpoint_every")).toInt(60)) * 1000;
    qint64 nextSnapshotMs = ctx.clock().nowMs() + everyMs;
    bool snapshots = everyMs > 0;
    // A snapshot holds two copies of the KV cache's used positions for a moment (copied out, then
    // serialized): skipped, said once, where they would not fit in half the memory available — an
    // out-of-memory kill would end the run it is there to save (review 69 R69-7). A pause still keeps it.
    const qint64 bytesPerToken = 2 * (*model)->config().layers * (*model)->config().kvWidth() * qint64(sizeof(float));
    bool saidTooLarge = false;
    events.snapshotWanted = [&] {
        if (!snapshots || ctx.clock().nowMs() < nextSnapshotMs)
            return false;
        const qint64 needed = 2 * bytesPerToken * conversation.contextUsed();
        if (const auto available = core::availableMemoryBytes(); available && needed > *available / 2) {
            nextSnapshotMs = ctx.clock().nowMs() + everyMs;
            if (!saidTooLarge)
                ctx.warn(QStringLiteral("the periodic checkpoint of the generation is skipped: writing it needs %1 MiB more memory for a moment (the KV "
                                        "cache copied) and %2 MiB are available; a pause (Ctrl-C) still keeps the tokens so far")
                             .arg(needed >> 20)
                             .arg(*available >> 20));
            saidTooLarge = true;
            return false;
        }
        return true;
    };
    events.onSnapshot = [&](PausedGeneration&& state) {
        const qint64 started = ctx.clock().nowMs();
        const core::Status st = state.samplerState.empty()
                                    ? core::Status(core::Error(QStringLiteral("not enough memory to copy the KV cache"), core::Error::Kind::Failed))
                                    : keepGeneration(ctx, state, (*model)->config().layers);
        const qint64 now = ctx.clock().nowMs();
        nextSnapshotMs = now + std::max(everyMs, 10 * (now - started));
        if (!st) {
            snapshots = false;
            ctx.warn(QStringLiteral("the generation's checkpoint could not be written (%1): it goes on without one, and a crash now loses every token "
                                    "since the last one kept")
                         .arg(st.error().message()));
        }
    };
    auto result = conversation.generate(request, events);
    // A prompt the context cannot hold (or an empty one: Kind::Invalid) is the run's own parameter: a
    // resume would read it the same way (JobFailure marks it so).
    if (!result)
        throw core::JobFailure(result.error());
    if (result->stop == GenerationResult::Stop::Cancelled) {
        if (ctx.stopRequest() != core::StopRequest::Pause)
            return core::JobOutcome::Cancelled;
        // Stopped while the prompt was read (nothing to continue): the checkpoint held, if any, stays.
        if (result->paused) {
            // Lost, the pause costs the tokens' time again, not the run: it is still paused, and says so.
            if (core::Status st = keepGeneration(ctx, *result->paused, (*model)->config().layers); !st)
                ctx.warn(QStringLiteral("the %1 tokens generated before the pause were not kept (%2): resumed, the run generates them again (or those of "
                                        "its last periodic checkpoint)")
                             .arg(result->paused->tokens.size())
                             .arg(st.error().message()));
        } else if (!result->tokens.empty())
            ctx.warn(QStringLiteral("the %1 tokens generated before the pause were not kept (not enough memory to copy the KV cache): resumed, the run "
                                    "generates them again")
                         .arg(result->tokens.size()));
        return core::JobOutcome::Paused;
    }

    const QDir out(ctx.outputDir());
    const QString text = QString::fromStdString(result->text);
    // Prompt and response verbatim, each in a fenced block longer than any run of backticks in it: a
    // "## Response" line or HTML typed in a prompt is text, not a second heading (trial 19).
    const auto fenced = [](const QString& verbatim) {
        qsizetype longest = 0, run = 0;
        for (const QChar c : verbatim) {
            run = c == QLatin1Char('`') ? run + 1 : 0;
            longest = std::max(longest, run);
        }
        const QString fence(std::max<qsizetype>(3, longest + 1), QLatin1Char('`'));
        return fence + QStringLiteral("text\n") + verbatim + (verbatim.endsWith(QLatin1Char('\n')) ? QString() : QStringLiteral("\n")) + fence + QLatin1Char('\n');
    };
    core::orThrow(core::AtomicFile::write(out.filePath(QStringLiteral("response.md")),
                                          (QStringLiteral("## Prompt\n\n") + fenced(QString::fromStdString(request.prompt)) + QStringLiteral("\n## Response\n\n")
                                           + fenced(text))
                                              .toUtf8()));
    QJsonArray ids;
    for (TokenId id : result->tokens)
        ids.append(id);
    const QJsonObject summary{{QStringLiteral("model"), m_model.name.isEmpty() ? QFileInfo(path).fileName() : m_model.name},
                              {QStringLiteral("context"), double(context)},
                              // What the model is (the chat page's card): the report says what answered.
                              {QStringLiteral("architecture"), QString::fromStdString((*model)->config().architecture)},
                              {QStringLiteral("trainedContext"), double((*model)->config().contextLength)},
                              {QStringLiteral("layers"), double((*model)->config().layers)},
                              {QStringLiteral("embedding"), double((*model)->config().embedding)},
                              {QStringLiteral("vocabulary"), double((*model)->config().vocabSize)},
                              {QStringLiteral("promptTokens"), double(result->promptTokens)},
                              {QStringLiteral("generatedTokens"), double(result->tokens.size())},
                              {QStringLiteral("stop"), QLatin1String(stopName(result->stop))},
                              {QStringLiteral("tokens"), ids},
                              {QStringLiteral("prompt"), QString::fromStdString(request.prompt)},
                              {QStringLiteral("text"), text}};
    core::orThrow(core::AtomicFile::write(out.filePath(QStringLiteral("generation.json")), QJsonDocument(summary).toJson()));
    // Timings vary from run to run: kept apart from the deterministic outputs.
    const QJsonObject timings{{QStringLiteral("promptSeconds"), result->promptSeconds},
                              {QStringLiteral("generationSeconds"), result->generationSeconds},
                              {QStringLiteral("threads"), threads},
                              // Tokens generated before a pause and read back, not generated, by this run.
                              {QStringLiteral("continuedAfterTokens"), double(continued)},
                              {QStringLiteral("backend"), QString::fromStdString((*model)->backend().name())}};
    core::orThrow(core::AtomicFile::write(out.filePath(QStringLiteral("timings.json")), QJsonDocument(timings).toJson()));
    ctx.provenance().addOutput(QStringLiteral("response"), QStringLiteral("response.md"));
    ctx.provenance().addOutput(QStringLiteral("generation"), QStringLiteral("generation.json"));
    ctx.provenance().addOutput(QStringLiteral("timings (vary from run to run)"), QStringLiteral("timings.json"));
    // Nothing is left to continue: a periodic checkpoint's KV cache (gigabytes for a large model)
    // does not stay behind in checkpoints/ (review 69 R69-8).
    (void)ctx.checkpoints().remove(QLatin1String(kPausedGenerationKey));
    return core::JobOutcome::Finished;
}

std::optional<PausedGeneration> GenerateJob::pausedGeneration(core::JobContext& ctx, int maxTokens)
{
    auto saved = ctx.checkpoints().loadOrDiscard(QLatin1String(kPausedGenerationKey));
    if (!saved)
        return std::nullopt;
    PausedGeneration c;
    const QJsonObject& state = saved->state;
    const QJsonArray tokens = state.value(QLatin1String("tokens")).toArray();
    c.samplerState = state.value(QLatin1String("sampler")).toString().toStdString();
    c.keep = state.value(QLatin1String("keep")).toInteger(-1);
    c.shifted = state.value(QLatin1String("shifted")).toBool();
    bool valid = !c.samplerState.empty() && tokens.size() <= maxTokens && saved->tensors;
    for (const QJsonValue& t : tokens) {
        valid = valid && t.isDouble() && t.toDouble() == double(t.toInt(-1)) && t.toInt(-1) >= 0;
        c.tokens.push_back(TokenId(t.toInt()));
    }
    if (valid) {
        auto cacheTokens = saved->tensors->toInt64(QStringLiteral("cache_tokens"));
        auto keys = saved->tensors->toFloat(QStringLiteral("keys"));
        auto values = saved->tensors->toFloat(QStringLiteral("values"));
        auto logits = saved->tensors->toFloat(QStringLiteral("logits"));
        valid = cacheTokens && keys && values && logits;
        if (valid) {
            for (const qint64 t : *cacheTokens)
                c.cacheTokens.push_back(t >= 0 && t <= INT32_MAX ? TokenId(t) : kNoToken); // out of range: refused by the conversation
            c.keys = std::move(*keys);
            c.values = std::move(*values);
            c.logits = std::move(*logits);
        }
    }
    if (!valid) { // verified by its manifest, so written so: a layout this version does not read
        ctx.warn(QStringLiteral("the checkpoint of the tokens generated before the pause holds no generation this version reads: generating from the prompt again"));
        (void)ctx.checkpoints().remove(QLatin1String(kPausedGenerationKey)); // said once, not at every resume
        return std::nullopt;
    }
    return c;
}

core::Status GenerateJob::keepGeneration(core::JobContext& ctx, const PausedGeneration& c, int64_t layers)
{
    QJsonArray ids;
    for (const TokenId id : c.tokens)
        ids.append(id);
    const qint64 positions = qint64(c.cacheTokens.size());
    const qint64 width = layers > 0 && positions > 0 ? qint64(c.keys.size()) / (layers * positions) : 0;
    // The floats as they lie (no copy beside the file's bytes: a large model's cache is gigabytes).
    const auto bytesOf = [](const std::vector<float>& v) { return QByteArray::fromRawData(reinterpret_cast<const char*>(v.data()), qsizetype(v.size() * sizeof(float))); };
    core::Status st = core::okStatus();
    try {
        core::SafetensorsWriter tensors;
        const std::vector<qint64> cacheTokens(c.cacheTokens.begin(), c.cacheTokens.end());
        st = tensors.addI64(QStringLiteral("cache_tokens"), {positions}, cacheTokens);
        if (st)
            st = tensors.add(QStringLiteral("keys"), core::DType::F32, {layers, positions, width}, bytesOf(c.keys));
        if (st)
            st = tensors.add(QStringLiteral("values"), core::DType::F32, {layers, positions, width}, bytesOf(c.values));
        if (st)
            st = tensors.add(QStringLiteral("logits"), core::DType::F32, {qint64(c.logits.size())}, bytesOf(c.logits));
        if (st)
            st = ctx.checkpoints().save(QLatin1String(kPausedGenerationKey),
                                        {{QStringLiteral("tokens"), ids},
                                         {QStringLiteral("sampler"), QString::fromStdString(c.samplerState)},
                                         {QStringLiteral("keep"), qint64(c.keep)},
                                         {QStringLiteral("shifted"), c.shifted}},
                                        &tensors);
    } catch (const std::bad_alloc&) {
        st = core::Error(QStringLiteral("not enough memory to write the KV cache out"), core::Error::Kind::Failed);
    }
    return st;
}

void GenerateJob::recordModel(core::JobContext& ctx, const GgufFile& file) const
{
    core::orThrow(ctx.provenance().addInputFile(QStringLiteral("model"), m_model.path));
    if (!m_model.name.isEmpty()) {
        // The registry's checksum of the file must be the file's now (a size-preserving edit passes
        // the resolver's size check): a result recorded under the registry's name is that model's.
        QString now;
        for (const core::FileRef& input : ctx.provenance().inputs())
            if (input.path == QFileInfo(m_model.path).absoluteFilePath())
                now = input.sha256;
        if (!m_model.sha256.isEmpty() && !now.isEmpty() && now != m_model.sha256)
            throw core::JobFailure(core::Error(QStringLiteral("model '%1': %2 has SHA-256 %3, the registry recorded %4: the file changed since it was registered "
                                                              "(bioforge models verify %1)")
                                                   .arg(m_model.name, m_model.path, now, m_model.sha256),
                                               core::Error::Kind::Failed));
        ctx.provenance().addModel({m_model.name, m_model.revision, m_model.sha256, m_model.path});
    }
    // Random weights write random text: say so wherever the result is read.
    const std::string name = file.stringOr("general.name", "");
    if (m_model.testModel || name.rfind("bioforge-synthetic-", 0) == 0)
        ctx.warn(QStringLiteral("the model %1 is a TEST model with random weights (%2): its text means nothing")
                     .arg(m_model.name.isEmpty() ? QFileInfo(m_model.path).fileName() : m_model.name,
                          m_model.testModel ? QStringLiteral("registered as a test model") : QStringLiteral("general.name %1").arg(QString::fromStdString(name))));
}

} // namespace bioforge::llm
