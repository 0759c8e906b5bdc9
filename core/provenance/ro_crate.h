#pragma once

// Exports a RunRecord as RO-Crate 1.1 metadata (JSON-LD): the run as a
// CreateAction with its instrument (application and plugin), object (inputs
// and models) and result (outputs), each file with its SHA-256 and size.

#include <QJsonObject>

namespace bioforge::core {

struct RunRecord;

class RoCrate {
public:
    static QJsonObject fromRun(const RunRecord& run);
};

} // namespace bioforge::core
