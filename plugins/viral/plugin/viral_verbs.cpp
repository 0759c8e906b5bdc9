#include "viral_verbs.h"

namespace bioforge::viral {

using T = core::ParameterSpec::Type;

namespace {

QList<core::ParameterSpec> modelParameters()
{
    return {{QStringLiteral("chunk_length"), T::Integer, QStringLiteral("chunk length L in bases (the published models: 300 and 500)"), 300, {}, 3, 1e6},
            {QStringLiteral("dnabert"), T::String, QStringLiteral("DNABERT-S model: registry name or folder (default: the plugin setting, else DNABERT-S)"), QString(), {}, 0, 0, false, true},
            {QStringLiteral("esm"), T::String, QStringLiteral("ESM-2 model: registry name or folder (default: the plugin setting, else esm2_t36_3B_UR50D)"), QString(), {}, 0, 0, false, true},
            {QStringLiteral("classifier"), T::String, QStringLiteral("classifier: registry name or .safetensors file (default: the setting, else virnucpro-<L>)"), QString(), {}, 0, 0, false, true},
            {QStringLiteral("threads"), T::Integer, QStringLiteral("CPU threads for the models (0 = all)"), 0, {}, 0, 1024},
            {QStringLiteral("precision"), T::Choice,
             QStringLiteral("encoder arithmetic: fp32 (as published), bf16 (products in bfloat16: ~2x faster on CPUs with AMX bfloat16 tiles, about fp32's speed elsewhere) "
                            "or int8 (linear layers as dynamic int8, CPU only: ~1.4-2x faster with VNNI; larger error, about 1-2 % of an embedding's largest value on the "
                            "fixtures, not measured on the published weights); differences measured in docs/performance.md"),
             QStringLiteral("fp32"), {QStringLiteral("fp32"), QStringLiteral("bf16"), QStringLiteral("int8")}, 0, 0},
            {QStringLiteral("device"), T::String,
             QStringLiteral("where the encoders run: auto (the CUDA GPUs free when the run starts, shards split over them, when this build's LibTorch has CUDA and sees one; else the CPU), cpu, cuda (every free GPU) or cuda:N (that one)"),
             QStringLiteral("auto"), {}, 0, 0}};
}

} // namespace

core::VerbSpec predictVerb()
{
    core::VerbSpec v;
    v.name = QStringLiteral("predict");
    v.description = QStringLiteral("VirNucPro viral / non-viral calls for the contigs of FASTA files (plain or gzip)");
    v.parameters = {{QStringLiteral("inputs"), T::PathList, QStringLiteral("FASTA files"), QJsonValue::Undefined, {}, 0, 0, true}};
    v.parameters += modelParameters();
    v.parameters += {
        {QStringLiteral("esm_layer"), T::Integer, QStringLiteral("ESM-2 layer to average (-1 = the last)"), -1, {}, -1, 1000},
        {QStringLiteral("esm_truncation"), T::Integer, QStringLiteral("residues averaged per protein"), 1024, {}, 1, 1e6},
        {QStringLiteral("nucleotide_span"), T::Choice, QStringLiteral("nucleotides per frame: 'reference' (3·P + 1, as published) or 'codons' (3·P)"),
         QStringLiteral("reference"), {QStringLiteral("reference"), QStringLiteral("codons")}, 0, 0},
        {QStringLiteral("contig_rule"), T::Choice, QStringLiteral("contig call from chunk scores: mean, max or fraction"), QStringLiteral("mean"),
         {QStringLiteral("mean"), QStringLiteral("max"), QStringLiteral("fraction")}, 0, 0},
        {QStringLiteral("threshold"), T::Number, QStringLiteral("score at which a chunk (and, for mean/max, a contig) is viral"), 0.5, {}, 0, 1},
        {QStringLiteral("viral_fraction"), T::Number, QStringLiteral("rule 'fraction': share of viral chunks needed"), 0.5, {}, 0, 1},
        {QStringLiteral("dnabert_tokens_per_batch"), T::Integer, QStringLiteral("DNABERT-S token budget per batch (padding included)"), 8192, {}, 16, 1e9},
        {QStringLiteral("esm_tokens_per_batch"), T::Integer, QStringLiteral("ESM-2 token budget per batch (padding included)"), 4096, {}, 16, 1e9},
        {QStringLiteral("shard_frames"), T::Integer, QStringLiteral("frames per checkpointed shard"), 512, {}, 1, 1e9},
        {QStringLiteral("keep_features"), T::Boolean, QStringLiteral("keep the per-shard feature checkpoints after the run"), true, {}, 0, 1},
        {QStringLiteral("reuse_results"), T::Boolean, QStringLiteral("reuse results of unchanged contigs from earlier runs in the project"), true, {}, 0, 1},
        {QStringLiteral("shard"), T::String, QStringLiteral("compute only shard i/N of the input (a cluster run's task; empty = all)"), QString(), {}, 0, 0},
        {QStringLiteral("shard_plan"), T::String, QStringLiteral("the cluster run's plan of the shards (empty: planned by this run)"), QString(), {}, 0, 0}};
    return v;
}

core::VerbSpec validateVerb()
{
    core::VerbSpec v;
    v.name = QStringLiteral("validate");
    v.description = QStringLiteral("Quick check: the models load, fit together, and a tiny input runs through the pipeline");
    v.parameters = modelParameters();
    return v;
}

} // namespace bioforge::viral
