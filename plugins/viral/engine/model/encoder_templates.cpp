#include "model/encoder_templates.h"

#include "io/atomic_file.h"

#include <QDir>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

namespace bioforge::viral {

namespace {

core::Status writeJson(const QString& folder, const char* name, const QJsonObject& o)
{
    return core::AtomicFile::write(QDir(folder).filePath(QLatin1String(name)), QJsonDocument(o).toJson());
}

core::Status makeFolder(const QString& folder)
{
    if (!QDir().mkpath(folder))
        return core::Error(QStringLiteral("%1: cannot create the folder").arg(folder));
    return core::okStatus();
}

// ESM-1b/ESM-2 alphabet: 4 leading specials, 25 residue letters and gaps, <null_1>, <mask>.
const char* const kEsmAlphabet[] = {"<cls>", "<pad>", "<eos>", "<unk>", "L", "A", "G", "V", "S", "E", "R",
                                    "T", "I", "D", "P", "K", "Q", "N", "F", "Y", "M", "H",
                                    "W", "C", "X", "B", "U", "Z", "O", ".", "-", "<null_1>", "<mask>"};

} // namespace

core::Status writeEsm2Template(const QString& folder)
{
    if (auto st = makeFolder(folder); !st)
        return st;
    QByteArray vocab;
    QJsonArray list;
    for (const char* token : kEsmAlphabet) {
        vocab += QByteArray(token) + '\n';
        list.append(QLatin1String(token));
    }
    if (auto st = core::AtomicFile::write(QDir(folder).filePath(QStringLiteral("vocab.txt")), vocab); !st)
        return st;
    return writeJson(folder, "config.json",
                     {{QStringLiteral("architectures"), QJsonArray{QStringLiteral("EsmForMaskedLM")}},
                      {QStringLiteral("model_type"), QStringLiteral("esm")},
                      {QStringLiteral("vocab_size"), int(list.size())},
                      {QStringLiteral("mask_token_id"), int(list.size()) - 1},
                      {QStringLiteral("pad_token_id"), 1},
                      {QStringLiteral("max_position_embeddings"), 1026},
                      {QStringLiteral("layer_norm_eps"), 1e-5},
                      {QStringLiteral("emb_layer_norm_before"), false},
                      {QStringLiteral("token_dropout"), true},
                      {QStringLiteral("position_embedding_type"), QStringLiteral("rotary")},
                      {QStringLiteral("hidden_act"), QStringLiteral("gelu")},
                      {QStringLiteral("torch_dtype"), QStringLiteral("float32")},
                      {QStringLiteral("vocab_list"), list},
                      {QStringLiteral("_note"), QStringLiteral("TEST MODEL template made by BioForge: no trained weights")}});
}

core::Status writeDnabertTemplate(const QString& folder)
{
    if (auto st = makeFolder(folder); !st)
        return st;
    const QStringList specials{QStringLiteral("[UNK]"), QStringLiteral("[CLS]"), QStringLiteral("[SEP]"), QStringLiteral("[PAD]"), QStringLiteral("[MASK]")};
    const QStringList bases{QStringLiteral("A"), QStringLiteral("C"), QStringLiteral("G"), QStringLiteral("T")};
    QJsonObject vocab;
    QJsonArray added;
    int id = 0;
    for (const QString& s : specials) {
        added.append(QJsonObject{{QStringLiteral("id"), id}, {QStringLiteral("content"), s}, {QStringLiteral("single_word"), false},
                                 {QStringLiteral("lstrip"), false}, {QStringLiteral("rstrip"), false}, {QStringLiteral("normalized"), false},
                                 {QStringLiteral("special"), true}});
        vocab.insert(s, id++);
    }
    for (const QString& b : bases)
        vocab.insert(b, id++);
    QStringList pairs;
    QJsonArray merges;
    for (const QString& a : bases)
        for (const QString& b : bases) {
            merges.append(a + QLatin1Char(' ') + b);
            vocab.insert(a + b, id++);
            pairs << a + b;
        }
    for (const QString& a : pairs)
        for (const QString& b : pairs) {
            merges.append(a + QLatin1Char(' ') + b);
            vocab.insert(a + b, id++);
        }
    auto special = [](const char* token, int tokenId) {
        return QJsonObject{{QStringLiteral("id"), QLatin1String(token)}, {QStringLiteral("ids"), QJsonArray{tokenId}}, {QStringLiteral("tokens"), QJsonArray{QLatin1String(token)}}};
    };
    auto piece = [](const char* kind, const char* name) {
        return QJsonObject{{QLatin1String(kind), QJsonObject{{QStringLiteral("id"), QLatin1String(name)}, {QStringLiteral("type_id"), 0}}}};
    };
    const QJsonObject tokenizer{
        {QStringLiteral("version"), QStringLiteral("1.0")},
        {QStringLiteral("truncation"), QJsonValue::Null},
        {QStringLiteral("padding"), QJsonValue::Null},
        {QStringLiteral("added_tokens"), added},
        {QStringLiteral("normalizer"), QJsonValue::Null},
        {QStringLiteral("pre_tokenizer"), QJsonObject{{QStringLiteral("type"), QStringLiteral("Whitespace")}}},
        {QStringLiteral("post_processor"), QJsonObject{{QStringLiteral("type"), QStringLiteral("TemplateProcessing")},
                                                       {QStringLiteral("single"), QJsonArray{piece("SpecialToken", "[CLS]"), piece("Sequence", "A"), piece("SpecialToken", "[SEP]")}},
                                                       {QStringLiteral("special_tokens"), QJsonObject{{QStringLiteral("[CLS]"), special("[CLS]", 1)}, {QStringLiteral("[SEP]"), special("[SEP]", 2)}}}}},
        {QStringLiteral("decoder"), QJsonValue::Null},
        {QStringLiteral("model"), QJsonObject{{QStringLiteral("type"), QStringLiteral("BPE")},
                                              {QStringLiteral("dropout"), QJsonValue::Null},
                                              {QStringLiteral("unk_token"), QStringLiteral("[UNK]")},
                                              {QStringLiteral("continuing_subword_prefix"), QJsonValue::Null},
                                              {QStringLiteral("end_of_word_suffix"), QJsonValue::Null},
                                              {QStringLiteral("fuse_unk"), false},
                                              {QStringLiteral("byte_fallback"), false},
                                              {QStringLiteral("vocab"), vocab},
                                              {QStringLiteral("merges"), merges}}}};
    if (auto st = writeJson(folder, "tokenizer.json", tokenizer); !st)
        return st;
    const QJsonObject specialMap{{QStringLiteral("cls_token"), QStringLiteral("[CLS]")}, {QStringLiteral("mask_token"), QStringLiteral("[MASK]")},
                                 {QStringLiteral("pad_token"), QStringLiteral("[PAD]")}, {QStringLiteral("sep_token"), QStringLiteral("[SEP]")},
                                 {QStringLiteral("unk_token"), QStringLiteral("[UNK]")}};
    QJsonObject tokenizerConfig = specialMap;
    tokenizerConfig.insert(QStringLiteral("tokenizer_class"), QStringLiteral("PreTrainedTokenizerFast"));
    if (auto st = writeJson(folder, "special_tokens_map.json", specialMap); !st)
        return st;
    if (auto st = writeJson(folder, "tokenizer_config.json", tokenizerConfig); !st)
        return st;
    return writeJson(folder, "config.json",
                     {{QStringLiteral("architectures"), QJsonArray{QStringLiteral("BertModel")}},
                      {QStringLiteral("model_type"), QStringLiteral("bert")},
                      {QStringLiteral("vocab_size"), id},
                      {QStringLiteral("alibi_starting_size"), 512},
                      {QStringLiteral("max_position_embeddings"), 512},
                      {QStringLiteral("type_vocab_size"), 2},
                      {QStringLiteral("layer_norm_eps"), 1e-12},
                      {QStringLiteral("hidden_act"), QStringLiteral("gelu")},
                      {QStringLiteral("pad_token_id"), 0},
                      {QStringLiteral("position_embedding_type"), QStringLiteral("absolute")},
                      {QStringLiteral("torch_dtype"), QStringLiteral("float32")},
                      {QStringLiteral("_note"), QStringLiteral("TEST MODEL template made by BioForge: a 4-mer DNA tokenizer, not DNABERT-S's")}});
}

} // namespace bioforge::viral
