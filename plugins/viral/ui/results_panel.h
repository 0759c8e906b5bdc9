#pragma once

// The right side of the viral page: one run's results — the contig table
// (sortable; filtered by score, call and length), the chunks and frames of
// the selected contig, the score histogram and score-vs-length scatter, and
// export of the TSV files. Results load off the UI thread.

#include "contig_results.h"

#include <QFutureWatcher>
#include <QWidget>

class QCustomPlot;
class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QSpinBox;
class QStandardItemModel;
class QTableView;

namespace bioforge::viral {

class ContigFilter;
class ContigTableModel;

class ResultsPanel final : public QWidget {
    Q_OBJECT
public:
    explicit ResultsPanel(QWidget* parent = nullptr);

    void load(const QString& runDir);  // empty: clears
    const QString& runDir() const { return m_runDir; }
    QTableView* contigView() const { return m_contigs; }
    ContigFilter* filter() const { return m_filter; }
    QStandardItemModel* chunkModel() const { return m_chunkModel; }
    QStandardItemModel* frameModel() const { return m_frameModel; }
    // "best_frame" → "Best frame", "p_virus" → "P(virus)".
    static QString readableColumn(const QString& raw);
    QLabel* summary() const { return m_summary; }

signals:
    void loaded();

private:
    void display(const ContigResults& results);
    void showContig(const QString& contig);
    void exportTables();

    QString m_runDir;
    QString m_loadingDir; ///< the run folder m_loading reads: its results are dropped if another was chosen meanwhile
    ContigResults m_results;
    QFutureWatcher<core::Expected<ContigResults>> m_loading;
    QLabel* m_summary;
    ContigTableModel* m_model;
    ContigFilter* m_filter;
    QTableView* m_contigs;
    QStandardItemModel* m_chunkModel;
    QStandardItemModel* m_frameModel;
    QCustomPlot* m_histogram;
    QCustomPlot* m_scatter;
    QDoubleSpinBox* m_minScore;
    QComboBox* m_call;
    QSpinBox* m_minLength;
};

} // namespace bioforge::viral
