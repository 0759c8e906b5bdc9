#include "henaw/age_stratified_sampler.h"

#include "table/cohort.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <random>

namespace bioforge::age {

namespace {

std::mt19937_64 generator(quint64 seed, quint64 stream)
{
    std::seed_seq seq{quint32(seed), quint32(seed >> 32), quint32(stream), quint32(stream >> 32)};
    return std::mt19937_64(seq);
}

} // namespace

AgeStratifiedSampler::AgeStratifiedSampler(const std::vector<double>& ages, int batchSize, int bandYears, quint64 seed)
    : m_batchSize(std::max(2, batchSize)), m_seed(seed)
{
    std::map<long, std::vector<qsizetype>> bands;
    for (size_t i = 0; i < ages.size(); ++i)
        bands[std::isfinite(ages[i]) ? long(std::floor(ages[i] / std::max(1, bandYears))) : -1].push_back(qsizetype(i));
    for (auto& [band, rows] : bands)
        m_bands.push_back(std::move(rows));
    m_rows = qsizetype(ages.size());
}

std::vector<qsizetype> AgeStratifiedSampler::order(int epochNumber) const
{
    auto rng = generator(m_seed, quint64(epochNumber) + 1);
    std::vector<std::vector<qsizetype>> bands = m_bands;
    for (auto& b : bands)
        std::shuffle(b.begin(), b.end(), rng);
    // Interleave: at each position take from the band furthest behind its share.
    std::vector<size_t> taken(bands.size(), 0);
    std::vector<qsizetype> order;
    order.reserve(size_t(m_rows));
    for (qsizetype p = 0; p < m_rows; ++p) {
        size_t best = 0;
        double bestDeficit = -1e300;
        for (size_t b = 0; b < bands.size(); ++b) {
            if (taken[b] >= bands[b].size())
                continue;
            const double deficit = double(bands[b].size()) * double(p + 1) / double(m_rows) - double(taken[b]);
            if (deficit > bestDeficit) {
                bestDeficit = deficit;
                best = b;
            }
        }
        order.push_back(bands[best][taken[best]++]);
    }
    return order;
}

std::vector<std::vector<qsizetype>> AgeStratifiedSampler::batches(const std::vector<qsizetype>& order, qsizetype position, int size)
{
    std::vector<std::vector<qsizetype>> out;
    const size_t step = size_t(std::max(2, size));
    for (size_t start = size_t(std::max<qsizetype>(0, position)); start < order.size(); start += step)
        out.emplace_back(order.begin() + ptrdiff_t(start), order.begin() + ptrdiff_t(std::min(order.size(), start + step)));
    if (out.size() > 1 && out.back().size() < 2) { // a batch of one breaks BatchNorm: it joins the one before
        out[out.size() - 2].insert(out[out.size() - 2].end(), out.back().begin(), out.back().end());
        out.pop_back();
    }
    return out;
}

CohortSplit stratifiedSplit(const Cohort& c, const std::vector<qsizetype>& rows, double trainFraction, double validationFraction, int bandYears, quint64 seed)
{
    std::map<long, std::vector<qsizetype>> strata;
    for (qsizetype r : rows) {
        const double age = c.age[size_t(r)];
        const long band = std::isfinite(age) ? long(std::floor(age / std::max(1, bandYears))) : -1;
        strata[band * 100 + long(c.sex[size_t(r)]) * 10 + long(c.event[size_t(r)] + 1)].push_back(r);
    }
    auto rng = generator(seed, 0x5b1170);
    CohortSplit split;
    // Fractions are met over the whole cohort: each stratum gets its share, rounding carried over.
    double carryTrain = 0, carryValidation = 0;
    for (auto& [key, members] : strata) {
        std::shuffle(members.begin(), members.end(), rng);
        const double wantTrain = double(members.size()) * trainFraction + carryTrain;
        const size_t nTrain = std::min(members.size(), size_t(std::llround(wantTrain)));
        carryTrain = wantTrain - double(nTrain);
        const double wantValidation = double(members.size()) * validationFraction + carryValidation;
        const size_t nValidation = std::min(members.size() - nTrain, size_t(std::llround(wantValidation)));
        carryValidation = wantValidation - double(nValidation);
        split.train.insert(split.train.end(), members.begin(), members.begin() + ptrdiff_t(nTrain));
        split.validation.insert(split.validation.end(), members.begin() + ptrdiff_t(nTrain), members.begin() + ptrdiff_t(nTrain + nValidation));
        split.test.insert(split.test.end(), members.begin() + ptrdiff_t(nTrain + nValidation), members.end());
    }
    for (auto* part : {&split.train, &split.validation, &split.test})
        std::sort(part->begin(), part->end());
    return split;
}

} // namespace bioforge::age
