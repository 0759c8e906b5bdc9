#pragma once

// A synthetic cohort for the age tests: markers that drift with age, a death
// hazard that rises with age and with one marker, follow-up capped at 240
// months, NHANES-like column names (the shipped nhanes-bioage mapping reads it).

#include <QByteArray>

#include <algorithm>
#include <cmath>
#include <random>

namespace bioforge::age::test {

// People whose markers drift with age and whose death hazard rises with age and one marker.
inline QByteArray syntheticCohort(int people, uint32_t seed)
{
    std::mt19937 rng(seed);
    std::uniform_real_distribution<double> uniform(0, 1);
    std::normal_distribution<double> noise(0, 1);
    QByteArray csv = "sample_id,age_years,sex_1male_2female,albumin_g_per_L,creatinine_umol_per_L,glucose_mmol_per_L,crp_mg_per_dL,rdw_percent,followup_months,died_counted\n";
    for (int i = 0; i < people; ++i) {
        const double age = 20 + 60 * uniform(rng);
        const double rdw = 12 + 0.03 * (age - 50) + 0.8 * noise(rng);
        const double hazard = std::exp(-10.5 + 0.07 * age + 0.4 * (rdw - 12));
        const double death = -std::log(uniform(rng)) / hazard;
        const double follow = std::min(death, 240.0);
        csv += QByteArray("p") + QByteArray::number(i) + ',' + QByteArray::number(age, 'f', 1) + ',' + (i % 2 ? "1" : "2") + ','
               + QByteArray::number(45 - 0.05 * (age - 50) + 2 * noise(rng), 'f', 2) + ',' + QByteArray::number(75 + 0.3 * (age - 50) + 10 * noise(rng), 'f', 2) + ','
               + QByteArray::number(5 + 0.02 * (age - 50) + 0.5 * noise(rng), 'f', 3) + ','
               + (i % 17 == 0 ? QByteArray() : QByteArray::number(std::exp(-1.5 + 0.01 * age + 0.8 * noise(rng)), 'f', 3)) + ','
               + QByteArray::number(rdw, 'f', 2) + ',' + QByteArray::number(follow, 'f', 1) + ',' + (death < 240 ? "1" : "0") + '\n';
    }
    return csv;
}

} // namespace bioforge::age::test
