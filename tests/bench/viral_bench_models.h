#pragma once

// What the viral benchmarks (bench_viral.cpp, bench_viral_precision.cpp, bench_viral_attention.cpp,
// bench_viral_products.cpp) share: the fixtures folder, encoder models synthesized at the real shapes
// once and kept in benchDir(), random proteins, the median, alternating timings and the --precision option.

#include "model/encoder_device.h"
#include "model/encoder_precision.h"
#include "model/synthetic_encoders.h"

#include <QString>
#include <QStringList>

#include <functional>
#include <random>
#include <utility>
#include <string>
#include <vector>

namespace bioforge::bench {

// $BIOFORGE_FIXTURES_DIR, else ../shared/fixtures beside the checkout (the tiny models'
// tokenizers and vocabularies the synthesized models copy).
QString fixtures();
double median(std::vector<double> v);
// Median seconds of each of two functions run alternately `reps` times (after one warm-up each),
// so that machine noise hits both.
std::pair<double, double> alternate(const std::function<void()>& a, const std::function<void()>& b, long reps);
// A synthesized model folder, made once and reused; empty on failure (the error printed).
QString synthesized(const QString& name, bool esm, const viral::EncoderShape& shape);
// ESM-2 150M or 3B (big) with `layers` of its layers, and its synthesized folder
// (esm2_<150M|3B>_<layers>layers, shared by bench_viral esm and pipeline).
viral::EncoderShape esm2Shape(bool big, int64_t layers);
QString synthesizedEsm2(bool big, const viral::EncoderShape& shape);
std::string randomProtein(std::mt19937& rng, size_t length);
// --precision fp32|bf16|int8 (encoder_precision.h); other text exits with the parse error.
viral::EncoderPrecision precisionOption(const QStringList& args);
// --device cpu|auto|cuda|cuda:N (default cpu), resolved against what this LibTorch sees; an
// unknown or absent device exits 2 with the reason.
viral::EncoderDevice deviceOption(const QStringList& args);

// bench_viral precision: fp32 against bf16 or int8 at the real shapes.
int benchPrecision(const QStringList& args);
// bench_viral attention: the int8 layers' fused attention against LibTorch's operations.
int benchAttention(const QStringList& args);
// bench_viral pipeline: the whole predict job on a synthetic assembly.
int benchPipeline(const QStringList& args);
// bench_viral products: the int8 linear layers on our VNNI kernel against oneDNN's.
int benchProducts(const QStringList& args);

} // namespace bioforge::bench
