// bench_viral precision (see bench_viral.cpp's usage): fp32 against bf16 or int8
// at the real shapes, figures in docs/performance.md.

#include "bench_support.h"
#include "viral_bench_models.h"

#include "model/classifier_writer.h"
#include "model/dnabert_model.h"
#include "model/esm2_model.h"
#include "model/torch_runtime.h"
#include "model/virus_classifier.h"
#include "tokenizer/esm_alphabet.h"
#include "tokenizer/hf_bpe_tokenizer.h"

#include <QDir>
#include <QTemporaryDir>

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace bioforge::bench {

using namespace bioforge::viral;

// fp32 against --precision bf16 (default) or int8 at the real shapes (synthesized seeded weights): the
// difference of each encoder's mean embeddings (largest, relative to the
// largest value; smallest cosine of a row) and of a random classifier's
// scores and calls over the same frames.
int benchPrecision(const QStringList& args)
{
    const long frames = option(args, QStringLiteral("--frames"), 64);
    const int threads = int(option(args, QStringLiteral("--threads"), 2));
    const EncoderPrecision low = args.contains(QStringLiteral("--precision")) ? precisionOption(args) : EncoderPrecision::BFloat16;
    const QByteArray lowName = precisionName(low).toLatin1();
    const QString dnabertFolder = synthesized(QStringLiteral("dnabert_s"), false, kDnabertS);
    const QString esmFolder = synthesized(QStringLiteral("esm2_150M_30layers"), true, kEsm2_150M);
    QTemporaryDir dir(QDir(benchDir()).filePath(QStringLiteral("precision-XXXXXX")));
    const QString classifierPath = dir.filePath(QStringLiteral("classifier.safetensors"));
    if (dnabertFolder.isEmpty() || esmFolder.isEmpty() || !writeRandomClassifier(classifierPath, kDnabertS.hidden + kEsm2_150M.hidden, 32, 1))
        return 1;
    auto bpe = HfBpeTokenizer::fromFile(dnabertFolder + QStringLiteral("/tokenizer.json"));
    auto alphabet = EsmAlphabet::fromVocabFile(esmFolder + QStringLiteral("/vocab.txt"));
    auto classifier = VirusClassifier::load(classifierPath);
    if (!bpe || !alphabet || !classifier)
        return 1;
    std::mt19937 rng(11);
    std::vector<std::vector<int64_t>> dna, protein;
    for (long i = 0; i < frames; ++i) {
        std::string bases(301, 'A');
        for (char& c : bases)
            c = "ACGT"[rng() % 4];
        dna.push_back(bpe->encode(bases));
        protein.push_back(alphabet->encode(randomProtein(rng, 100)).ids);
    }
    std::vector<std::vector<float>> features[2], dnaMeans[2], esmMeans[2];
    for (int k = 0; k < 2; ++k) {
        const EncoderPrecision precision = k == 0 ? EncoderPrecision::Float32 : low;
        setTorchThreads(threads, precision);
        auto d = DnabertModel::load(dnabertFolder, precision);
        auto e = Esm2Model::load(esmFolder, precision);
        if (!d || !e)
            return 1;
        for (long i = 0; i < frames; i += 16) {
            const long end = std::min(frames, i + 16);
            auto dm = (*d)->meanEmbeddings({dna.begin() + i, dna.begin() + end});
            auto em = (*e)->meanEmbeddings({protein.begin() + i, protein.begin() + end}, kEsm2_150M.layers, 1024);
            if (!dm || !em)
                return 1;
            for (size_t j = 0; j < dm->size(); ++j) {
                dnaMeans[k].push_back((*dm)[j]);
                esmMeans[k].push_back((*em)[j]);
                std::vector<float> f = (*dm)[j];
                f.insert(f.end(), (*em)[j].begin(), (*em)[j].end());
                features[k].push_back(std::move(f));
            }
        }
    }
    auto compare = [&lowName](const char* what, const std::vector<std::vector<float>>& a, const std::vector<std::vector<float>>& b) {
        double largest = 0, worst = 0, cosine = 1;
        for (size_t i = 0; i < a.size(); ++i) {
            double ab = 0, aa = 0, bb = 0;
            for (size_t c = 0; c < a[i].size(); ++c) {
                largest = std::max(largest, double(std::fabs(a[i][c])));
                worst = std::max(worst, double(std::fabs(a[i][c] - b[i][c])));
                ab += double(a[i][c]) * b[i][c];
                aa += double(a[i][c]) * a[i][c];
                bb += double(b[i][c]) * b[i][c];
            }
            cosine = std::min(cosine, ab / std::sqrt(aa * bb));
        }
        std::printf("%s: %s against fp32, mean embedding max difference %.3g of the largest value, smallest cosine %.6f\n", what, lowName.constData(),
                    worst / largest, cosine);
    };
    compare("DNABERT-S shape (12 x 768)", dnaMeans[0], dnaMeans[1]);
    compare("ESM-2 150M shape (30 x 640)", esmMeans[0], esmMeans[1]);
    auto p32 = (*classifier)->probabilities(features[0]);
    auto p16 = (*classifier)->probabilities(features[1]);
    if (!p32 || !p16)
        return 1;
    double worst = 0, spread = 0;
    long flipped = 0;
    const int viral = (*classifier)->spec().positiveClass;
    for (size_t i = 0; i < p32->size(); ++i) {
        const double a = (*p32)[i][size_t(viral)], b = (*p16)[i][size_t(viral)];
        worst = std::max(worst, std::fabs(a - b));
        spread = std::max(spread, std::fabs(a - 0.5));
        flipped += (a >= 0.5) != (b >= 0.5) ? 1 : 0;
    }
    std::printf("random classifier over %ld frames: viral score max difference %.3g (scores reach %.3f from the 0.5 threshold), %ld calls changed\n",
                frames, worst, spread, flipped);
    return 0;
}

} // namespace bioforge::bench
