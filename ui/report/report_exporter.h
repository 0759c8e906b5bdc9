#pragma once

// Exports a stored run's report: asks the run's plugin for its content, adds
// the provenance from the project store, and writes HTML and/or PDF (by
// default into the project's reports/ folder).

#include "util/expected.h"

#include <QString>
#include <QStringList>

namespace bioforge::core {
class PluginManager;
class Project;
} // namespace bioforge::core

namespace bioforge::ui {

class ReportExporter {
public:
    struct Targets {
        QString html; // empty: not written (unless both are empty: defaults)
        QString pdf;
    };
    // Returns the paths written.
    static core::Expected<QStringList> exportRun(const core::Project& project, const core::PluginManager& plugins,
                                                 const QString& runId, Targets targets = {});
};

} // namespace bioforge::ui
