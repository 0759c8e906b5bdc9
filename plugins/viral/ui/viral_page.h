#pragma once

// The viral page: set up a run (RunSetupPanel), start `predict` or
// `validate` through the project's RunService (progress is in the Jobs
// dock), and look at a finished run's results (ResultsPanel), picked from
// the project's viral runs; a run that finishes while the page is open is
// shown at once.

#include "jobs/page_runs.h"
#include "plugin/iplugin_ui.h"

#include <QWidget>

class QComboBox;

namespace bioforge::ui {
class StackingSplitter;
}

namespace bioforge::viral {

class ResultsPanel;
class RunSetupPanel;
class ViralPlugin;

class ViralPage final : public QWidget {
    Q_OBJECT
public:
    ViralPage(const ui::PageContext& context, ViralPlugin* plugin, QWidget* parent = nullptr);

    RunSetupPanel* setup() const { return m_setup; }
    ResultsPanel* results() const { return m_results; }
    QComboBox* runChoice() const { return m_runs; }
    // Starts a run of `verb` with the panel's parameters; the run id, or empty (the reason is shown).
    // A cluster run first asks whether a Slurm cluster answers, on a worker thread (up to 30 s when
    // its controller is down): it returns empty then and the run starts when the answer comes.
    QString start(const QString& verb);

private:
    QString startChecked(const QString& verb, const QJsonObject& parameters);
    void reloadRuns(const QString& select = {});
    void connectProject();

    ui::PageContext m_context;
    RunSetupPanel* m_setup;
    ResultsPanel* m_results;
    QComboBox* m_runs;
    ui::StackingSplitter* m_split;
    QMetaObject::Connection m_runEnded;
    ui::PageRuns m_started; // the runs this page started, and their continuations
};

} // namespace bioforge::viral
