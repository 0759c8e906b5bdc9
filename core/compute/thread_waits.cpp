#include "compute/thread_waits.h"

#include "log/log.h"

#include <utility>

namespace bioforge::core {

namespace {

constexpr const char* kSpinVariable = "GOMP_SPINCOUNT";
constexpr const char* kSpinValue = "10000";
constexpr const char* kTimeoutVariable = "OPENBLAS_THREAD_TIMEOUT";
constexpr const char* kTimeoutValue = "4";
// Set beside the values this process chose: a child (a cluster task) that inherits them reports
// them as chosen, not as a user's.
constexpr const char* kChosenMarker = "BIOFORGE_THREAD_WAITS_CHOSEN";

QString setting(const char* variable) { return QStringLiteral("%1=%2").arg(QLatin1String(variable), QString::fromLocal8Bit(qgetenv(variable))); }

} // namespace

ThreadWaitChoice chooseThreadWaits()
{
    ThreadWaitChoice choice;
    const bool inherited = qgetenv(kChosenMarker) == "1";
    for (const auto& [variable, value] : {std::pair{kSpinVariable, kSpinValue}, {kTimeoutVariable, kTimeoutValue}}) {
        if (!qEnvironmentVariableIsSet(variable)) {
            qputenv(variable, value);
            qputenv(kChosenMarker, "1");
        } else if (!(inherited && qgetenv(variable) == value)) {
            choice.setByUser = true;
        }
    }
    choice.description = describeThreadWaits();
    return choice;
}

void logThreadWaitChoice(const ThreadWaitChoice& choice)
{
    log::info(QStringLiteral("Idle compute threads: %1 (%2)").arg(choice.description, choice.setByUser ? QStringLiteral("a value set by the user kept") : QStringLiteral("chosen")));
}

bool threadWaitsBounded() { return qEnvironmentVariableIsSet(kSpinVariable) && qEnvironmentVariableIsSet(kTimeoutVariable); }

QString describeThreadWaits()
{
    if (!qEnvironmentVariableIsSet(kSpinVariable) && !qEnvironmentVariableIsSet(kTimeoutVariable))
        return QStringLiteral("not set: the libraries' defaults");
    return setting(kSpinVariable) + QStringLiteral(", ") + setting(kTimeoutVariable);
}

} // namespace bioforge::core
