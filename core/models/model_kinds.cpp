#include "models/model_kinds.h"

#include <QDir>
#include <QFile>

namespace bioforge::core {

const QList<ModelKind>& modelKinds()
{
    // The files are what the loaders open (plugins/viral/engine/model, plugins/llm): a
    // Hugging Face folder of the model, or the one file of a GGUF or a VirNucPro classifier.
    static const QList<ModelKind> kinds{
        {QStringLiteral("dnabert-s"), QStringLiteral("DNABERT-S nucleotide encoder (viral)"),
         {QStringLiteral("config.json"), QStringLiteral("model.safetensors"), QStringLiteral("tokenizer.json")}},
        {QStringLiteral("esm2"), QStringLiteral("ESM-2 protein encoder (viral)"),
         {QStringLiteral("config.json"), QStringLiteral("model.safetensors"), QStringLiteral("vocab.txt")}},
        {QStringLiteral("virnucpro-classifier"), QStringLiteral("VirNucPro MLP classifier (viral): weights.safetensors + weights.json"),
         {QStringLiteral("*.safetensors"), QStringLiteral("*.json")}},
        // `bioforge llm synth-model` writes general.name "bioforge-synthetic-<arch>-<type>", among
        // the first metadata of the header.
        {QStringLiteral("gguf"), QStringLiteral("llama-family language model (llm)"), {QStringLiteral("*.gguf")}, QByteArrayLiteral("bioforge-synthetic-"), true},
    };
    return kinds;
}

Expected<ModelKind> findModelKind(const QString& name)
{
    QStringList names;
    for (const ModelKind& k : modelKinds()) {
        if (k.name == name)
            return k;
        names << QStringLiteral("%1 (%2)").arg(k.name, k.description);
    }
    return Error(QStringLiteral("unknown model kind '%1'; the kinds are: %2").arg(name, names.join(QStringLiteral(", "))), Error::Kind::Invalid);
}

Status checkModelFolder(const ModelKind& kind, const QString& folder)
{
    const QDir dir(folder);
    QStringList missing;
    for (const QString& pattern : kind.requiredFiles)
        if (dir.entryList({pattern}, QDir::Files).isEmpty())
            missing << pattern;
    if (missing.isEmpty())
        return okStatus();
    return Error(QStringLiteral("%1: a model folder of kind %2 needs %3; it has no %4").arg(folder, kind.name, kind.requiredFiles.join(QStringLiteral(", ")),
                                                                                    missing.join(QStringLiteral(", "))),
                 Error::Kind::NotFound);
}

bool holdsTestModelMark(const ModelKind& kind, const QString& folder)
{
    if (kind.testModelMark.isEmpty())
        return false;
    const QDir dir(folder);
    for (const QString& name : dir.entryList(kind.requiredFiles, QDir::Files))
        if (fileHoldsTestModelMark(kind, dir.filePath(name)))
            return true;
    return false;
}

bool fileHoldsTestModelMark(const ModelKind& kind, const QString& path)
{
    QFile file(path);
    return !kind.testModelMark.isEmpty() && file.open(QIODevice::ReadOnly) && file.read(64 << 10).contains(kind.testModelMark);
}

} // namespace bioforge::core
