#include "compute/blas_core.h"

#include "log/log.h"

#include <QByteArray>
#include <QStringList>

#include <atomic>
#include <functional>
#include <string>
#include <vector>

#include <dlfcn.h>
#include <link.h>

namespace bioforge::core {

namespace {
// Marks an OPENBLAS_CORETYPE that chooseOpenBlasCore set (and not a user).
constexpr char kChosenMarker[] = "BIOFORGE_OPENBLAS_CORETYPE_CHOSEN";
// The same for ATEN_CPU_CAPABILITY (chooseAtenCpuCapability).
constexpr char kAtenChosenMarker[] = "BIOFORGE_ATEN_CPU_CAPABILITY_CHOSEN";
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

bool openBlasCoreRuns(const QString& core, const CpuVectorSupport& cpu)
{
    // OpenBLAS's kernel sets that need AVX-512 or AVX2 (OpenBLAS applies a forced value without
    // asking the CPU); older sets run on any x86-64.
    static const QStringList avx512 = {QStringLiteral("SkylakeX"), QStringLiteral("Cooperlake"), QStringLiteral("SapphireRapids")};
    static const QStringList avx2 = {QStringLiteral("Haswell"), QStringLiteral("Zen"), QStringLiteral("SkylakeX"), QStringLiteral("Cooperlake"),
                                     QStringLiteral("SapphireRapids")};
    if (avx512.contains(core, Qt::CaseInsensitive))
        return cpu.avx512;
    if (avx2.contains(core, Qt::CaseInsensitive))
        return cpu.avx2Fma;
    return true;
}

namespace {

// The choice both kernel selections make (chooseOpenBlasCore, chooseAtenCpuCapability): a value
// this process set in a parent (marked by `marker`; a cluster task inherits the submitting shell's
// environment) was chosen for the parent's CPU and is chosen again here; a user's value is kept
// unless this CPU cannot run it (exported on a login node with AVX-512, inherited by a task on an
// AVX2 node), and then replaced (the log says so).
BlasCoreChoice chooseInEnvironment(const char* variable, const char* marker, const QString& wanted, const std::function<bool(const QString&)>& runs)
{
    const QByteArray current = qgetenv(variable);
    const bool fromUser = !current.isEmpty() && current != qgetenv(marker);
    if (fromUser && runs(QString::fromLatin1(current)))
        return {QString::fromLatin1(current), true, QString()};
    BlasCoreChoice choice;
    choice.core = wanted;
    if (fromUser)
        choice.replaced = QString::fromLatin1(current);
    if (choice.core.isEmpty()) {
        qunsetenv(variable);
        qunsetenv(marker);
    } else {
        qputenv(variable, choice.core.toLatin1());
        qputenv(marker, choice.core.toLatin1());
    }
    return choice;
}

// Logs a choice of chooseInEnvironment: a replaced user's value as a warning, else what runs.
void logChoice(const BlasCoreChoice& choice, const char* variable, const QString& library, const QString& label, const QString& fallback)
{
    if (!choice.replaced.isEmpty())
        log::warn(QStringLiteral("%1=%2 needs instructions this CPU lacks; %3 runs %4 instead")
                      .arg(QLatin1String(variable), choice.replaced, library, choice.core.isEmpty() ? fallback : choice.core + QStringLiteral(" kernels")));
    else if (choice.setByUser)
        log::info(QStringLiteral("%1: %2 (%3 set by the user)").arg(label, choice.core, QLatin1String(variable)));
    else if (!choice.core.isEmpty())
        log::info(QStringLiteral("%1: %2 (chosen from this CPU's instruction sets)").arg(label, choice.core));
}

} // namespace

BlasCoreChoice chooseOpenBlasCore()
{
    const CpuVectorSupport cpu = cpuVectorSupport();
    return chooseInEnvironment("OPENBLAS_CORETYPE", kChosenMarker, openBlasCoreFor(cpu), [&](const QString& core) { return openBlasCoreRuns(core, cpu); });
}

QString atenCapabilityFor(const CpuVectorSupport& cpu) { return cpu.avx512 ? QStringLiteral("avx512") : QString(); }

bool atenCapabilityRuns(const QString& capability, const CpuVectorSupport& cpu)
{
    if (capability.compare(QLatin1String("avx512"), Qt::CaseInsensitive) == 0)
        return cpu.avx512;
    if (capability.compare(QLatin1String("avx2"), Qt::CaseInsensitive) == 0)
        return cpu.avx2Fma;
    return true; // "default" (scalar) and values LibTorch ignores
}

BlasCoreChoice chooseAtenCpuCapability()
{
    const CpuVectorSupport cpu = cpuVectorSupport();
    return chooseInEnvironment("ATEN_CPU_CAPABILITY", kAtenChosenMarker, atenCapabilityFor(cpu),
                               [&](const QString& capability) { return atenCapabilityRuns(capability, cpu); });
}

void logAtenCapabilityChoice(const BlasCoreChoice& choice)
{
    logChoice(choice, "ATEN_CPU_CAPABILITY", QStringLiteral("LibTorch"), QStringLiteral("LibTorch CPU kernels"), QStringLiteral("the kernels it picks"));
}

QString describeAtenCapability()
{
    const QByteArray value = qgetenv("ATEN_CPU_CAPABILITY");
    return value.isEmpty() ? QStringLiteral("LibTorch's own choice") : QStringLiteral("ATEN_CPU_CAPABILITY=%1").arg(QString::fromLatin1(value));
}

void logBlasCoreChoice(const BlasCoreChoice& choice)
{
    logChoice(choice, "OPENBLAS_CORETYPE", QStringLiteral("OpenBLAS"), QStringLiteral("OpenBLAS kernels"), QStringLiteral("the kernels it detects"));
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
