#pragma once

// Synthesized models the llm tests share: their specs and a model loaded with its tokenizer on the CPU.

#include "gguf/gguf_file.h"
#include "model/llama_model.h"
#include "synth/model_synthesizer.h"
#include "tokenizer/tokenizer.h"

#include <QString>

#include <memory>

namespace bioforge::llm {

// 2 layers, 4 heads of 16, 2 key/value heads, feed-forward 128, 600 tokens, Q8_0.
inline SynthSpec tinyQ8Spec()
{
    return {.embedding = 64, .layers = 2, .heads = 4, .kvHeads = 2, .feedForward = 128, .vocab = 600, .weightType = "Q8_0"};
}

// A one-block F32 model of 300 tokens (2 heads of 16, 1 key/value head), small enough to rewrite in a test.
inline SynthSpec oneBlockSpec()
{
    return {.embedding = 32, .layers = 1, .heads = 2, .kvHeads = 1, .feedForward = 64, .vocab = 300, .weightType = "F32"};
}

// The tokenizer of the GGUF file at `path`; null when it cannot be read.
inline std::unique_ptr<Tokenizer> tokenizerOf(const QString& path)
{
    auto file = GgufFile::open(path);
    if (!file)
        return nullptr;
    auto vocab = Vocab::fromGguf(**file);
    return vocab ? std::make_unique<Tokenizer>(*vocab) : nullptr;
}

struct SynthModel {
    std::shared_ptr<const GgufFile> file;
    std::unique_ptr<Tokenizer> tokenizer;
    std::unique_ptr<LlamaModel> model; // null when the file does not load
};

// The model at `path` on `threads` CPU threads with the machine's best kernels.
inline SynthModel loadSynthModel(const QString& path, int threads = 2)
{
    SynthModel l;
    auto f = GgufFile::open(path);
    if (!f)
        return l;
    l.file = std::move(*f);
    auto vocab = Vocab::fromGguf(*l.file);
    if (!vocab)
        return l;
    l.tokenizer = std::make_unique<Tokenizer>(*vocab);
    auto m = LlamaModel::load(l.file, LlamaModel::Options::cpu(threads, bestKernelPath()));
    if (m)
        l.model = std::move(*m);
    return l;
}

} // namespace bioforge::llm
