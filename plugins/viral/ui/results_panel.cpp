#include "results_panel.h"

#include "layout/open_location.h"
#include "contig_table_model.h"
#include "layout/table_sorting.h"
#include "plot/plot_factory.h"
#include "settings/file_dialogs.h"

#include <QComboBox>
#include <QDesktopServices>
#include <QDir>
#include <QDoubleSpinBox>
#include <QFile>
#include <QHash>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QPushButton>
#include <QSpinBox>
#include <QSplitter>
#include <QStandardItemModel>
#include <QTabWidget>
#include <QTableView>
#include <QUrl>
#include <QVBoxLayout>
#include <QtConcurrent>

#include <qcustomplot.h>

#include <algorithm>

namespace bioforge::viral {

ResultsPanel::ResultsPanel(QWidget* parent) : QWidget(parent)
{
    auto* layout = new QVBoxLayout(this);
    m_summary = new QLabel(tr("No results yet: run a prediction, or pick a finished run above."), this);
    m_summary->setWordWrap(true);
    // The summary beside the buttons, the filters on a row of their own: one row of all of them
    // made the page wider than a 1280-px window (trial 13).
    auto* summaryRow = new QHBoxLayout;
    summaryRow->addWidget(m_summary, 1);
    layout->addLayout(summaryRow);

    auto* filters = new QHBoxLayout;
    m_minScore = new QDoubleSpinBox(this);
    m_minScore->setRange(0, 1);
    m_minScore->setSingleStep(0.05);
    m_minScore->setDecimals(2);
    m_call = new QComboBox(this);
    m_call->addItem(tr("any call"), QString());
    m_call->addItem(tr("viral"), QStringLiteral("viral"));
    m_call->addItem(tr("non-viral"), QStringLiteral("non-viral"));
    m_call->addItem(tr("unscored"), QStringLiteral("unscored"));
    m_minLength = new QSpinBox(this);
    m_minLength->setRange(0, 1 << 30);
    m_minLength->setSingleStep(100);
    m_minLength->setSuffix(tr(" bp"));
    filters->addWidget(new QLabel(tr("Mean score ≥"), this));
    filters->addWidget(m_minScore);
    filters->addWidget(m_call);
    filters->addWidget(new QLabel(tr("Length ≥"), this));
    filters->addWidget(m_minLength);
    filters->addStretch();
    auto* exportButton = new QPushButton(tr("Export TSV…"), this);
    auto* openFolder = new QPushButton(tr("Open folder"), this);
    summaryRow->addWidget(exportButton, 0, Qt::AlignTop);
    summaryRow->addWidget(openFolder, 0, Qt::AlignTop);
    layout->addLayout(filters);

    m_model = new ContigTableModel(this);
    m_filter = new ContigFilter(this);
    m_filter->setSourceModel(m_model);
    m_filter->setSortRole(Qt::UserRole);
    m_contigs = new QTableView(this);
    // Eight contigs in view even where the window is short (1280x760 showed two and a half: the
    // page scrolls to the results instead).
    m_contigs->setMinimumHeight(8 * m_contigs->verticalHeader()->defaultSectionSize() + m_contigs->horizontalHeader()->sizeHint().height()
                                + 2 * m_contigs->frameWidth());
    m_contigs->setModel(m_filter);
    ui::sortOnHeaderClick(m_contigs);
    m_contigs->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_contigs->setSelectionMode(QAbstractItemView::SingleSelection);
    m_contigs->horizontalHeader()->setStretchLastSection(true);
    m_contigs->horizontalHeader()->moveSection(ContigTableModel::Call, 1); // the call beside the contig, never scrolled off
    m_contigs->setTextElideMode(Qt::ElideMiddle);
    m_contigs->verticalHeader()->hide();

    auto* details = new QTabWidget(this);
    auto makeTable = [&](QStandardItemModel*& model, const QString& title) {
        model = new QStandardItemModel(this);
        auto* view = new QTableView(details);
        view->setModel(model);
        view->verticalHeader()->hide();
        view->horizontalHeader()->setStretchLastSection(true);
        view->setEditTriggers(QAbstractItemView::NoEditTriggers);
        details->addTab(view, title);
    };
    makeTable(m_chunkModel, tr("Chunks of the contig"));
    makeTable(m_frameModel, tr("Frames of the contig"));
    m_histogram = new QCustomPlot(details);
    m_scatter = new QCustomPlot(details);
    for (QCustomPlot* plot : {m_histogram, m_scatter})
        plot->setMinimumHeight(200); // its axes and their titles readable (45 px at 1280x760 clipped them)
    details->addTab(m_histogram, tr("Score histogram"));
    details->addTab(m_scatter, tr("Score vs length"));

    auto* split = new QSplitter(Qt::Vertical, this);
    split->addWidget(m_contigs);
    split->addWidget(details);
    split->setStretchFactor(0, 3);
    split->setStretchFactor(1, 2);
    layout->addWidget(split, 1);

    connect(m_minScore, &QDoubleSpinBox::valueChanged, m_filter, &ContigFilter::setMinimumScore);
    connect(m_call, &QComboBox::currentIndexChanged, this, [this] { m_filter->setCall(m_call->currentData().toString()); });
    connect(m_minLength, &QSpinBox::valueChanged, this, [this](int v) { m_filter->setMinimumLength(v); });
    connect(m_contigs->selectionModel(), &QItemSelectionModel::currentRowChanged, this, [this](const QModelIndex& current) {
        if (current.isValid())
            showContig(m_model->row(m_filter->mapToSource(current).row()).contig);
    });
    connect(exportButton, &QPushButton::clicked, this, &ResultsPanel::exportTables);
    connect(openFolder, &QPushButton::clicked, this, [this] {
        if (!m_runDir.isEmpty())
            ui::openLocation(m_runDir, this);
    });
    connect(&m_loading, &QFutureWatcher<core::Expected<ContigResults>>::finished, this, [this] {
        if (m_loadingDir != m_runDir)
            return; // no run, or another project's, chosen while it was read
        const core::Expected<ContigResults> r = m_loading.result();
        if (!r) {
            m_summary->setText(tr("Cannot show the results: %1").arg(r.error().message()));
            return;
        }
        display(*r);
        emit loaded();
    });
}

void ResultsPanel::load(const QString& runDir)
{
    m_runDir = runDir;
    if (runDir.isEmpty()) {
        display(ContigResults{});
        return;
    }
    m_summary->setText(tr("Loading the results…"));
    m_loadingDir = runDir;
    m_loading.setFuture(QtConcurrent::run([runDir] { return ContigResults::load(runDir); }));
}

void ResultsPanel::display(const ContigResults& results)
{
    m_results = results;
    m_model->setRows(results.contigs);
    m_chunkModel->clear();
    m_frameModel->clear();
    int viral = 0, unscored = 0;
    core::ReportPlot hist, scatter;
    hist.kind = core::ReportPlot::Kind::Histogram;
    hist.xLabel = tr("mean virus score");
    hist.bins = 20;
    hist.xMin = 0; // a probability: the whole 0..1, not a zoom on the data
    hist.xMax = 1;
    scatter.kind = core::ReportPlot::Kind::Scatter;
    scatter.xLabel = tr("length (bases)");
    scatter.xLogWhenWide = true;
    scatter.yLabel = tr("mean virus score");
    scatter.yMin = 0;
    scatter.yMax = 1;
    core::PlotSeries h{tr("contigs"), {}, {}}, s{tr("contigs"), {}, {}};
    for (const ContigRow& c : results.contigs) {
        viral += c.call == QLatin1String("viral") ? 1 : 0;
        unscored += c.call == QLatin1String("unscored") ? 1 : 0;
        if (c.meanScore >= 0) {
            h.x.push_back(c.meanScore);
            s.x.push_back(double(c.length));
            s.y.push_back(c.meanScore);
        }
    }
    hist.series << h;
    scatter.series << s;
    ui::PlotFactory::fill(m_histogram, hist);
    ui::PlotFactory::fill(m_scatter, scatter);
    if (!results.runDir.isEmpty()) {
        const qsizetype contigs = results.contigs.size();
        QString text = tr("%1 %2: %3 viral, %4 non-viral, %5 without a translatable frame. Select a contig to see its chunks and frames.")
                           .arg(QString::number(contigs), contigs == 1 ? tr("contig") : tr("contigs"), QString::number(viral),
                                QString::number(contigs - viral - unscored), QString::number(unscored));
        // The run's warnings are said here too, not only in the log: the records skipped counted
        // apart (a renamed record, a contig mostly N or the unscored ones are no loss).
        const auto skipped = std::count_if(results.warnings.begin(), results.warnings.end(),
                                           [](const QString& w) { return w.endsWith(QLatin1String("(record skipped)")); });
        if (skipped > 0)
            text += QLatin1Char(' ') + (skipped == 1 ? tr("1 input record was skipped.") : tr("%1 input records were skipped.").arg(skipped));
        if (!results.warnings.isEmpty())
            text += QLatin1Char(' ') + (results.warnings.size() == 1 ? tr("1 warning") : tr("%1 warnings").arg(results.warnings.size()))
                    + tr(" about the input and the calls (hover for the list; also in the report).");
        m_summary->setText(text);
        m_summary->setToolTip(results.warnings.mid(0, 20).join(QLatin1Char('\n')) + (results.warnings.size() > 20 ? QStringLiteral("\n…") : QString()));
    }
    m_contigs->sortByColumn(ContigTableModel::Mean, Qt::DescendingOrder);
    m_contigs->resizeColumnsToContents();
}

// A column of chunks.tsv / frames.tsv as a reader names it; the file's own
// name stays in the header's tooltip, to find it in the exported table.
QString ResultsPanel::readableColumn(const QString& raw)
{
    static const QHash<QString, QString> names = {
        {QStringLiteral("frame_id"), tr("Frame record")},  {QStringLiteral("chunk"), tr("Chunk")},
        {QStringLiteral("start"), tr("Start (bp)")},       {QStringLiteral("length"), tr("Length (bp)")},
        {QStringLiteral("frames"), tr("Frames")},          {QStringLiteral("best_frame"), tr("Best frame")},
        {QStringLiteral("score"), tr("Score")},            {QStringLiteral("frame"), tr("Frame")},
        {QStringLiteral("nucleotide_length"), tr("Length (nt)")}, {QStringLiteral("protein_length"), tr("Length (aa)")},
        {QStringLiteral("prediction"), tr("Prediction")},  {QStringLiteral("reused"), tr("From an earlier run")},
        {QStringLiteral("contig"), tr("Contig")},          {QStringLiteral("file"), tr("File")}};
    if (auto it = names.constFind(raw); it != names.constEnd())
        return *it;
    if (raw.startsWith(QLatin1String("p_")) && raw.size() > 2)
        return QStringLiteral("P(%1)").arg(raw.mid(2)); // a class probability, e.g. P(virus)
    QString text = raw;
    text.replace(QLatin1Char('_'), QLatin1Char(' '));
    if (!text.isEmpty())
        text[0] = text[0].toUpper();
    return text;
}

void ResultsPanel::showContig(const QString& contig)
{
    auto fill = [](QStandardItemModel* model, const QStringList& header, const QList<DetailRow>& rows) {
        model->clear();
        QStringList readable;
        for (const QString& raw : header)
            readable << readableColumn(raw);
        model->setHorizontalHeaderLabels(readable);
        for (int c = 0; c < header.size(); ++c)
            model->setHeaderData(c, Qt::Horizontal, tr("Column %1 in the exported table").arg(header[c]), Qt::ToolTipRole);
        for (const DetailRow& r : rows) {
            QList<QStandardItem*> items;
            for (const QString& cell : r.cells)
                items << new QStandardItem(cell);
            model->appendRow(items);
        }
    };
    fill(m_chunkModel, m_results.chunkHeader, m_results.chunks.value(contig));
    fill(m_frameModel, m_results.frameHeader, m_results.frames.value(contig));
}

void ResultsPanel::exportTables()
{
    if (m_runDir.isEmpty())
        return;
    const QString target = ui::chooseFolder(this, QStringLiteral("export"), tr("Export the result tables to"));
    if (target.isEmpty())
        return;
    QStringList failed;
    for (const char* name : {"prediction_results.txt", "contigs.tsv", "chunks.tsv", "frames.tsv"}) {
        const QString to = QDir(target).filePath(QLatin1String(name));
        QFile::remove(to);
        if (!QFile::copy(QDir(m_runDir).filePath(QLatin1String(name)), to))
            failed << QLatin1String(name);
    }
    m_summary->setText(failed.isEmpty() ? tr("Exported to %1").arg(target) : tr("Could not export: %1").arg(failed.join(QStringLiteral(", "))));
}

} // namespace bioforge::viral
