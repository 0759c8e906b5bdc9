#include "age_fixtures.h"

#include "io/csv_reader.h"
#include "support/test_support.h"

#include <QDir>
#include <QFileInfo>

namespace bioforge::age::test {

QString agePath(const QString& name) { return bioforge::test::fixturePath(QStringLiteral("age/") + name); }
bool ageFixturesAvailable() { return QFileInfo::exists(agePath(QStringLiteral("bioage_nhanes4_shared200.csv"))); }

QList<Row> readRows(const QString& path)
{
    QList<Row> rows;
    auto reader = core::CsvReader::open(path);
    if (!reader || !(*reader)->readHeader())
        return rows;
    const QStringList header = (*reader)->header();
    for (;;) {
        auto r = (*reader)->next();
        if (!r || !r->has_value())
            break;
        Row row;
        for (int i = 0; i < header.size(); ++i)
            row.insert(header[i], (**r)[i]);
        rows.append(row);
    }
    return rows;
}

MarkerName fromBioAge(const QString& name)
{
    static const QHash<QString, MarkerName> names{
        {QStringLiteral("albumin"), {QStringLiteral("albumin"), 10.0}},        {QStringLiteral("albumin_gL"), {QStringLiteral("albumin"), 1.0}},
        {QStringLiteral("creat"), {QStringLiteral("creatinine"), 88.4017}},    {QStringLiteral("creat_umol"), {QStringLiteral("creatinine"), 1.0}},
        {QStringLiteral("glucose_mmol"), {QStringLiteral("glucose"), 1.0}},    {QStringLiteral("lncrp"), {QStringLiteral("crp"), 1.0}},
        {QStringLiteral("lymph"), {QStringLiteral("lymphocyte_pct"), 1.0}},    {QStringLiteral("mcv"), {QStringLiteral("mcv"), 1.0}},
        {QStringLiteral("rdw"), {QStringLiteral("rdw"), 1.0}},                 {QStringLiteral("alp"), {QStringLiteral("alp"), 1.0}},
        {QStringLiteral("wbc"), {QStringLiteral("wbc"), 1.0}},                 {QStringLiteral("fev"), {QStringLiteral("fev1"), 1.0}},
        {QStringLiteral("sbp"), {QStringLiteral("sbp"), 1.0}},                 {QStringLiteral("totchol"), {QStringLiteral("total_cholesterol"), 1.0}},
        {QStringLiteral("hba1c"), {QStringLiteral("hba1c"), 1.0}},             {QStringLiteral("bun"), {QStringLiteral("bun"), 1.0}},
    };
    return names.value(name, {name, 1.0});
}

KdmModel kdmFromFixture(const QString& model, KdmVarianceRows variance)
{
    KdmModel m;
    m.settings.varianceRows = variance;
    for (const Row& r : readRows(agePath(QStringLiteral("kdm_biomarker_params_nhanes3.csv")))) {
        if (r.value(QStringLiteral("model")) != model)
            continue;
        const MarkerName name = fromBioAge(r.value(QStringLiteral("biomarker")));
        KdmSexModel& s = m.bySex[r.value(QStringLiteral("sex_1male_2female")) == QLatin1String("2") ? 1 : 0];
        if (!m.settings.markers.contains(name.ours))
            m.settings.markers << name.ours;
        // A marker's unit scales q, k and s alike.
        s.markers.push_back({name.ours, r.value(QStringLiteral("n_train")).toLongLong(), r.value(QStringLiteral("intercept_q")).toDouble() * name.toCanonical,
                             r.value(QStringLiteral("slope_k")).toDouble() * name.toCanonical, r.value(QStringLiteral("resid_sd_s")).toDouble() * name.toCanonical,
                             r.value(QStringLiteral("r_squared")).toDouble()});
    }
    for (const Row& r : readRows(agePath(QStringLiteral("kdm_model_params_nhanes3.csv")))) {
        if (r.value(QStringLiteral("model")) != model)
            continue;
        const bool female = r.value(QStringLiteral("sex_1male_2female")) == QLatin1String("2");
        KdmSexModel& s = m.bySex[female ? 1 : 0];
        s.sex = female ? Sex::Female : Sex::Male;
        s.rchar = r.value(QStringLiteral("rchar")).toDouble();
        s.sR = r.value(QStringLiteral("s_r")).toDouble();
        s.s2 = r.value(variance == KdmVarianceRows::All ? QStringLiteral("s2_package") : QStringLiteral("s2_complete_case")).toDouble();
        s.sBA2 = r.value(variance == KdmVarianceRows::All ? QStringLiteral("s_ba2_package") : QStringLiteral("s_ba2_complete_case")).toDouble();
        s.sumK2OverS2 = r.value(QStringLiteral("sum_k2_over_s2")).toDouble();
        s.ageMin = r.value(QStringLiteral("age_min")).toDouble();
        s.ageMax = r.value(QStringLiteral("age_max")).toDouble();
    }
    return m;
}

QHash<QString, double> parameterFile(const QString& path)
{
    QHash<QString, double> out;
    for (const Row& r : readRows(path))
        out.insert(r.value(QStringLiteral("parameter")), r.value(QStringLiteral("value")).toDouble());
    return out;
}

RetrainedPhenoAge retrainedFromFixture()
{
    const QHash<QString, double> p = parameterFile(agePath(QStringLiteral("phenoage_retrained_params_nhanes3.csv")));
    RetrainedPhenoAge m;
    m.logRate = p.value(QStringLiteral("gompertz_rate"));
    static const char* bioage[] = {"albumin_gL", "creat_umol", "glucose_mmol", "lncrp", "lymph", "mcv", "rdw", "alp", "wbc"};
    for (size_t j = 0; j < 9; ++j)
        m.coefficients[j] = p.value(QStringLiteral("gompertz_") + QLatin1String(bioage[j]));
    m.age = p.value(QStringLiteral("gompertz_age"));
    m.mN = p.value(QStringLiteral("m_n"));
    m.mD = p.value(QStringLiteral("m_d"));
    m.baN = p.value(QStringLiteral("BA_n"));
    m.baD = p.value(QStringLiteral("BA_d"));
    m.baI = p.value(QStringLiteral("BA_i"));
    return m;
}

HdModel hdFromFixture()
{
    HdModel m;
    const QList<Row> rows = readRows(agePath(QStringLiteral("hd_params_nhanes3_ref.csv")));
    for (const Row& r : rows)
        if (r.value(QStringLiteral("parameter")) == QLatin1String("ref_mean") && r.value(QStringLiteral("sex_1male_2female")) == QLatin1String("1"))
            m.markers << fromBioAge(r.value(QStringLiteral("biomarker_i"))).ours;
    const int n = int(m.markers.size());
    for (const char* sexCode : {"1", "2"}) {
        std::vector<double> mean(static_cast<size_t>(n)), sd(static_cast<size_t>(n)), centre(static_cast<size_t>(n)), cov(static_cast<size_t>(n * n));
        double rawSd = 0, logSd = 0;
        for (const Row& r : rows) {
            if (r.value(QStringLiteral("sex_1male_2female")) != QLatin1String(sexCode))
                continue;
            const QString p = r.value(QStringLiteral("parameter"));
            const int i = int(m.markers.indexOf(fromBioAge(r.value(QStringLiteral("biomarker_i"))).ours));
            const int j = int(m.markers.indexOf(fromBioAge(r.value(QStringLiteral("biomarker_j"))).ours));
            const double v = r.value(QStringLiteral("value")).toDouble();
            if (p == QLatin1String("ref_mean"))
                mean[size_t(i)] = v;
            else if (p == QLatin1String("ref_sd"))
                sd[size_t(i)] = v;
            else if (p == QLatin1String("center_z"))
                centre[size_t(i)] = v;
            else if (p == QLatin1String("cov_z"))
                cov[size_t(i * n + j)] = v;
            else if (p == QLatin1String("sd_raw_hd_projection"))
                rawSd = v;
            else if (p == QLatin1String("sd_log_raw_hd_projection"))
                logSd = v;
        }
        m.bySex[QLatin1String(sexCode) == QLatin1String("2") ? 1 : 0] = *hdReferenceFrom(mean, sd, centre, cov, rawSd, logSd);
    }
    return m;
}

} // namespace bioforge::age::test
