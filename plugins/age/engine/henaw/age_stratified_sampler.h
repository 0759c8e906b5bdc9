#pragma once

// Training batches stratified by age, fixing the reference's sampler
// (data_loader.py, StratifiedBatchSampler): every epoch covers every
// training row exactly once (no row dropped for its age, no empty band, no
// exhausted iterator), batches mix the age bands in proportion to their
// sizes from the first batch to the last, no batch has fewer than two rows
// (BatchNorm), and the order depends only on (seed, epoch): re-iterable, and
// the same after a resume.

#include <QtGlobal>

#include <vector>

namespace bioforge::age {

class AgeStratifiedSampler {
public:
    AgeStratifiedSampler(const std::vector<double>& ages, int batchSize, int bandYears, quint64 seed);

    // Indices into `ages` in the order of epoch `epochNumber`: each exactly once.
    std::vector<qsizetype> order(int epochNumber) const;
    // That order in batches of the sampler's size.
    std::vector<std::vector<qsizetype>> epoch(int epochNumber) const { return batches(order(epochNumber), 0, m_batchSize); }
    // Consecutive batches of `size` from `position` on; a last batch of one joins the one before.
    static std::vector<std::vector<qsizetype>> batches(const std::vector<qsizetype>& order, qsizetype position, int size);
    qsizetype rows() const { return m_rows; }

private:
    std::vector<std::vector<qsizetype>> m_bands; // row indices per age band
    int m_batchSize;
    quint64 m_seed;
    qsizetype m_rows = 0;
};

// A seeded split of `rows` into train / validation / test, stratified by sex,
// age band and death (so each part has the same make-up).
struct CohortSplit {
    std::vector<qsizetype> train, validation, test;
};
struct Cohort;
CohortSplit stratifiedSplit(const Cohort& cohort, const std::vector<qsizetype>& rows, double trainFraction, double validationFraction,
                            int bandYears, quint64 seed);

} // namespace bioforge::age
