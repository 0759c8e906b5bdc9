#include "pipeline/clock_settings.h"

#include "henaw/henaw_model_folder.h"

#include <algorithm>

namespace bioforge::age {

using core::Error;

core::Expected<ClockSettings> ClockSettings::fromParameters(const QJsonObject& p)
{
    ClockSettings s;
    s.table = p.value(QLatin1String("table")).toString();
    if (s.table.isEmpty())
        return Error(QStringLiteral("age: no table given"));
    s.mapping = p.value(QLatin1String("map")).toString(s.mapping);
    if (s.mapping.isEmpty())
        s.mapping = QStringLiteral("nhanes-bioage");
    s.referenceMapping = p.value(QLatin1String("reference_map")).toString();
    s.kdmReference = p.value(QLatin1String("kdm_reference")).toString();
    s.kdmMarkers = p.value(QLatin1String("kdm_markers")).toString(s.kdmMarkers);
    s.phenoAgeReference = p.value(QLatin1String("phenoage_reference")).toString();
    s.hdReference = p.value(QLatin1String("hd_reference")).toString();
    s.henawModel = henawModelFolder(p.value(QLatin1String("henaw")).toString()); // model.json, as train prints it: its folder
    s.henawTrain = p.value(QLatin1String("henaw_train")).toString();
    for (const auto& [from, to] : {std::pair{"henaw_epochs", "epochs"}, {"henaw_ensemble", "ensemble"}, {"seed", "seed"}})
        if (p.contains(QLatin1String(from)))
            s.henawOverrides.insert(QLatin1String(to), p.value(QLatin1String(from)));
    if (!s.henawModel.isEmpty() && !s.henawTrain.isEmpty())
        return Error(QStringLiteral("age: give either a trained HENAW model (henaw) or a table to train one on (henaw_train), not both"));
    const QString crp = p.value(QLatin1String("crp_transform")).toString(QStringLiteral("log1p"));
    if (crp != QLatin1String("log1p") && crp != QLatin1String("log"))
        return Error(QStringLiteral("age: crp_transform '%1' is not log1p or log").arg(crp));
    s.phenoAge.crp = crp == QLatin1String("log") ? CrpTransform::Log : CrpTransform::Log1p;
    const QString divisor = p.value(QLatin1String("phenoage_divisor")).toString(QStringLiteral("0.090165"));
    bool ok = false;
    s.phenoAge.divisor = divisor.toDouble(&ok);
    if (!ok || !(s.phenoAge.divisor > 0))
        return Error(QStringLiteral("age: phenoage_divisor '%1' is not a positive number").arg(divisor));
    const QString rows = p.value(QLatin1String("kdm_variance_rows")).toString(QStringLiteral("all"));
    if (rows != QLatin1String("all") && rows != QLatin1String("complete"))
        return Error(QStringLiteral("age: kdm_variance_rows '%1' is not all or complete").arg(rows));
    s.kdmVarianceRows = rows == QLatin1String("complete") ? KdmVarianceRows::Complete : KdmVarianceRows::All;
    const QString missing = p.value(QLatin1String("missing")).toString(QStringLiteral("drop"));
    if (missing != QLatin1String("drop") && missing != QLatin1String("impute"))
        return Error(QStringLiteral("age: missing '%1' is not drop or impute").arg(missing));
    s.missing = missing == QLatin1String("impute") ? MissingPolicy::Impute : MissingPolicy::Drop;
    s.bootstrapReplicates = p.value(QLatin1String("bootstrap")).toInt(s.bootstrapReplicates);
    // The 2.5th and 97.5th percentiles of one or two resamples are no interval (B11: width 0, beside
    // the estimate); 0 leaves the bounds empty.
    if (s.bootstrapReplicates > 0 && s.bootstrapReplicates < kMinimumBootstrapReplicates)
        return Error(QStringLiteral("age: bootstrap %1: a 95 % percentile interval needs at least %2 resamples (200, the default, is usual; "
                                    "0 leaves the intervals out)")
                         .arg(s.bootstrapReplicates)
                         .arg(kMinimumBootstrapReplicates),
                     Error::Kind::Invalid);
    s.rowsPerChunk = std::max(1, p.value(QLatin1String("rows_per_chunk")).toInt(s.rowsPerChunk));
    s.seed = uint64_t(p.value(QLatin1String("seed")).toInteger(1));
    s.threads = std::max(0, p.value(QLatin1String("threads")).toInt(0));
    return s;
}

QString ClockSettings::describe() const
{
    // KDM's settings only where a KDM was trained (a reference table was given).
    const QString kdm = kdmReference.isEmpty() ? QStringLiteral("KDM: not computed (no KDM reference table).")
                                               : QStringLiteral("KDM: %1 markers, s2 over %2 training rows.")
                                                     .arg(kdmMarkers, kdmVarianceRows == KdmVarianceRows::All ? QStringLiteral("all (BioAge HEAD)") : QStringLiteral("complete"));
    // HENAW has its own rule whatever `missing` says (its encoder, docs/age.md).
    const bool henaw = !henawModel.isEmpty() || !henawTrain.isEmpty();
    return QStringLiteral("PhenoAge: %1. %2 Missing values: %3%4.")
        .arg(phenoAge.describe(), kdm,
             missing == MissingPolicy::Drop ? QStringLiteral("no value for that clock") : QStringLiteral("imputed (median by sex and 5-year age band)"),
             henaw ? QStringLiteral(" for the published clocks; HENAW sets a missing marker to its training mean, for people with at least half of its markers measured")
                   : QString());
}

} // namespace bioforge::age
