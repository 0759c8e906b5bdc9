#include "age_results_panel.h"

#include "io/csv_reader.h"
#include "layout/table_sorting.h"
#include "plot/plot_factory.h"
#include "plugin/age_report.h"

#include <QDir>
#include <QFileInfo>
#include <QHeaderView>
#include <QLabel>
#include <QScrollArea>
#include <QSortFilterProxyModel>
#include <QStandardItemModel>
#include <QTabBar>
#include <QTabBar>
#include <QTabWidget>
#include <QTableView>
#include <QTableWidget>
#include <QVBoxLayout>
#include <QtConcurrent>

#include <qcustomplot.h>

namespace bioforge::age {

namespace {

core::Expected<AgeResults> loadResults(const QString& runDir, const QString& verb)
{
    AgeResults r;
    auto report = ageReport(runDir, verb, QString());
    if (!report)
        return report.error();
    r.report = *report;
    const QDir dir(runDir);
    const QString table = QFileInfo::exists(dir.filePath(QStringLiteral("clocks.csv"))) ? dir.filePath(QStringLiteral("clocks.csv")) : dir.filePath(QStringLiteral("henaw.csv"));
    auto reader = core::CsvReader::open(table);
    if (reader && (*reader)->readHeader()) {
        r.header = (*reader)->header();
        for (;;) {
            auto row = (*reader)->next();
            if (!row || !row->has_value())
                break;
            r.people.append(**row);
        }
    }
    if (auto notes = core::CsvReader::open(dir.filePath(QStringLiteral("clock_notes.tsv")), QLatin1Char('\t')); notes && (*notes)->readHeader())
        for (;;) {
            auto row = (*notes)->next();
            if (!row || !row->has_value())
                break;
            const QStringList& n = **row; // id, line, clock, reason
            if (n.size() >= 4)
                r.notes[n[0]][n[2]] = n[3];
        }
    return r;
}

QWidget* tableWidget(const core::ReportTable& t, QWidget* parent)
{
    auto* w = new QTableWidget(int(t.rows.size()), int(t.header.size()), parent);
    w->setHorizontalHeaderLabels(t.header);
    w->verticalHeader()->hide();
    w->setTabKeyNavigation(false);
    w->setEditTriggers(QAbstractItemView::NoEditTriggers);
    for (int r = 0; r < t.rows.size(); ++r)
        for (int c = 0; c < t.rows[r].size() && c < t.header.size(); ++c)
            w->setItem(r, c, new QTableWidgetItem(t.rows[r][c]));
    w->resizeColumnsToContents();
    w->setMinimumHeight(std::min(320, 40 + 26 * int(t.rows.size())));
    return w;
}

} // namespace

AgeResultsPanel::AgeResultsPanel(QWidget* parent) : QWidget(parent)
{
    auto* layout = new QVBoxLayout(this);
    m_summary = new QLabel(tr("No results yet: start a run on the left, or pick a finished one above."), this);
    m_summary->setWordWrap(true);
    m_summary->setTextInteractionFlags(Qt::TextSelectableByMouse);
    layout->addWidget(m_summary);
    m_tabs = new QTabWidget(this);
    m_model = new QStandardItemModel(this);
    auto* proxy = new QSortFilterProxyModel(this);
    proxy->setSourceModel(m_model);
    proxy->setSortRole(Qt::UserRole);
    m_people = new QTableView(this);
    m_people->setObjectName(QStringLiteral("peopleTable"));
    m_people->setModel(proxy);
    ui::sortOnHeaderClick(m_people);
    m_people->setTabKeyNavigation(false);
    m_people->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_tabs->addTab(m_people, tr("People"));
    // Twelve people, or a plot with its axes, in view wherever the page is short (the results were a
    // 50-px strip under the form at 1280x760: trial 20); the page scrolls to them when a run ends.
    m_tabs->setMinimumHeight(12 * m_people->verticalHeader()->defaultSectionSize() + m_people->horizontalHeader()->sizeHint().height()
                             + m_tabs->tabBar()->sizeHint().height() + 4 * m_people->frameWidth());
    layout->addWidget(m_tabs, 1);
    connect(&m_loading, &QFutureWatcher<core::Expected<AgeResults>>::finished, this, [this] {
        if (m_loadingDir == m_runDir) // else no run, or another project's, was chosen while it was read
            show(m_loading.result());
    });
    m_refresh.setInterval(3000);
    connect(&m_refresh, &QTimer::timeout, this, [this] {
        if (m_loading.isRunning() || m_runDir.isEmpty())
            return;
        m_loadingDir = m_runDir;
        m_loading.setFuture(QtConcurrent::run(loadResults, m_runDir, m_verb));
    });
}

void AgeResultsPanel::load(const QString& runDir, const QString& verb, bool live)
{
    m_runDir = runDir;
    m_verb = verb;
    live ? m_refresh.start() : m_refresh.stop();
    if (runDir.isEmpty()) {
        m_shownDir.clear();
        m_model->clear();
        while (m_tabs->count() > 1)
            delete m_tabs->widget(1);
        m_summary->setText(tr("No results yet: start a run on the left, or pick a finished one above."));
        return;
    }
    m_summary->setText(tr("Loading the results…"));
    m_loadingDir = runDir;
    m_loading.setFuture(QtConcurrent::run(loadResults, runDir, verb));
}

void AgeResultsPanel::show(const core::Expected<AgeResults>& results)
{
    if (!results) {
        m_summary->setText(m_refresh.isActive() ? tr("Training… the curves appear after the first epoch.") : tr("Cannot show the results: %1").arg(results.error().message()));
        return;
    }
    const int current = m_tabs->currentIndex();
    m_summary->setText(results->report.summary);
    m_model->clear();
    m_model->setHorizontalHeaderLabels(results->header);
    for (const QStringList& row : results->people) {
        QList<QStandardItem*> items;
        for (qsizetype c = 0; c < row.size(); ++c) {
            const QString& cell = row[c];
            auto* item = new QStandardItem(cell);
            if (cell.isEmpty() && c > 0) { // a clock without a value: why, from clock_notes.tsv
                const QString clock = QString(results->header.value(c)).remove(QLatin1String("_advance"));
                const QString why = results->notes.value(row.value(0)).value(clock, results->notes.value(QStringLiteral("*")).value(clock));
                if (!why.isEmpty()) {
                    item->setText(QStringLiteral("—"));
                    item->setToolTip(tr("No %1 value: %2").arg(clock, why));
                }
            }
            bool numeric = false;
            const double v = cell.toDouble(&numeric);
            item->setData(numeric ? QVariant(v) : QVariant(cell), Qt::UserRole); // numbers sort as numbers
            if (numeric && cell.size() > 8)
                item->setText(QString::number(v, 'f', 2));
            items << item;
        }
        m_model->appendRow(items);
    }
    while (m_tabs->count() > 1)
        delete m_tabs->widget(1);
    for (const core::ReportSection& section : results->report.sections) {
        auto* scroll = new QScrollArea(m_tabs);
        scroll->setWidgetResizable(true);
        auto* page = new QWidget(scroll);
        auto* layout = new QVBoxLayout(page);
        for (const QString& p : section.paragraphs) {
            auto* label = new QLabel(p, page);
            label->setWordWrap(true);
            layout->addWidget(label);
        }
        for (const core::ReportTable& t : section.tables) {
            layout->addWidget(new QLabel(QStringLiteral("<b>%1</b>").arg(t.caption.toHtmlEscaped()), page));
            layout->addWidget(tableWidget(t, page));
        }
        for (const core::ReportPlot& plot : section.plots) {
            auto* caption = new QLabel(plot.caption, page);
            caption->setWordWrap(true);
            layout->addWidget(caption);
            QCustomPlot* chart = ui::PlotFactory::create(plot, page);
            chart->setMinimumHeight(260);
            layout->addWidget(chart);
        }
        layout->addStretch(1);
        scroll->setWidget(page);
        m_tabs->addTab(scroll, section.heading);
    }
    if (current >= 0 && current < m_tabs->count())
        m_tabs->setCurrentIndex(current);
    // Tab from the tab bar goes into the tab shown: its tables (arrows scroll them), the page
    // following. Built after the form, they were at the end of the window's Tab order, out of
    // a keyboard's reach (trial 23 T23-8).
    QWidget* previous = m_tabs->tabBar();
    for (int i = 0; i < m_tabs->count(); ++i)
        for (QWidget* w : QList<QWidget*>{m_tabs->widget(i)} + m_tabs->widget(i)->findChildren<QWidget*>())
            if (w->focusPolicy() & Qt::TabFocus) {
                QWidget::setTabOrder(previous, w);
                previous = w;
            }
    m_shownDir = m_runDir;
    emit loaded();
}

} // namespace bioforge::age
