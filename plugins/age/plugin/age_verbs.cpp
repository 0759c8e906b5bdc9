#include "age_verbs.h"

namespace bioforge::age {

using T = core::ParameterSpec::Type;

namespace {

QList<core::ParameterSpec> clockParameters()
{
    return {
        {QStringLiteral("table"), T::Path, QStringLiteral("the cohort table (CSV or TSV, plain or gzip)"), QJsonValue::Undefined, {}, 0, 0, true},
        {QStringLiteral("map"), T::String, QStringLiteral("column mapping: a JSON file, or a shipped one's name (nhanes-bioage)"), QStringLiteral("nhanes-bioage"), {}, 0, 0, false, true},
        {QStringLiteral("reference_map"), T::String, QStringLiteral("column mapping of the reference tables (a JSON file, or a shipped one's name: nhanes-bioage for BioAge's NHANES files); empty: the table's (map)"), QString(), {}, 0, 0, false, true},
        {QStringLiteral("kdm_reference"), T::Path, QStringLiteral("reference cohort KDM is trained on, per sex (read with reference_map); empty: no KDM"), QString(), {}, 0, 0, true},
        {QStringLiteral("kdm_markers"), T::Choice, QStringLiteral("KDM marker set: kdm (Levine 2013: FEV1, SBP, cholesterol, HbA1c, albumin, creatinine, CRP, ALP, BUN) or kdm_blood (the PhenoAge markers)"),
         QStringLiteral("kdm"), {QStringLiteral("kdm"), QStringLiteral("kdm_blood")}, 0, 0},
        {QStringLiteral("phenoage_reference"), T::Path, QStringLiteral("cohort with mortality follow-up to re-train PhenoAge on (Gompertz); empty: none"), QString(), {}, 0, 0, true},
        {QStringLiteral("hd_reference"), T::Path, QStringLiteral("young healthy reference cohort for homeostatic dysregulation; empty: no HD"), QString(), {}, 0, 0, true},
        {QStringLiteral("crp_transform"), T::Choice, QStringLiteral("CRP enters as ln(1 + CRP mg/dL) (log1p, BioAge) or ln(CRP mg/dL) (log, the paper)"),
         QStringLiteral("log1p"), {QStringLiteral("log1p"), QStringLiteral("log")}, 0, 0},
        {QStringLiteral("phenoage_divisor"), T::Choice, QStringLiteral("PhenoAge's final divisor: 0.090165 (BioAge HEAD) or 0.09165 (the PLOS Medicine correction)"),
         QStringLiteral("0.090165"), {QStringLiteral("0.090165"), QStringLiteral("0.09165")}, 0, 0},
        {QStringLiteral("kdm_variance_rows"), T::Choice, QStringLiteral("training rows in KDM's s2: all (BioAge HEAD) or complete (BioAge's shipped kdm0)"),
         QStringLiteral("all"), {QStringLiteral("all"), QStringLiteral("complete")}, 0, 0},
        {QStringLiteral("missing"), T::Choice, QStringLiteral("missing values: drop (no value for that clock) or impute (median by sex and 5-year age band)"),
         QStringLiteral("drop"), {QStringLiteral("drop"), QStringLiteral("impute")}, 0, 0},
    };
}

} // namespace

core::VerbSpec clocksVerb()
{
    QList<core::ParameterSpec> p = clockParameters();
    p.append({QStringLiteral("rows_per_chunk"), T::Integer, QStringLiteral("rows held in memory at once as the table streams through (missing=drop)"), 32768, {}, 1, 1 << 24});
    return {QStringLiteral("clocks"), QStringLiteral("PhenoAge, KDM (and re-trained PhenoAge, HD) for every row of a table: clocks.csv"), p};
}

core::VerbSpec evaluateVerb()
{
    QList<core::ParameterSpec> p = clockParameters();
    p.append({QStringLiteral("henaw"), T::String, QStringLiteral("a trained HENAW model folder (a train run's henaw-model/) to compare beside the published clocks"), QString(), {}, 0, 0, false, true});
    p.append({QStringLiteral("henaw_train"), T::Path, QStringLiteral("a cohort to train HENAW on first (read with reference_map), then compare it on this table's people"), QString(), {}, 0, 0, true});
    p.append({QStringLiteral("henaw_epochs"), T::Integer, QStringLiteral("most epochs per HENAW member when henaw_train is given"), 40, {}, 1, 10000});
    p.append({QStringLiteral("henaw_ensemble"), T::Integer, QStringLiteral("HENAW members when henaw_train is given"), 5, {}, 1, 100});
    p.append({QStringLiteral("bootstrap"), T::Integer, QStringLiteral("bootstrap resamples for the 95 % confidence intervals (0: none; else at least 50)"), 200, {}, 0, 100000});
    p.append({QStringLiteral("seed"), T::Integer,
              QStringLiteral("random seed of the bootstrap, and with henaw_train of HENAW's training too (its split, initialisation, batches, dropout)"), 1, {},
              0, 9e15});
    // Recorded in the run's parameters: a HENAW trained here with another count differs in the last
    // bits of its weights (trial 25 T25-4: evaluate trained on every core, whatever the setting).
    p.append({QStringLiteral("threads"), T::Integer,
              QStringLiteral("CPU threads of the HENAW training with henaw_train (0 = all; another count changes the last bits of its weights)"), 0, {}, 0, 1024});
    return {QStringLiteral("evaluate"), QStringLiteral("the clocks against mortality follow-up: C-index, hazard ratio per year of acceleration, Kaplan-Meier"), p};
}

const QString kDeviceHelp = QStringLiteral("where HENAW computes: cpu (resumes bit-identical), auto (a CUDA GPU when this build's LibTorch has CUDA "
                                          "and sees one), cuda or cuda:N (on CUDA a resume agrees to float rounding)");

core::VerbSpec trainVerb()
{
    return {QStringLiteral("train"), QStringLiteral("train a HENAW ensemble (biological age with uncertainty, mortality head) on a cohort"),
            {{QStringLiteral("table"), T::Path, QStringLiteral("the training cohort (CSV or TSV, plain or gzip)"), QJsonValue::Undefined, {}, 0, 0, true},
             {QStringLiteral("map"), T::String, QStringLiteral("column mapping: a JSON file, or a shipped one's name"), QStringLiteral("nhanes-bioage"), {}, 0, 0, false, true},
             {QStringLiteral("markers"), T::String, QStringLiteral("biomarkers to train on, comma-separated (default: those 70 % of the people have)"), QString(), {}, 0, 0},
             {QStringLiteral("config"), T::String, QStringLiteral("a HENAW configuration JSON whose fields override the defaults (docs/age.md)"), QString(), {}, 0, 0, false, true},
             // Not given: the --config file's value, else HENAW's default (HenawConfig::defaults).
             {QStringLiteral("epochs"), T::Integer, QStringLiteral("most epochs per member, early stopping may end sooner (default: --config's, else 40)"),
              QJsonValue(QJsonValue::Null), {}, 1, 10000},
             {QStringLiteral("ensemble"), T::Integer, QStringLiteral("members of the ensemble (default: --config's, else 5)"), QJsonValue(QJsonValue::Null), {}, 1, 100},
             {QStringLiteral("batch_size"), T::Integer, QStringLiteral("rows per training batch (default: --config's, else 256)"), QJsonValue(QJsonValue::Null), {}, 2, 1 << 20},
             {QStringLiteral("seed"), T::Integer, QStringLiteral("random seed of the split, initialisation, batches and dropout (default: --config's, else 1)"),
              QJsonValue(QJsonValue::Null), {}, 0, 9e15},
             {QStringLiteral("threads"), T::Integer, QStringLiteral("CPU threads (0 = all; a resume must use the same number for identical weights)"), 0, {}, 0, 1024},
             {QStringLiteral("device"), T::String, kDeviceHelp, QStringLiteral("cpu"), {}, 0, 0}}};
}

core::VerbSpec predictVerb()
{
    return {QStringLiteral("predict"), QStringLiteral("a trained HENAW model on a table: biological age, its SD, acceleration, mortality log-hazard"),
            {{QStringLiteral("model"), T::Path, QStringLiteral("the model folder (a train run's henaw-model/)"), QJsonValue::Undefined, {}, 0, 0},
             {QStringLiteral("table"), T::Path, QStringLiteral("the cohort table"), QJsonValue::Undefined, {}, 0, 0, true},
             {QStringLiteral("map"), T::String, QStringLiteral("column mapping: a JSON file, or a shipped one's name"), QStringLiteral("nhanes-bioage"), {}, 0, 0, false, true},
             {QStringLiteral("threads"), T::Integer, QStringLiteral("CPU threads (0 = all)"), 0, {}, 0, 1024},
             {QStringLiteral("device"), T::String, kDeviceHelp, QStringLiteral("cpu"), {}, 0, 0},
             {QStringLiteral("shard"), T::String, QStringLiteral("predict only shard i/N of the rows (a cluster run's task; empty = all)"), QString(), {}, 0, 0},
             {QStringLiteral("shard_plan"), T::String, QStringLiteral("the cluster run's plan of the shards (empty: planned by this run)"), QString(), {}, 0, 0}}};
}

} // namespace bioforge::age
