#pragma once

// The Provenance dock: the selected run's record as a tree (parameters,
// inputs, models and outputs with SHA-256, software, device, times), with
// export of the JSON record and of the run's report (HTML and PDF). The
// plugin's report content is read on a worker thread; only the rendering of
// plots, which QCustomPlot needs on the UI thread, happens here.

#include "provenance/run_record.h"

#include <QDockWidget>

class QLabel;
class QPushButton;
class QTreeWidget;

namespace bioforge::core {
class Session;
}

namespace bioforge::ui {

class ProvenanceDock : public QDockWidget {
    Q_OBJECT
public:
    explicit ProvenanceDock(core::Session& session, QWidget* parent = nullptr);

    void showRun(const QString& runId);
    // No run shown (as at the start, and when another project opens).
    void showNoRun();
    const QString& runId() const { return m_runId; }
    QTreeWidget* tree() const { return m_tree; }
    // After an export: where the files are, as links that open them.
    QLabel* exportNote() const { return m_exportNote; }
    // Writes the report; asynchronous: reportExported or errorOccurred follows.
    void exportReport(const QString& htmlPath, const QString& pdfPath);
    // Asks where (a PDF with the HTML beside it), then exports the shown run's report.
    void chooseReportFiles();

signals:
    void reportExported(const QStringList& paths);
    void errorOccurred(const QString& message);

private:
    // A run's report exists once it ended: finished (its plugin's), failed or cancelled (how it ended).
    static bool hasReport(core::RunState state);
    void exportJson();

    core::Session& m_session;
    QString m_runId;
    core::RunRecord m_record;
    QLabel* m_title;
    QLabel* m_exportNote;
    QTreeWidget* m_tree;
    QPushButton* m_exportJson;
    QPushButton* m_exportReport;
};

} // namespace bioforge::ui
