#include "model/int8_matmul.h"

#include <string>

#if BIOFORGE_ONEDNN
#include <dnnl.hpp>
#if DNNL_VERSION_MAJOR != 2 // the matmul::desc API below is oneDNN 2's (3.0 removed it)
#undef BIOFORGE_ONEDNN
#define BIOFORGE_ONEDNN 0
#define BIOFORGE_ONEDNN_WRONG_VERSION 1
#endif
#endif

namespace bioforge::viral {

using core::Error;

#if BIOFORGE_ONEDNN

namespace {

using dnnl::memory;

const dnnl::engine& cpuEngine()
{
    static const dnnl::engine engine(dnnl::engine::kind::cpu, 0);
    return engine;
}

memory::desc activations(int64_t rows, int64_t in) { return {{rows, in}, memory::data_type::u8, memory::format_tag::ab}; }
memory::desc sums(int64_t rows, int64_t out) { return {{rows, out}, memory::data_type::s32, memory::format_tag::ab}; }

// The weights' layout is the one oneDNN asks for at this many rows; in 2.6 its choice depends
// on the CPU, in and out, not on the rows at the encoders' shapes (checked for 1 to 5000 rows, on
// AVX-512 VNNI and on AMX CPUs); for a small product an AMX CPU picks its VNNI kernel for 1–2 rows.
// oneDNN accepts any layout (its reference kernel takes them all), so run() checks that the
// kernel it gets is the packing one and otherwise reorders into the layout this row count wants.
constexpr int64_t kPackRows = 256;

dnnl::matmul::primitive_desc productFor(int64_t rows, const memory::desc& weights, int64_t in, int64_t out)
{
    return dnnl::matmul::primitive_desc(dnnl::matmul::desc(activations(rows, in), weights, sums(rows, out)), cpuEngine());
}

QString oneDnnError(const char* what, const dnnl::error& e)
{
    return QStringLiteral("int8 product: oneDNN %1 failed: %2 (status %3)").arg(QLatin1String(what), QString::fromUtf8(e.what())).arg(int(e.status));
}

} // namespace

struct Int8Matmul::Packed {
    memory::desc layout;
    memory weights;
    std::string kernel; // oneDNN's implementation for `layout` (impl_info_str)
};

core::Expected<std::shared_ptr<const Int8Matmul>> Int8Matmul::pack(const int8_t* w8, int64_t out, int64_t in)
{
    if (out < 1 || in < 1)
        return Error(QStringLiteral("int8 product: weights of %1 × %2 (both must be ≥ 1)").arg(out).arg(in));
    try {
        const memory::desc any({in, out}, memory::data_type::s8, memory::format_tag::any);
        const auto packing = productFor(kPackRows, any, in, out);
        const memory::desc layout = packing.weights_desc();
        // w8 [out, in] row-major is the [in, out] matrix the product wants, column-major ("ba").
        memory plain({{in, out}, memory::data_type::s8, memory::format_tag::ba}, cpuEngine(), const_cast<int8_t*>(w8));
        memory weights(layout, cpuEngine());
        dnnl::stream stream(cpuEngine());
        dnnl::reorder(plain, weights).execute(stream, plain, weights);
        stream.wait();
        return std::shared_ptr<const Int8Matmul>(
            new Int8Matmul(out, in, std::make_unique<Packed>(Packed{layout, weights, packing.impl_info_str()})));
    } catch (const dnnl::error& e) {
        return Error(oneDnnError("packing the weights", e));
    }
}

core::Status Int8Matmul::run(const uint8_t* q, int64_t rows, int32_t* product) const
{
    if (rows < 1)
        return Error(QStringLiteral("int8 product: %1 rows (must be ≥ 1)").arg(rows));
    try {
        dnnl::stream stream(cpuEngine());
        const memory src(activations(rows, m_in), cpuEngine(), const_cast<uint8_t*>(q));
        const memory dst(sums(rows, m_out), cpuEngine(), product);
        memory packed = m_packed->weights; // a handle: oneDNN's calls take it non-const
        memory weights = packed;
        // A primitive is made (or found in oneDNN's primitive cache) on the calling thread and run
        // there: Debian's libdnnl keeps a primitive's scratchpad per thread, so primitives are not
        // shared between threads.
        dnnl::matmul::primitive_desc pd = productFor(rows, m_packed->layout, m_in, m_out);
        if (pd.impl_info_str() != m_packed->kernel) { // this row count wants another layout: reorder into it
            pd = productFor(rows, memory::desc({m_in, m_out}, memory::data_type::s8, memory::format_tag::any), m_in, m_out);
            weights = memory(pd.weights_desc(), cpuEngine());
            dnnl::reorder(packed, weights).execute(stream, packed, weights);
        }
        dnnl::matmul(pd).execute(stream, {{DNNL_ARG_SRC, src}, {DNNL_ARG_WEIGHTS, weights}, {DNNL_ARG_DST, dst}});
        stream.wait();
        return core::okStatus();
    } catch (const dnnl::error& e) {
        return Error(oneDnnError("running the product", e));
    }
}

QString Int8Matmul::kernelFor(int64_t rows) const
{
    try {
        return QString::fromLatin1(productFor(rows, m_packed->layout, m_in, m_out).impl_info_str());
    } catch (const dnnl::error& e) {
        return oneDnnError("choosing a kernel", e);
    }
}

core::Status int8MatmulStatus() { return core::okStatus(); }

QString int8MatmulImplementation()
{
    const dnnl_version_t* v = dnnl::version();
    QString impl;
    try {
        const memory::desc any({640, 1920}, memory::data_type::s8, memory::format_tag::any);
        impl = QString::fromLatin1(productFor(kPackRows, any, 640, 1920).impl_info_str());
    } catch (const dnnl::error& e) {
        impl = QStringLiteral("no implementation: ") + QString::fromUtf8(e.what());
    }
    return QStringLiteral("oneDNN %1.%2.%3, %4").arg(v->major).arg(v->minor).arg(v->patch).arg(impl);
}

#else // no oneDNN in this build

struct Int8Matmul::Packed {};

core::Status int8MatmulStatus()
{
#if BIOFORGE_ONEDNN_WRONG_VERSION
    return Error(QStringLiteral("precision int8 needs oneDNN 2 (Debian 12: libdnnl-dev 2.6); this build found oneDNN %1; choose fp32 or bf16")
                     .arg(DNNL_VERSION_MAJOR));
#else
    return Error(QStringLiteral("precision int8 needs oneDNN, which this build did not find (Debian: libdnnl-dev; rebuild); choose fp32 or bf16"));
#endif
}

core::Expected<std::shared_ptr<const Int8Matmul>> Int8Matmul::pack(const int8_t*, int64_t, int64_t) { return int8MatmulStatus().error(); }

core::Status Int8Matmul::run(const uint8_t*, int64_t, int32_t*) const { return int8MatmulStatus(); }

QString Int8Matmul::kernelFor(int64_t) const { return int8MatmulStatus().error().message(); }

QString int8MatmulImplementation() { return int8MatmulStatus().error().message(); }

#endif

Int8Matmul::Int8Matmul(int64_t out, int64_t in, std::unique_ptr<Packed> packed) : m_out(out), m_in(in), m_packed(std::move(packed)) {}

Int8Matmul::~Int8Matmul() = default;

} // namespace bioforge::viral
