#pragma once

// A run record as the store keeps it, for the store's tests: a self-test run of three units.

#include "provenance/run_record.h"

#include <QDateTime>

namespace bioforge::core::test {

inline RunRecord sampleRun(const QString& id)
{
    RunRecord r;
    r.runId = id;
    r.checkpointId = id;
    r.pluginId = QStringLiteral("workbench");
    r.pluginVersion = QStringLiteral("0.1.0");
    r.verb = QStringLiteral("selftest");
    r.parameters = {{QStringLiteral("units"), 3}};
    r.createdAt = QDateTime::currentDateTimeUtc();
    return r;
}

} // namespace bioforge::core::test
