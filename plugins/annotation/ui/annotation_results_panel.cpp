#include "annotation_results_panel.h"
#include "annotation_summary_charts.h"

#include "layout/open_location.h"
#include "gene_detail_html.h"
#include "identity/gene_resolver.h"
#include "io/json_file.h"
#include "layout/table_sorting.h"
#include "settings/file_dialogs.h"
#include "store/sqlite_db.h"
#include "tsv_table_model.h"

#include <QDir>
#include <QFile>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLabel>
#include <QLineEdit>
#include <QPointer>
#include <QProgressBar>
#include <QPushButton>
#include <QSortFilterProxyModel>
#include <QSplitter>
#include <QSqlQuery>
#include <QTabWidget>
#include <QTableView>
#include <QTextBrowser>
#include <QTimer>
#include <QVBoxLayout>
#include <QtConcurrent>

#include <QUrl>

namespace bioforge::annotation {
namespace {

struct Loaded {
    QString error;
    QStringList geneHeader, resolutionHeader;
    QList<QStringList> genes, resolution;
    QJsonObject summary;
    QHash<QString, qint64> offsets;
};

Loaded readRun(const QString& runDir)
{
    Loaded l;
    const QDir dir(runDir);
    if (!TsvTableModel::readTsv(dir.filePath(QStringLiteral("annotations.tsv")), l.geneHeader, l.genes, &l.error)
        || !TsvTableModel::readTsv(dir.filePath(QStringLiteral("resolution.tsv")), l.resolutionHeader, l.resolution, &l.error))
        return l;
    l.summary = core::readJsonObjectFile(dir.filePath(QStringLiteral("summary.json"))).valueOr({});
    // One gene per line in annotations.json: remember where each starts.
    QFile json(dir.filePath(QStringLiteral("annotations.json")));
    if (json.open(QIODevice::ReadOnly)) {
        for (qint64 offset = json.pos(); !json.atEnd(); offset = json.pos()) {
            QByteArray line = json.readLine().trimmed();
            if (!line.startsWith('{'))
                continue;
            if (line.endsWith(','))
                line.chop(1);
            const QString key = QJsonDocument::fromJson(line).object().value(QStringLiteral("key")).toString();
            if (!key.isEmpty())
                l.offsets.insert(key, offset);
        }
    }
    return l;
}

} // namespace

AnnotationResultsPanel::AnnotationResultsPanel(QWidget* parent)
    : QWidget(parent), m_genes(new TsvTableModel(this)), m_resolution(new TsvTableModel(this)), m_filter(new QSortFilterProxyModel(this)),
      m_poll(new QTimer(this))
{
    auto* layout = new QVBoxLayout(this);
    m_summary = new QLabel(this);
    m_summary->setObjectName(QStringLiteral("summary"));
    m_summary->setWordWrap(true);
    layout->addWidget(m_summary);
    m_progress = new QWidget(this);
    m_progressLayout = new QGridLayout(m_progress);
    m_progress->setVisible(false);
    layout->addWidget(m_progress);
    m_tabs = new QTabWidget(this);
    layout->addWidget(m_tabs, 1);

    // Genes: filter, table, detail.
    auto* genesTab = new QWidget(m_tabs);
    auto* genesLayout = new QVBoxLayout(genesTab);
    m_search = new QLineEdit(genesTab);
    m_search->setObjectName(QStringLiteral("filter"));
    m_search->setPlaceholderText(tr("Filter genes (any column)"));
    genesLayout->addWidget(m_search);
    auto* split = new QSplitter(Qt::Vertical, genesTab);
    m_geneView = new QTableView(split);
    m_geneView->setMinimumHeight(14 * m_geneView->fontMetrics().lineSpacing()); // a dozen genes even where the page is short (3 showed: trial 23 T23-10)
    m_geneView->setObjectName(QStringLiteral("geneTable"));
    m_filter->setSourceModel(m_genes);
    m_filter->setFilterKeyColumn(-1);
    m_filter->setFilterCaseSensitivity(Qt::CaseInsensitive);
    m_filter->setSortRole(Qt::UserRole);
    m_geneView->setModel(m_filter);
    ui::sortOnHeaderClick(m_geneView);
    m_geneView->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_geneView->setSelectionMode(QAbstractItemView::SingleSelection);
    m_detail = new QTextBrowser(split);
    m_detail->setTabChangesFocus(true); // Tab moves on, as everywhere else
    m_detail->setObjectName(QStringLiteral("detail"));
    split->addWidget(m_geneView);
    split->addWidget(m_detail);
    split->setStretchFactor(0, 3);
    split->setStretchFactor(1, 2);
    genesLayout->addWidget(split, 1);
    m_tabs->addTab(genesTab, tr("Genes"));

    auto* resolutionView = m_resolutionView = new QTableView(m_tabs);
    resolutionView->setObjectName(QStringLiteral("resolutionTable"));
    auto* resolutionSort = new QSortFilterProxyModel(resolutionView);
    resolutionSort->setSourceModel(m_resolution);
    resolutionSort->setSortRole(Qt::UserRole);
    resolutionView->setModel(resolutionSort);
    ui::sortOnHeaderClick(resolutionView);
    resolutionView->horizontalHeader()->setStretchLastSection(true);
    m_tabs->addTab(resolutionView, tr("Resolution"));

    m_charts = new AnnotationSummaryCharts(m_tabs);
    m_tabs->addTab(m_charts, tr("Summary"));

    auto* exportRow = new QHBoxLayout;
    auto* tsv = new QPushButton(tr("Save table (TSV)…"), this);
    auto* json = new QPushButton(tr("Save values (JSON)…"), this);
    auto* report = new QPushButton(tr("Export report"), this);
    report->setObjectName(QStringLiteral("reportButton"));
    exportRow->addWidget(tsv);
    exportRow->addWidget(json);
    exportRow->addWidget(report);
    exportRow->addStretch(1);
    layout->addLayout(exportRow);
    m_reportNote = new QLabel(this);
    m_reportNote->setObjectName(QStringLiteral("reportNote"));
    m_reportNote->setWordWrap(true);
    m_reportNote->setTextFormat(Qt::RichText);
    connect(m_reportNote, &QLabel::linkActivated, this, [this](const QString& link) { ui::openLocation(QUrl(link).toLocalFile(), this); });
    m_reportNote->setTextInteractionFlags(Qt::TextBrowserInteraction);
    m_reportNote->hide();
    layout->addWidget(m_reportNote);

    connect(m_search, &QLineEdit::textChanged, m_filter, &QSortFilterProxyModel::setFilterFixedString);
    connect(m_geneView->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            [this](const QModelIndex& current) { showGene(m_filter->mapToSource(current).row()); });
    connect(tsv, &QPushButton::clicked, this, [this] { exportFile(QStringLiteral("annotations.tsv"), tr("TSV (*.tsv)")); });
    connect(json, &QPushButton::clicked, this, [this] { exportFile(QStringLiteral("annotations.json"), tr("JSON (*.json)")); });
    m_reportButton = report;
    connect(report, &QPushButton::clicked, this, [this] {
        if (m_runDir.isEmpty())
            return;
        m_reportButton->setEnabled(false); // until the page says where this report was written
        m_reportNote->setText(tr("Writing the report…"));
        m_reportNote->show();
        emit exportReportRequested(m_runDir);
    });
    m_poll->setInterval(1000);
    connect(m_poll, &QTimer::timeout, this, &AnnotationResultsPanel::pollProgress);
}

void AnnotationResultsPanel::setReportNote(const QString& text)
{
    m_reportNote->setText(text);
    m_reportNote->setVisible(!text.isEmpty());
    m_reportButton->setEnabled(true);
}

QString AnnotationResultsPanel::onlineText(const QJsonObject& online)
{
    if (online.isEmpty())
        return {};
    QStringList circuits;
    const QJsonObject states = online.value(QStringLiteral("circuits")).toObject();
    for (auto it = states.begin(); it != states.end(); ++it) {
        const QString state = it.value().toString();
        // An open (or half-open) breaker means that provider failed again and again: said loudly.
        circuits << (state == QLatin1String("closed") ? QStringLiteral("%1 closed").arg(it.key()) : QStringLiteral("%1 %2").arg(it.key(), state.toUpper()));
    }
    QString text = tr(" — online: %1 requests, cache %2 hits / %3 misses")
                       .arg(online.value(QStringLiteral("requests")).toInteger())
                       .arg(online.value(QStringLiteral("cache_hits")).toInteger())
                       .arg(online.value(QStringLiteral("cache_misses")).toInteger());
    if (!circuits.isEmpty())
        text += tr("; API circuits: %1").arg(circuits.join(QStringLiteral(", ")));
    return text;
}

void AnnotationResultsPanel::load(const QString& runDir)
{
    if (runDir != m_runDir && m_reportButton && m_reportButton->isEnabled())
        setReportNote(QString()); // the last run's report, not this one's
    m_runDir = runDir;
    if (runDir.isEmpty()) {
        m_genes->reset({}, {});
        m_resolution->reset({}, {});
        m_detail->clear();
        m_summary->setText(tr("No annotation run yet: paste a gene list and press Annotate."));
        emit loaded();
        return;
    }
    QPointer<AnnotationResultsPanel> self(this);
    auto future = QtConcurrent::run([runDir] { return readRun(runDir); });
    auto* watcher = new QFutureWatcher<Loaded>(this);
    connect(watcher, &QFutureWatcher<Loaded>::finished, this, [this, watcher, runDir] {
        watcher->deleteLater();
        if (runDir != m_runDir)
            return; // another run was chosen meanwhile
        Loaded l = watcher->result();
        if (!l.error.isEmpty()) {
            m_summary->setText(l.error);
            emit loaded();
            return;
        }
        m_lineOffsets = l.offsets;
        m_genes->reset(l.geneHeader, l.genes);
        m_resolution->reset(l.resolutionHeader, l.resolution);
        m_resolutionView->resizeColumnsToContents(); // the inputs whole (two Ensembl ids read "ENSG000000…": trial 23 T23-10)
        const QJsonObject r = l.summary.value(QStringLiteral("resolution")).toObject();
        m_summary->setText(tr("%1 inputs: %2 genes, %3 ambiguous, %4 unknown, %5 withdrawn, %6 duplicates — identities from %7")
                               .arg(l.summary.value(QStringLiteral("inputs")).toInt())
                               .arg(r.value(QStringLiteral("resolved")).toInt())
                               .arg(r.value(QStringLiteral("ambiguous")).toInt())
                               .arg(r.value(QStringLiteral("unknown")).toInt())
                               .arg(r.value(QStringLiteral("withdrawn")).toInt())
                               .arg(r.value(QStringLiteral("duplicate")).toInt())
                               .arg(GeneResolver::describeIdentity(l.summary.value(QStringLiteral("identity")).toObject()))
                           + onlineText(l.summary.value(QStringLiteral("online")).toObject()));
        m_charts->show(l.summary, l.geneHeader, l.genes);
        m_geneView->sortByColumn(1, Qt::AscendingOrder); // by symbol
        m_geneView->resizeColumnsToContents();
        if (m_genes->rowCount() > 0)
            m_geneView->selectRow(0);
        emit loaded();
    });
    watcher->setFuture(future);
}

void AnnotationResultsPanel::showGene(int row)
{
    if (row < 0 || row >= m_genes->rowCount() || m_runDir.isEmpty())
        return;
    const QString key = m_genes->row(row).value(0);
    QFile json(QDir(m_runDir).filePath(QStringLiteral("annotations.json")));
    if (!m_lineOffsets.contains(key) || !json.open(QIODevice::ReadOnly) || !json.seek(m_lineOffsets.value(key))) {
        m_detail->setPlainText(tr("No stored values for %1.").arg(key));
        return;
    }
    QByteArray line = json.readLine().trimmed();
    if (line.endsWith(','))
        line.chop(1);
    m_detail->setHtml(geneDetailHtml(QJsonDocument::fromJson(line).object(), key));
}

void AnnotationResultsPanel::follow(const QString& checkpointDir, const QStringList& sources)
{
    m_store = QDir(checkpointDir).filePath(QStringLiteral("progress.sqlite"));
    m_followed = sources;
    m_doneAtStart.clear();
    m_followClock.start();
    m_progress->setVisible(true);
    pollProgress();
    m_poll->start();
}

void AnnotationResultsPanel::stopFollowing()
{
    m_poll->stop();
    m_progress->setVisible(false);
    m_store.clear();
}

void AnnotationResultsPanel::pollProgress()
{
    if (m_store.isEmpty() || !QFile::exists(m_store))
        return;
    auto db = SqliteDb::openReadOnly(m_store);
    if (!db)
        return;
    QSqlQuery q((*db)->database());
    qint64 genes = 0;
    if (q.exec(QStringLiteral("SELECT count(*) FROM resolution WHERE status = 'resolved'")) && q.next())
        genes = q.value(0).toLongLong();
    QHash<QString, QHash<QString, qint64>> counts;
    if (q.exec(QStringLiteral("SELECT source, status, count(*) FROM result GROUP BY source, status")))
        while (q.next())
            counts[q.value(0).toString()][q.value(1).toString()] = q.value(2).toLongLong();
    QStringList sources = m_followed.isEmpty() ? QStringList(counts.keys()) : m_followed;
    sources.sort();
    const double seconds = double(m_followClock.elapsed()) / 1000.0;
    for (int i = 0; i < sources.size(); ++i) {
        const QHash<QString, qint64> c = counts.value(sources[i]);
        const qint64 done = c.value(QStringLiteral("found")) + c.value(QStringLiteral("absent")) + c.value(QStringLiteral("failed"));
        auto* bar = qobject_cast<QProgressBar*>(m_progressLayout->itemAtPosition(i, 1) ? m_progressLayout->itemAtPosition(i, 1)->widget() : nullptr);
        QLabel* label = nullptr;
        if (!bar) {
            m_progressLayout->addWidget(new QLabel(sources[i], m_progress), i, 0);
            bar = new QProgressBar(m_progress);
            bar->setObjectName(QStringLiteral("progress_") + sources[i]);
            m_progressLayout->addWidget(bar, i, 1);
            label = new QLabel(m_progress);
            m_progressLayout->addWidget(label, i, 2);
        } else {
            label = qobject_cast<QLabel*>(m_progressLayout->itemAtPosition(i, 2)->widget());
        }
        bar->setRange(0, int(std::max<qint64>(1, genes)));
        bar->setValue(int(std::min(done, std::max<qint64>(1, genes)))); // never past 100 %
        if (!m_doneAtStart.contains(sources[i]))
            m_doneAtStart.insert(sources[i], done);
        const double rate = seconds > 0 ? double(done - m_doneAtStart.value(sources[i])) / seconds : 0;
        const QString eta = rate > 0 && genes > done ? tr("ETA %1 s").arg(qint64((double(genes - done)) / rate)) : QString();
        label->setText(tr("found %1 · absent %2 · failed %3 %4")
                           .arg(QString::number(c.value(QStringLiteral("found"))), QString::number(c.value(QStringLiteral("absent"))),
                                QString::number(c.value(QStringLiteral("failed"))), eta));
    }
}

void AnnotationResultsPanel::exportFile(const QString& name, const QString& filter)
{
    if (m_runDir.isEmpty())
        return;
    const QString target = ui::chooseSaveFile(this, QStringLiteral("export"), tr("Save %1").arg(name), name, filter);
    if (target.isEmpty())
        return;
    QFile::remove(target);
    if (!QFile::copy(QDir(m_runDir).filePath(name), target))
        m_summary->setText(tr("Could not write %1").arg(target));
}

} // namespace bioforge::annotation
