#pragma once

// The right side of the annotation page, for one run: while it runs, a
// progress bar per source with its counts and ETA (read from the run's
// store); when it has finished, the genes (sortable, filterable; a detail
// pane with every value's source, how it joined, its release and fetch
// time), the resolution of every input, summary charts (genes per source,
// LOEUF, kidney expression against LOEUF) and exports (TSV, JSON, report).

#include <QElapsedTimer>
#include <QHash>
#include <QJsonObject>
#include <QWidget>

class QGridLayout;
class QLabel;
class QLineEdit;
class QPushButton;
class QSortFilterProxyModel;
class QTabWidget;
class QTableView;
class QTextBrowser;
class QTimer;

namespace bioforge::annotation {

class AnnotationSummaryCharts;
class TsvTableModel;

class AnnotationResultsPanel final : public QWidget {
    Q_OBJECT
public:
    // "online: 120 requests, cache 30 hits / 120 misses; API circuits: gnomad closed, hgnc OPEN"
    // from summary.json's `online` (empty when the run was offline).
    static QString onlineText(const QJsonObject& online);
    explicit AnnotationResultsPanel(QWidget* parent = nullptr);

    // A finished run's folder (empty: clears). Reads on a worker thread; emits loaded().
    void load(const QString& runDir);
    // Follows a running run: its store in `checkpointDir`, `genes` resolved so far unknown (0).
    void follow(const QString& checkpointDir, const QStringList& sources);
    void stopFollowing();
    // Under the export buttons: where a report was written (rich text, links), or why it was not;
    // Export report is pressed again from then on.
    void setReportNote(const QString& text);
    QLabel* reportNote() const { return m_reportNote; }

    TsvTableModel* genes() const { return m_genes; }
    TsvTableModel* resolution() const { return m_resolution; }
    QSortFilterProxyModel* filtered() const { return m_filter; }
    QTextBrowser* detail() const { return m_detail; }
    // Shows gene `row` of the (unfiltered) table in the detail pane.
    void showGene(int row);

signals:
    void loaded();
    void exportReportRequested(const QString& runDir);

private:
    void pollProgress();
    void exportFile(const QString& name, const QString& filter);

    QString m_runDir;
    TsvTableModel* m_genes;
    TsvTableModel* m_resolution;
    QSortFilterProxyModel* m_filter;
    QLineEdit* m_search;
    QTableView* m_geneView;
    QTextBrowser* m_detail;
    QTabWidget* m_tabs;
    AnnotationSummaryCharts* m_charts;
    QTableView* m_resolutionView;
    QLabel* m_summary;
    QLabel* m_reportNote = nullptr;
    QPushButton* m_reportButton = nullptr;
    QWidget* m_progress;
    QGridLayout* m_progressLayout;
    QTimer* m_poll;
    QString m_store;
    QStringList m_followed;
    QElapsedTimer m_followClock;
    QHash<QString, qint64> m_doneAtStart; // per source, when following began (a resume starts part-way)
    QHash<QString, qint64> m_lineOffsets; // gene key -> byte offset of its line in annotations.json
};

} // namespace bioforge::annotation
