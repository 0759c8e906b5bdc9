// A self-test run's record as the store keeps it, for tests that put one there by hand (a run of
// another process, an orphan, a run of an older plugin).
#pragma once

#include "provenance/run_record.h"

#include <QDateTime>

namespace bioforge::test {

inline core::RunRecord selftestRecord(const QString& id, core::RunState state, const QJsonObject& parameters)
{
    core::RunRecord r;
    r.runId = id;
    r.checkpointId = id;
    r.pluginId = QStringLiteral("workbench");
    r.verb = QStringLiteral("selftest");
    r.parameters = parameters;
    r.state = state;
    r.createdAt = QDateTime::currentDateTimeUtc();
    return r;
}

} // namespace bioforge::test
