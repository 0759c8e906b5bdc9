#pragma once

// The age page: choose and check a cohort table with its column mapping
// (saved with the project), compute the published clocks, evaluate them
// against mortality, train HENAW (progress in the Jobs dock, the curves here
// as it trains), and look at any finished age run of the project.

#include "jobs/page_runs.h"
#include "plugin/iplugin_ui.h"

#include <QWidget>

class QComboBox;

namespace bioforge::ui {
class StackingSplitter;
}

namespace bioforge::age {

class AgeResultsPanel;
class AgeSetupPanel;

class AgePage final : public QWidget {
    Q_OBJECT
public:
    explicit AgePage(const ui::PageContext& context, QWidget* parent = nullptr);

    AgeSetupPanel* setup() const { return m_setup; }
    AgeResultsPanel* results() const { return m_results; }
    QComboBox* runChoice() const { return m_runs; }
    // Starts `verb` with the setup's parameters; the run id, or empty (the reason is shown).
    QString start(const QString& verb);
    // The mapping saved with the project (<project>/age/mapping.json).
    QString projectMappingFile() const;

private:
    void reloadRuns(const QString& select = {});
    void connectProject();
    void showSelected();

    ui::PageContext m_context;
    AgeSetupPanel* m_setup;
    AgeResultsPanel* m_results;
    QComboBox* m_runs;
    QString m_shownBeforeTraining; // the run shown when a training started (shown again if it fails)
    ui::StackingSplitter* m_split;
    QMetaObject::Connection m_runEnded;
    ui::PageRuns m_started; // the runs this page started, and their continuations
};

} // namespace bioforge::age
