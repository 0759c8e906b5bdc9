#include "provenance/provenance_dock.h"

#include "layout/open_location.h"
#include "io/atomic_file.h"
#include "plugin/plugin_manager.h"
#include "report/report_builder.h"
#include "report/report_exporter.h"
#include "runs/session.h"
#include "settings/page_memory.h"
#include "store/project.h"

#include <QDir>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLabel>
#include <QPushButton>
#include <QTreeWidget>
#include <QVBoxLayout>

#include <algorithm>
#include <QUrl>

namespace bioforge::ui {
namespace {

void addJson(QTreeWidgetItem* parent, const QString& key, const QJsonValue& value)
{
    if (value.isString() && value.toString().isEmpty())
        return; // nothing to read (a finished run's error, a driver the machine does not have): the fields that say something stay in view
    auto* item = new QTreeWidgetItem(parent, {key});
    if (value.isObject()) {
        const QJsonObject o = value.toObject();
        for (auto it = o.begin(); it != o.end(); ++it)
            addJson(item, it.key(), it.value());
    } else if (value.isArray()) {
        const QJsonArray a = value.toArray();
        for (int i = 0; i < a.size(); ++i) {
            const QJsonObject o = a[i].toObject();
            const QString label = o.contains(QLatin1String("name")) ? o.value(QLatin1String("name")).toString() : QString::number(i);
            addJson(item, label, a[i]);
        }
        item->setText(1, a.size() == 1 ? QObject::tr("1 entry") : QObject::tr("%1 entries").arg(a.size()));
    } else {
        item->setText(1, value.toVariant().toString());
        item->setToolTip(1, item->text(1)); // the whole value where the column elides it
    }
    item->setToolTip(0, key);
}

} // namespace

ProvenanceDock::ProvenanceDock(core::Session& session, QWidget* parent) : QDockWidget(tr("Provenance"), parent), m_session(session)
{
    setObjectName(QStringLiteral("ProvenanceDock"));
    auto* body = new QWidget(this);
    m_title = new QLabel(body);
    m_title->setWordWrap(true);
    m_tree = new QTreeWidget(body);
    m_tree->setObjectName(QStringLiteral("provenanceTree"));
    m_tree->setHeaderLabels({tr("Field"), tr("Value")});
    // Field and value side by side at any width: the field column does not size to its longest key (paths),
    // long texts are elided in the middle, the tooltip has them whole.
    m_tree->header()->setSectionResizeMode(0, QHeaderView::Interactive);
    m_tree->header()->setStretchLastSection(true);
    m_tree->setColumnWidth(0, 140);
    m_tree->setTextElideMode(Qt::ElideMiddle);
    m_exportNote = new QLabel(body);
    m_exportNote->setObjectName(QStringLiteral("exportNote"));
    m_exportNote->setWordWrap(true);
    m_exportNote->setTextFormat(Qt::RichText);
    // file:// links open in the desktop's viewer; where none does, the path is said (trial 21 T21-18).
    connect(m_exportNote, &QLabel::linkActivated, this, [this](const QString& link) { openLocation(QUrl(link).toLocalFile(), this); });
    m_exportNote->setTextInteractionFlags(Qt::TextBrowserInteraction);
    m_exportNote->hide();
    m_exportJson = new QPushButton(tr("Export JSON…"), body);
    m_exportReport = new QPushButton(tr("Export report…"), body);
    m_exportReport->setObjectName(QStringLiteral("exportReportButton"));
    auto* buttons = new QHBoxLayout;
    buttons->addStretch();
    buttons->addWidget(m_exportJson);
    buttons->addWidget(m_exportReport);
    auto* layout = new QVBoxLayout(body);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addWidget(m_title);
    layout->addWidget(m_tree);
    layout->addWidget(m_exportNote);
    layout->addLayout(buttons);
    setWidget(body);
    showNoRun();
    connect(m_exportJson, &QPushButton::clicked, this, &ProvenanceDock::exportJson);
    connect(m_exportReport, &QPushButton::clicked, this, &ProvenanceDock::chooseReportFiles);
    // Another project: a run of the last one is not shown (its Export report wrote into the new one).
    connect(&session, &core::Session::projectChanged, this, &ProvenanceDock::showNoRun);
}

void ProvenanceDock::showNoRun()
{
    m_tree->clear();
    m_runId.clear();
    m_record = {};
    m_exportNote->hide();
    m_title->setText(tr("Double-click a run in the Jobs dock or the Runs page."));
    m_exportJson->setEnabled(false);
    m_exportReport->setEnabled(false);
}

void ProvenanceDock::showRun(const QString& runId)
{
    m_tree->clear();
    m_runId.clear();
    m_exportNote->hide();
    core::Project* project = m_session.project();
    if (!project)
        return;
    auto record = project->store().run(runId);
    if (!record) {
        m_title->setText(record.error().message());
        return;
    }
    m_runId = runId;
    m_record = *record;
    m_title->setText(QStringLiteral("<b>%1</b><br/>run %2 — %3").arg(m_record.title.toHtmlEscaped(), runId, core::runStateName(m_record.state)));
    const QJsonObject json = m_record.toJson();
    for (auto it = json.begin(); it != json.end(); ++it)
        addJson(m_tree->invisibleRootItem(), it.key(), it.value());
    m_tree->expandToDepth(0);
    m_exportJson->setEnabled(true);
    m_exportReport->setEnabled(hasReport(m_record.state));
    show();
    raise();
}

bool ProvenanceDock::hasReport(core::RunState state)
{
    return state == core::RunState::Finished || state == core::RunState::Failed || state == core::RunState::Cancelled;
}

void ProvenanceDock::exportJson()
{
    core::Project* project = m_session.project();
    const QString start = QDir(project ? project->reportsDir() : PageMemory::dialogFolder(QStringLiteral("export"))).filePath(m_runId + QStringLiteral(".json"));
    const QString path = QFileDialog::getSaveFileName(this, tr("Export provenance"), start, tr("JSON (*.json)")); // starts in the project's reports/
    if (path.isEmpty())
        return;
    if (core::Status st = core::AtomicFile::write(path, QJsonDocument(m_record.toJson()).toJson()); !st)
        emit errorOccurred(st.error().message());
}

void ProvenanceDock::chooseReportFiles()
{
    core::Project* project = m_session.project();
    if (!project)
        return;
    const QString base = QDir(project->reportsDir()).filePath(m_runId);
    const QString pdf = QFileDialog::getSaveFileName(this, tr("Export report (a PDF and an HTML file beside it)"),
                                                     base + QStringLiteral(".pdf"), tr("PDF (*.pdf)"));
    if (pdf.isEmpty())
        return;
    QString html = pdf;
    html.replace(QRegularExpression(QStringLiteral("\\.pdf$"), QRegularExpression::CaseInsensitiveOption), QStringLiteral(".html"));
    if (html == pdf)
        html += QStringLiteral(".html");
    exportReport(html, pdf);
}

void ProvenanceDock::exportReport(const QString& htmlPath, const QString& pdfPath)
{
    core::Project* project = m_session.project();
    if (!hasReport(m_record.state)) { // also when asked by a shortcut, whatever the button shows
        emit errorOccurred(tr("Run %1 is %2: a report is made once it has finished, failed or been cancelled.")
                               .arg(m_record.runId, core::runStateName(m_record.state)));
        return;
    }
    const bool ended = m_record.state != core::RunState::Finished; // failed or cancelled: how it ended, no plugin needed
    core::IPlugin* plugin = m_session.plugins().plugin(m_record.pluginId);
    if (!project || (!plugin && !ended)) {
        emit errorOccurred(tr("The plugin '%1' that made this run is not loaded.").arg(m_record.pluginId));
        return;
    }
    m_exportReport->setEnabled(false);
    // The report's written paths, PDF first as the dialog asked for it.
    ReportExporter::exportInBackground(this, *project, m_session.plugins(), m_record.runId, {htmlPath, pdfPath},
                                       [this, htmlPath, pdfPath](core::Expected<QStringList> written) {
                                           m_exportReport->setEnabled(true);
                                           if (!written) {
                                               emit errorOccurred(written.error().message());
                                               return;
                                           }
                                           std::reverse(written->begin(), written->end());
                                           m_exportNote->setText(ReportExporter::writtenText(*written));
                                           m_exportNote->show();
                                           emit reportExported({htmlPath, pdfPath});
                                       });
}

} // namespace bioforge::ui
