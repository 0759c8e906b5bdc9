#include "viral_page.h"

#include "jobs/page_runs.h"
#include "layout/stacking_splitter.h"
#include "models/model_registry.h"
#include "results_panel.h"
#include "run_setup_panel.h"
#include "runs/run_service.h"
#include "runs/session.h"
#include "store/project.h"

#include <QComboBox>
#include <QFutureWatcher>
#include <QHBoxLayout>
#include <QLabel>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>

namespace bioforge::viral {

ViralPage::ViralPage(const ui::PageContext& context, ViralPlugin*, QWidget* parent) : QWidget(parent), m_context(context)
{
    auto* layout = new QHBoxLayout(this);
    m_split = new ui::StackingSplitter(this); // the form above the results where the page is too narrow for both
    auto* split = m_split;
    m_setup = new RunSetupPanel(split);
    auto* right = new QWidget(split);
    auto* rightLayout = new QVBoxLayout(right);
    auto* runRow = new QHBoxLayout;
    runRow->addWidget(new QLabel(tr("Results of"), right));
    m_runs = new QComboBox(right);
    m_runs->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon); // a long run title does not widen the page
    m_runs->setMinimumContentsLength(24);
    runRow->addWidget(m_runs, 1);
    rightLayout->addLayout(runRow);
    m_results = new ResultsPanel(right);
    rightLayout->addWidget(m_results, 1);
    split->addWidget(m_setup);
    split->addWidget(right);
    split->setStretchFactor(1, 3);
    layout->addWidget(split);

    if (m_context.session) {
        m_setup->setRegistry(&m_context.session->models());
        connect(m_context.session, &core::Session::modelsChanged, this, [this] { m_setup->setRegistry(&m_context.session->models()); });
    }
    connect(m_setup, &RunSetupPanel::runRequested, this, [this] { start(QStringLiteral("predict")); });
    connect(m_setup, &RunSetupPanel::validateRequested, this, [this] { start(QStringLiteral("validate")); });
    connect(m_runs, &QComboBox::currentIndexChanged, this, [this] {
        const QString dir = m_runs->currentData().toString();
        m_results->load(dir);
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

void ViralPage::connectProject()
{
    // Qt::UniqueConnection does not work with lambdas: keep the one connection by hand.
    disconnect(m_runEnded);
    if (!m_context.session || !m_context.session->runs())
        return;
    m_runEnded = connect(m_context.session->runs(), &core::RunService::runEnded, this, [this](const QString& runId, bool succeeded) {
        const ui::PageRuns::Ended ended = m_started.ended(*m_context.session, runId); // this page's run, or the continuation of one that paused
        const QString& verb = ended.verb;
        reloadRuns(succeeded && !verb.isEmpty() && verb != QLatin1String("validate") ? runId : QString()); // another program's run: listed, not shown
        if (verb.isEmpty())
            return; // not started from this page
        if (!succeeded) {
            m_setup->setStatus(ended.record ? ui::unfinishedRunText(*ended.record) : tr("Run %1 did not finish; the Jobs dock and the log say why.").arg(runId));
        } else if (verb == QLatin1String("validate")) {
            m_setup->setStatus(tr("Validation passed: the models load and a tiny input runs through every stage (run %1).").arg(runId));
        } else {
            m_setup->setStatus(tr("Run %1 finished; its results are shown %2.").arg(runId, m_split->placeOf(1)));
            m_split->reveal(1);
        }
    });
}

void ViralPage::reloadRuns(const QString& select)
{
    const QString current = select.isEmpty() ? m_runs->currentData(Qt::UserRole + 1).toString() : select;
    QSignalBlocker block(m_runs);
    m_runs->clear();
    core::Project* project = m_context.session ? m_context.session->project() : nullptr;
    if (project)
        if (auto runs = project->store().runs())
            for (const core::RunRecord& r : *runs)
                if (r.pluginId == QLatin1String("viral") && r.verb == QLatin1String("predict") && r.state == core::RunState::Finished) {
                    m_runs->insertItem(0, QStringLiteral("%1 — %2").arg(r.title.isEmpty() ? r.runId : r.title, r.startedAt.toLocalTime().toString(QStringLiteral("yyyy-MM-dd hh:mm"))),
                                       project->runDir(r.runId));
                    m_runs->setItemData(0, r.runId, Qt::UserRole + 1);
                }
    const int index = m_runs->findData(current, Qt::UserRole + 1);
    m_runs->setCurrentIndex(index >= 0 ? index : (m_runs->count() ? 0 : -1));
    // Shown here, not through currentIndexChanged: a detour through no run emptied the results until
    // the same run's files were read again (another page's run ending re-lists the runs).
    m_results->load(m_runs->currentData().toString());
}

QString ViralPage::start(const QString& verb)
{
    core::RunService* runs = m_context.session ? m_context.session->runs() : nullptr;
    if (!runs) {
        m_setup->setStatus(tr("Open a project first."));
        return {};
    }
    QJsonObject p = m_setup->parameters();
    if (verb == QLatin1String("validate"))
        p.remove(QStringLiteral("inputs"));
    if (p.contains(QLatin1String("cluster"))) {
        // The Slurm controller may take its timeout to say it is down: not on the UI thread.
        m_setup->setEnabled(false);
        m_setup->setStatus(tr("Asking the Slurm cluster whether it answers…"));
        auto* watcher = new QFutureWatcher<core::Status>(this);
        const core::Project* asked = m_context.session->project();
        connect(watcher, &QFutureWatcher<core::Status>::finished, this, [this, watcher, verb, p, asked] {
            watcher->deleteLater();
            m_setup->setEnabled(true);
            if (m_context.session->project() != asked) // another project was opened meanwhile: not started there
                m_setup->setStatus(tr("Another project was opened while the cluster was asked: nothing was started; press Run again."));
            else if (const core::Status answers = watcher->result(); !answers)
                m_setup->setStatus(answers.error().message());
            else
                startChecked(verb, p);
        });
        watcher->setFuture(QtConcurrent::run([] { return core::RunService::slurmClusterAnswers(true); })); // the user's Run: asked again
        return {};
    }
    return startChecked(verb, p);
}

QString ViralPage::startChecked(const QString& verb, const QJsonObject& p)
{
    core::RunService* runs = m_context.session ? m_context.session->runs() : nullptr;
    if (!runs) {
        m_setup->setStatus(tr("Open a project first."));
        return {};
    }
    auto id = runs->start(QStringLiteral("viral"), verb, p) /* its default title names the inputs and test models: ViralPlugin::titleNote */;
    if (!id) {
        m_setup->setStatus(id.error().message());
        return {};
    }
    m_started.started(*id, verb);
    m_setup->setStatus(verb == QLatin1String("validate") ? tr("Validating the models… (progress in the Jobs dock)")
                                                         : tr("Running… progress, pause and resume are in the Jobs dock; the results appear here when it ends."));
    return *id;
}

} // namespace bioforge::viral
