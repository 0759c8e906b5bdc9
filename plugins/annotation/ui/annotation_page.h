#pragma once

// The annotation page: a gene list and the sources on the left, Annotate
// (a recorded run: progress, pause and resume in the Jobs dock, per-source
// progress here), and on the right any finished annotation run of the
// project: genes, resolution, charts, exports.

#include "jobs/page_runs.h"
#include "plugin/iplugin_ui.h"

#include <QWidget>

#include <functional>

class QComboBox;

namespace bioforge::ui {
class StackingSplitter;
}

namespace bioforge::annotation {

class AnnotationResultsPanel;
class AnnotationSetupPanel;

class AnnotationPage final : public QWidget {
    Q_OBJECT
public:
    AnnotationPage(const ui::PageContext& context, std::function<QString()> libraryPath, QWidget* parent = nullptr);

    AnnotationSetupPanel* setup() const { return m_setup; }
    AnnotationResultsPanel* results() const { return m_results; }
    QComboBox* runChoice() const { return m_runs; }
    // Starts an annotate run with the setup's list and sources; its id, or empty (the reason is shown).
    QString start();

private:
    void reloadRuns(const QString& select = {});
    void connectProject();

    ui::PageContext m_context;
    AnnotationSetupPanel* m_setup;
    AnnotationResultsPanel* m_results;
    QComboBox* m_runs;
    ui::StackingSplitter* m_split;
    QMetaObject::Connection m_runEnded;
    ui::PageRuns m_started; // the runs this page started, and their continuations
};

} // namespace bioforge::annotation
