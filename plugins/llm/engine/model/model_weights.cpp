#include "model/model_weights.h"

#include "gguf/gguf_file.h"
#include "quant/dequantize.h"

#include <QStringList>

namespace bioforge::llm {

using core::Error;

namespace {

class TensorFinder {
public:
    explicit TensorFinder(const GgufFile& f) : m_file(f) {}

    core::Expected<WeightTensor> matrix(const std::string& name, int64_t cols, int64_t rows, bool optional = false) const
    {
        const GgufTensorInfo* t = m_file.tensor(name);
        if (!t) {
            if (optional)
                return WeightTensor{};
            return Error(QStringLiteral("%1: tensor '%2' is missing").arg(m_file.path(), QString::fromStdString(name)));
        }
        if (t->shape.size() != 2 || t->shape[0] != cols || t->shape[1] != rows)
            return Error(QStringLiteral("%1: tensor '%2' has shape %3, expected [%4, %5]")
                             .arg(m_file.path(), QString::fromStdString(name), shapeText(*t), QString::number(cols), QString::number(rows)));
        if (!ggmlTypeSupported(t->type))
            return Error(QStringLiteral("%1: tensor '%2' is %3, a type this engine does not compute with (F32, F16, BF16, Q8_0, Q4_0, Q4_K, Q5_K, Q6_K)")
                             .arg(m_file.path(), QString::fromStdString(name), QLatin1String(ggmlTypeName(t->type))));
        WeightTensor w;
        w.type = t->type;
        w.cols = cols;
        w.rows = rows;
        w.rowBytes = ggmlRowBytes(t->type, cols);
        w.data = m_file.tensorData(*t);
        return w;
    }

    core::Expected<std::vector<float>> vector(const std::string& name, int64_t n, bool optional = false) const
    {
        const GgufTensorInfo* t = m_file.tensor(name);
        if (!t) {
            if (optional)
                return std::vector<float>{};
            return Error(QStringLiteral("%1: tensor '%2' is missing").arg(m_file.path(), QString::fromStdString(name)));
        }
        if (t->elementCount() != n || !ggmlTypeSupported(t->type))
            return Error(QStringLiteral("%1: tensor '%2' has %3 %4 elements, expected %5 numbers")
                             .arg(m_file.path(), QString::fromStdString(name), QString::number(t->elementCount()),
                                  QLatin1String(ggmlTypeName(t->type)), QString::number(n)));
        std::vector<float> out(static_cast<size_t>(n));
        dequantizeRow(t->type, m_file.tensorData(*t), out.data(), n);
        return out;
    }

private:
    static QString shapeText(const GgufTensorInfo& t)
    {
        QStringList dims;
        for (int64_t d : t.shape)
            dims << QString::number(d);
        return QLatin1Char('[') + dims.join(QStringLiteral(", ")) + QLatin1Char(']');
    }
    const GgufFile& m_file;
};

template <typename T>
bool take(core::Expected<T> value, T& out, core::Error& error)
{
    if (!value) {
        error = value.error();
        return false;
    }
    out = std::move(*value);
    return true;
}

} // namespace

core::Expected<ModelWeights> ModelWeights::fromGguf(const GgufFile& f, const ModelConfig& c)
{
    const TensorFinder find(f);
    ModelWeights w;
    core::Error error;
    const GgufTensorInfo* embd = f.tensor("token_embd.weight");
    if (!embd || embd->shape.size() != 2)
        return Error(QStringLiteral("%1: tensor 'token_embd.weight' is missing or not a matrix").arg(f.path()));
    const int64_t vocab = embd->shape[1];
    // The tokenizer must not name rows the embedding does not have (llama.cpp
    // refuses the same mismatch): checked here, at load, not at the first prompt.
    if (const GgufValue* tokens = f.find("tokenizer.ggml.tokens"); tokens && tokens->array && int64_t(tokens->array->size()) != vocab)
        return Error(QStringLiteral("%1: the vocabulary (tokenizer.ggml.tokens) has %2 tokens but 'token_embd.weight' has %3 rows; "
                                    "the tokenizer and the weights do not belong together")
                         .arg(f.path(), QString::number(tokens->array->size()), QString::number(vocab)));
    if (!take(find.matrix("token_embd.weight", c.embedding, vocab), w.tokenEmbedding, error)
        || !take(find.vector("output_norm.weight", c.embedding), w.outputNorm, error)
        || !take(find.matrix("output.weight", c.embedding, vocab, true), w.output, error)
        || !take(find.vector("rope_freqs.weight", c.rope.dims / 2, true), w.ropeFreqFactors, error))
        return error;
    if (!w.output.valid()) {
        w.output = w.tokenEmbedding;
        w.tiedOutput = true;
    }
    // block_count comes from the metadata: it is checked against the tensor table before memory is
    // sized by it. Each block has at least its nine required tensors, so a count the table cannot
    // hold is refused (one tensor named for the last block is not enough: a file of a few bytes
    // could otherwise size the layer list to gigabytes); then the last block must exist.
    constexpr int64_t kTensorsPerBlock = 9;
    if (c.layers > int64_t(f.tensors().size()) / kTensorsPerBlock)
        return Error(QStringLiteral("%1: block_count is %2 but the file has %3 tensors; each block needs at least %4")
                         .arg(f.path(), QString::number(c.layers), QString::number(f.tensors().size()), QString::number(kTensorsPerBlock)));
    if (!f.tensor("blk." + std::to_string(c.layers - 1) + ".attn_norm.weight"))
        return Error(QStringLiteral("%1: block_count is %2 but there is no tensor 'blk.%3.attn_norm.weight'")
                .arg(f.path(), QString::number(c.layers), QString::number(c.layers - 1)));
    w.layers.resize(size_t(c.layers));
    for (int64_t i = 0; i < c.layers; ++i) {
        LayerWeights& l = w.layers[size_t(i)];
        const std::string p = "blk." + std::to_string(i) + ".";
        if (!take(find.vector(p + "attn_norm.weight", c.embedding), l.attentionNorm, error)
            || !take(find.matrix(p + "attn_q.weight", c.embedding, c.queryWidth()), l.query, error)
            || !take(find.matrix(p + "attn_k.weight", c.embedding, c.kvWidth()), l.key, error)
            || !take(find.matrix(p + "attn_v.weight", c.embedding, c.kvWidth()), l.value, error)
            || !take(find.matrix(p + "attn_output.weight", c.queryWidth(), c.embedding), l.attentionOutput, error)
            || !take(find.vector(p + "attn_q.bias", c.queryWidth(), true), l.queryBias, error)
            || !take(find.vector(p + "attn_k.bias", c.kvWidth(), true), l.keyBias, error)
            || !take(find.vector(p + "attn_v.bias", c.kvWidth(), true), l.valueBias, error)
            || !take(find.vector(p + "ffn_norm.weight", c.embedding), l.ffnNorm, error)
            || !take(find.matrix(p + "ffn_gate.weight", c.embedding, c.feedForward), l.gate, error)
            || !take(find.matrix(p + "ffn_up.weight", c.embedding, c.feedForward), l.up, error)
            || !take(find.matrix(p + "ffn_down.weight", c.feedForward, c.embedding), l.down, error))
            return error;
    }
    return w;
}

} // namespace bioforge::llm
