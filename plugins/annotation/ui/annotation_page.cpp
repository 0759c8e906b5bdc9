#include "annotation_page.h"

#include "annotation_results_panel.h"
#include "annotation_setup_panel.h"
#include "identity/orgdb.h"
#include "layout/stacking_splitter.h"
#include "log/log.h"
#include "report/report_exporter.h"
#include "runs/run_service.h"
#include "runs/session.h"
#include "store/project.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QVBoxLayout>

namespace bioforge::annotation {

AnnotationPage::AnnotationPage(const ui::PageContext& context, std::function<QString()> libraryPath, QWidget* parent) : QWidget(parent), m_context(context)
{
    auto* layout = new QHBoxLayout(this);
    m_split = new ui::StackingSplitter(this); // the form above the results where the page is too narrow for both
    auto* split = m_split;
    m_setup = new AnnotationSetupPanel(std::move(libraryPath), split);
    auto* right = new QWidget(split);
    auto* rightLayout = new QVBoxLayout(right);
    auto* runRow = new QHBoxLayout;
    runRow->addWidget(new QLabel(tr("Results of"), right));
    m_runs = new QComboBox(right);
    m_runs->setObjectName(QStringLiteral("runChoice"));
    m_runs->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    m_runs->setMinimumContentsLength(24);
    runRow->addWidget(m_runs, 1);
    rightLayout->addLayout(runRow);
    m_results = new AnnotationResultsPanel(right);
    rightLayout->addWidget(m_results, 1);
    split->addWidget(m_setup);
    split->addWidget(right);
    split->setStretchFactor(1, 3);
    layout->addWidget(split);

    connect(m_setup, &AnnotationSetupPanel::runRequested, this, [this] { start(); });
    connect(m_runs, &QComboBox::currentIndexChanged, this, [this] { m_results->load(m_runs->currentData().toString()); });
    connect(m_results, &AnnotationResultsPanel::exportReportRequested, this, [this](const QString& runDir) {
        core::Project* project = m_context.session ? m_context.session->project() : nullptr;
        if (!project)
            return m_results->setReportNote(tr("Open a project first."));
        // Said where it was written, under the button (it was written without a word: trial 21), and
        // made as the Provenance dock makes one: the outputs read off the UI thread.
        const QString runId = m_runs->currentData(Qt::UserRole + 1).toString();
        ui::ReportExporter::exportInBackground(this, *project, m_context.session->plugins(), runId, {},
                                               [this, runId](core::Expected<QStringList> written) {
                                                   if (written)
                                                       core::log::info(QStringLiteral("report of run %1 written: %2").arg(runId, written->join(QStringLiteral(", "))));
                                                   m_results->setReportNote(written ? ui::ReportExporter::writtenText(*written)
                                                                                    : tr("No report: %1").arg(written.error().message().toHtmlEscaped()));
                                               });
        (void)runDir;
    });
    if (m_context.session)
        connect(m_context.session, &core::Session::projectChanged, this, [this] {
            m_setup->setStatus(QString()); // the last project's run, report or error
            m_started.clear();
            connectProject();
            reloadRuns();
        });
    connectProject();
    reloadRuns();
}

void AnnotationPage::connectProject()
{
    disconnect(m_runEnded);
    core::Project* project = m_context.session ? m_context.session->project() : nullptr;
    m_setup->setProjectFolder(project ? project->folder() : QString());
    if (!m_context.session || !m_context.session->runs())
        return;
    m_runEnded = connect(m_context.session->runs(), &core::RunService::runEnded, this, [this](const QString& runId, bool succeeded) {
        const ui::PageRuns::Ended ended = m_started.ended(*m_context.session, runId); // this page's run, or the continuation of one that paused
        if (ended.verb.isEmpty())
            return reloadRuns(); // not started here: it may still be an annotation run to list
        m_results->stopFollowing();
        reloadRuns(succeeded ? runId : QString());
        m_setup->refreshSources(); // the run may have imported files
        m_setup->setStatus(succeeded        ? tr("Run %1 finished; its results are %2.").arg(runId, m_split->placeOf(1))
                           : ended.record ? ui::unfinishedRunText(*ended.record)
                                          : tr("Run %1 did not finish; the Jobs dock and the log say why.").arg(runId));
        if (succeeded)
            m_split->reveal(1);
    });
}

void AnnotationPage::reloadRuns(const QString& select)
{
    const QString current = select.isEmpty() ? m_runs->currentData(Qt::UserRole + 1).toString() : select;
    QSignalBlocker block(m_runs);
    m_runs->clear();
    core::Project* project = m_context.session ? m_context.session->project() : nullptr;
    if (project)
        if (auto runs = project->store().runs())
            for (const core::RunRecord& r : *runs) {
                if (r.pluginId != QLatin1String("annotation") || r.state != core::RunState::Finished)
                    continue;
                m_runs->insertItem(0, QStringLiteral("%1 — %2").arg(r.title.isEmpty() ? r.verb + QLatin1Char(' ') + r.runId : r.title,
                                                                    r.startedAt.toLocalTime().toString(QStringLiteral("yyyy-MM-dd hh:mm"))),
                                   project->runDir(r.runId));
                m_runs->setItemData(0, r.runId, Qt::UserRole + 1);
            }
    const int index = m_runs->findData(current, Qt::UserRole + 1);
    m_runs->setCurrentIndex(index >= 0 ? index : (m_runs->count() ? 0 : -1));
    // Loaded here, not through currentIndexChanged: a detour through no run emptied the table until
    // the same run's files were read again (another page's run ending re-lists the runs).
    m_results->load(m_runs->currentData().toString());
}

QString AnnotationPage::start()
{
    core::RunService* runs = m_context.session ? m_context.session->runs() : nullptr;
    core::Project* project = m_context.session ? m_context.session->project() : nullptr;
    if (!runs || !project) {
        m_setup->setStatus(tr("Open a project first."));
        return {};
    }
    if (m_setup->genes().trimmed().isEmpty()) {
        m_setup->setStatus(tr("Paste a gene list, open one, or choose a saved panel first."));
        return {};
    }
    m_setup->refreshSources(); // what the library holds now (a command-line run may have filled it meanwhile)
    if (m_setup->checkedSources().isEmpty()) {
        if (m_setup->hasUsableSources()) {
            m_setup->setStatus(tr("Check at least one source."));
            return {};
        }
        // A new user's empty library: the run imports the installed org.Hs.eg.db first, as from the
        // command line (docs/annotation.md); without it there is nothing to annotate with.
        if (OrgDb::findInstalled().isEmpty()) {
            m_setup->setStatus(tr("No source is imported yet: import provider files first (Import provider files…)."));
            return {};
        }
    }
    const QJsonObject parameters = m_setup->parameters(); // the file or the box's text, decided once
    auto id = runs->start(QStringLiteral("annotation"), QStringLiteral("annotate"), parameters, m_setup->runTitle(parameters));
    if (!id) {
        m_setup->setStatus(id.error().message());
        return {};
    }
    m_started.started(*id, QStringLiteral("annotate"));
    if (auto record = project->store().run(*id))
        m_results->follow(project->checkpointDir(record->checkpointId), m_setup->checkedSources());
    m_setup->setStatus(tr("Running… pause and resume are in the Jobs dock; the genes appear %1 when it ends.").arg(m_split->placeOf(1)));
    return *id;
}

} // namespace bioforge::annotation
