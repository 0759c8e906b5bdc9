#pragma once

// The right side of the age page: a finished age run's results. The people
// (clocks.csv, or henaw.csv) in a sortable table, then the run's report
// sections (the same content the PDF report has: the comparison against
// mortality, Kaplan-Meier curves, calibration, training curves, biomarker
// weights), each as tables and QCustomPlot plots. Loading happens on a
// worker; a HENAW training that is still running is redrawn as it goes.

#include "report/report_content.h"
#include "util/expected.h"

#include <QFutureWatcher>
#include <QTimer>
#include <QHash>
#include <QWidget>

class QLabel;
class QStandardItemModel;
class QTabWidget;
class QTableView;

namespace bioforge::age {

struct AgeResults {
    core::ReportContent report;
    QStringList header;
    QList<QStringList> people;
    // clock_notes.tsv: id ("*": every row) → clock → why it has no value (an empty cell of the
    // People table says it in its tooltip: trial 23 T23-20).
    QHash<QString, QHash<QString, QString>> notes;
};

class AgeResultsPanel final : public QWidget {
    Q_OBJECT
public:
    explicit AgeResultsPanel(QWidget* parent = nullptr);

    // `verb` of the run whose folder this is; `live`: redraw every few seconds (a running training).
    void load(const QString& runDir, const QString& verb, bool live = false);
    QLabel* summary() const { return m_summary; }
    QTabWidget* tabs() const { return m_tabs; }
    QTableView* people() const { return m_people; }
    // The run folder whose results the tabs show now (empty: none yet); load() starts a read, this
    // changes when it is shown.
    const QString& shownRunDir() const { return m_shownDir; }

signals:
    void loaded();

private:
    void show(const core::Expected<AgeResults>& results);

    QLabel* m_summary;
    QTabWidget* m_tabs;
    QTableView* m_people;
    QStandardItemModel* m_model;
    QFutureWatcher<core::Expected<AgeResults>> m_loading;
    QTimer m_refresh;
    QString m_runDir, m_verb;
    QString m_loadingDir;
    QString m_shownDir; // the run whose results the tabs show ///< the run folder m_loading reads: its results are dropped if another was chosen meanwhile
};

} // namespace bioforge::age
