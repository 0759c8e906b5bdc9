#include "compute/blas_core.h"

#include "log/log.h"

#include <QByteArray>

#include <atomic>
#include <string>
#include <vector>

#include <dlfcn.h>
#include <link.h>

namespace bioforge::core {

namespace {
// Marks an OPENBLAS_CORETYPE that chooseOpenBlasCore set (and not a user).
constexpr char kChosenMarker[] = "BIOFORGE_OPENBLAS_CORETYPE_CHOSEN";
} // namespace

CpuVectorSupport cpuVectorSupport()
{
    CpuVectorSupport s;
#if defined(__x86_64__) || defined(__i386__)
    __builtin_cpu_init();
    s.avx512 = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512cd") && __builtin_cpu_supports("avx512bw")
               && __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vl");
    s.avx2Fma = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
#endif
    return s;
}

QString openBlasCoreFor(const CpuVectorSupport& cpu)
{
    if (cpu.avx512)
        return QStringLiteral("SkylakeX");
    if (cpu.avx2Fma)
        return QStringLiteral("Haswell");
    return {};
}

BlasCoreChoice chooseOpenBlasCore()
{
    // A value this function set in a parent process (a cluster task inherits the submitting
    // shell's environment) was chosen for the parent's CPU, not this one: chosen again here.
    const QByteArray current = qgetenv("OPENBLAS_CORETYPE");
    if (!current.isEmpty() && current != qgetenv(kChosenMarker))
        return {QString::fromLatin1(current), true};
    const QString core = openBlasCoreFor(cpuVectorSupport());
    if (core.isEmpty()) {
        qunsetenv("OPENBLAS_CORETYPE");
        qunsetenv(kChosenMarker);
    } else {
        qputenv("OPENBLAS_CORETYPE", core.toLatin1());
        qputenv(kChosenMarker, core.toLatin1());
    }
    return {core, false};
}

void logBlasCoreChoice(const BlasCoreChoice& choice)
{
    if (choice.setByUser)
        log::info(QStringLiteral("OpenBLAS kernels: %1 (OPENBLAS_CORETYPE set by the user)").arg(choice.core));
    else if (!choice.core.isEmpty())
        log::info(QStringLiteral("OpenBLAS kernels: %1 (chosen from this CPU's instruction sets)").arg(choice.core));
}

namespace {

// `symbol` from whichever loaded object exports it. dlsym(RTLD_DEFAULT) sees the global scope and
// the caller's own dependencies only; the plugins that link OpenBLAS (through LibTorch) are loaded
// with RTLD_LOCAL, so from this library their OpenBLAS is found by asking each loaded object.
void* loadedSymbol(const char* symbol)
{
    if (void* f = dlsym(RTLD_DEFAULT, symbol))
        return f;
    std::vector<std::string> names;
    dl_iterate_phdr(
        [](dl_phdr_info* info, size_t, void* out) {
            if (info->dlpi_name && *info->dlpi_name)
                static_cast<std::vector<std::string>*>(out)->emplace_back(info->dlpi_name);
            return 0;
        },
        &names);
    for (const std::string& name : names) { // opened outside the iteration, which holds the loader's lock
        void* handle = dlopen(name.c_str(), RTLD_LAZY | RTLD_NOLOAD);
        if (!handle)
            continue;
        void* f = dlsym(handle, symbol);
        dlclose(handle); // RTLD_NOLOAD took a reference only; the object stays loaded
        if (f)
            return f;
    }
    return nullptr;
}

} // namespace

QString loadedOpenBlasCore()
{
    using CoreName = char* (*)();
    auto* name = reinterpret_cast<CoreName>(loadedSymbol("openblas_get_corename"));
    if (!name)
        return {};
    const char* text = name();
    return text ? QString::fromLatin1(text) : QString();
}

QString describeLoadedBlas()
{
    const QString core = loadedOpenBlasCore();
    if (core.isEmpty())
        return {};
    const QString wanted = openBlasCoreFor(cpuVectorSupport());
    static std::atomic<bool> warned{false};
    const bool generic = core.compare(QLatin1String("Prescott"), Qt::CaseInsensitive) == 0 || core.compare(QLatin1String("Core2"), Qt::CaseInsensitive) == 0
                         || core.compare(QLatin1String("Nehalem"), Qt::CaseInsensitive) == 0;
    if (generic && !wanted.isEmpty() && !warned.exchange(true))
        log::warn(QStringLiteral("OpenBLAS runs its generic %1 kernels on a CPU with %2: float32 products run several times slower; "
                                 "set OPENBLAS_CORETYPE=%3 before starting the workbench")
                      .arg(core, wanted == QLatin1String("SkylakeX") ? QStringLiteral("AVX-512") : QStringLiteral("AVX2"), wanted));
    return QStringLiteral("OpenBLAS, %1 kernels").arg(core);
}

} // namespace bioforge::core
