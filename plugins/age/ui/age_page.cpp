#include "age_page.h"

#include "age_results_panel.h"
#include "age_setup_panel.h"
#include "io/atomic_file.h"
#include "io/json_file.h"
#include "layout/stacking_splitter.h"
#include "runs/run_service.h"
#include "runs/session.h"
#include "store/project.h"

#include <QComboBox>
#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QJsonDocument>
#include <QLabel>
#include <QVBoxLayout>

#include <utility>

namespace bioforge::age {

AgePage::AgePage(const ui::PageContext& context, QWidget* parent) : QWidget(parent), m_context(context)
{
    auto* layout = new QHBoxLayout(this);
    m_split = new ui::StackingSplitter(this); // the form above the results where the page is too narrow for both
    auto* split = m_split;
    m_setup = new AgeSetupPanel(split);
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
    m_results = new AgeResultsPanel(right);
    rightLayout->addWidget(m_results, 1);
    split->addWidget(m_setup);
    split->addWidget(right);
    split->setStretchFactor(1, 3);
    layout->addWidget(split);

    connect(m_setup, &AgeSetupPanel::runRequested, this, [this](const QString& verb) { start(verb); });
    connect(m_runs, &QComboBox::currentIndexChanged, this, &AgePage::showSelected);
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

QString AgePage::projectMappingFile() const
{
    core::Project* project = m_context.session ? m_context.session->project() : nullptr;
    return project ? QDir(project->folder()).filePath(QStringLiteral("age/mapping.json")) : QString();
}

void AgePage::connectProject()
{
    disconnect(m_runEnded);
    const QString saved = projectMappingFile();
    m_setup->setProjectMapping(!saved.isEmpty() && QFileInfo::exists(saved) ? core::readJsonObjectFile(saved).valueOr({}) : QJsonObject());
    if (!m_context.session || !m_context.session->runs())
        return;
    m_runEnded = connect(m_context.session->runs(), &core::RunService::runEnded, this, [this](const QString& runId, bool succeeded) {
        const ui::PageRuns::Ended ended = m_started.ended(*m_context.session, runId); // this page's run, or the continuation of one that paused
        // A training shown as it ran and then failed is no longer listed: the run shown before it comes
        // back (the chooser jumped to the latest run: trial 23 T23-15); another program's run: listed, not shown.
        const bool failedShown = !succeeded && m_runs->currentData(Qt::UserRole + 1).toString() == runId;
        reloadRuns(succeeded && !ended.verb.isEmpty() ? runId : failedShown ? std::exchange(m_shownBeforeTraining, QString()) : QString());
        if (ended.verb.isEmpty())
            return; // not started from this page
        m_setup->setStatus(succeeded        ? tr("Run %1 finished; its results are %2.").arg(runId, m_split->placeOf(1))
                           : ended.record ? ui::unfinishedRunText(*ended.record)
                                          : tr("Run %1 did not finish; the Jobs dock and the log say why.").arg(runId));
        if (succeeded)
            m_split->reveal(1);
    });
}

void AgePage::reloadRuns(const QString& select)
{
    const QString current = select.isEmpty() ? m_runs->currentData(Qt::UserRole + 1).toString() : select;
    QSignalBlocker block(m_runs);
    m_runs->clear();
    core::Project* project = m_context.session ? m_context.session->project() : nullptr;
    if (project)
        if (auto runs = project->store().runs())
            for (const core::RunRecord& r : *runs) {
                const bool running = (r.state == core::RunState::Running || r.state == core::RunState::Queued) && r.verb == QLatin1String("train");
                if (r.pluginId != QLatin1String("age") || (r.state != core::RunState::Finished && !running))
                    continue;
                m_runs->insertItem(0, QStringLiteral("%1 — %2%3").arg(r.title.isEmpty() ? r.verb + QLatin1Char(' ') + r.runId : r.title,
                                                                         r.startedAt.toLocalTime().toString(QStringLiteral("yyyy-MM-dd hh:mm")),
                                                                         running ? tr(" (training)") : QString()),
                                   project->runDir(r.runId));
                m_runs->setItemData(0, r.runId, Qt::UserRole + 1);
                m_runs->setItemData(0, r.verb, Qt::UserRole + 2);
                m_runs->setItemData(0, running, Qt::UserRole + 3);
            }
    const int index = m_runs->findData(current, Qt::UserRole + 1);
    m_runs->setCurrentIndex(index >= 0 ? index : (m_runs->count() ? 0 : -1));
    // Shown here, not through currentIndexChanged: a detour through no run emptied the results until
    // the same run's files were read again (another page's run ending re-lists the runs).
    showSelected();
}

void AgePage::showSelected()
{
    m_results->load(m_runs->currentData().toString(), m_runs->currentData(Qt::UserRole + 2).toString(), m_runs->currentData(Qt::UserRole + 3).toBool());
}

QString AgePage::start(const QString& verb)
{
    core::RunService* runs = m_context.session ? m_context.session->runs() : nullptr;
    const QString mappingFile = projectMappingFile();
    if (!runs || mappingFile.isEmpty()) {
        m_setup->setStatus(tr("Open a project first."));
        return {};
    }
    if (m_setup->table().isEmpty()) {
        m_setup->setStatus(tr("Choose a cohort table first."));
        return {};
    }
    if (verb == QLatin1String("predict") && m_setup->henawModel().isEmpty()) {
        m_setup->setStatus(tr("Choose the trained model first: HENAW ▸ Trained model, a train run's henaw-model folder."));
        return {};
    }
    // Nothing written into a project folder that was moved away (a half project at the old place).
    if (core::Status here = runs->project().inPlace(); !here) {
        m_setup->setStatus(here.error().message());
        return {};
    }
    // The mapping as edited is saved with the project (the page opens on it), and the run reads
    // and records a copy named by its content: a later run's edits rewrote the one file a paused
    // run had pinned, and it could not be resumed (trial 21).
    const QByteArray json = QJsonDocument(m_setup->currentMapping()).toJson();
    const QString runMapping = QDir(QFileInfo(mappingFile).absolutePath())
                                   .filePath(QStringLiteral("mappings/mapping-%1.json")
                                                 .arg(QString::fromLatin1(QCryptographicHash::hash(json, QCryptographicHash::Sha256).toHex().left(16))));
    QDir().mkpath(QFileInfo(runMapping).absolutePath());
    for (const QString& file : {mappingFile, runMapping}) {
        QFile existing(file);
        if (existing.open(QIODevice::ReadOnly) && existing.readAll() == json)
            continue;
        if (core::Status st = core::AtomicFile::write(file, json); !st) {
            m_setup->setStatus(st.error().message());
            return {};
        }
    }
    auto id = runs->start(QStringLiteral("age"), verb, m_setup->parameters(verb, runMapping));
    if (!id) {
        m_setup->setStatus(id.error().message());
        return {};
    }
    m_started.started(*id, verb);
    m_setup->remember();
    m_setup->setStatus(tr("Running %1… progress, pause and resume are in the Jobs dock; the results appear here when it ends.").arg(verb));
    if (verb == QLatin1String("train")) {
        m_shownBeforeTraining = m_runs->currentData(Qt::UserRole + 1).toString();
        reloadRuns(*id); // the curves are drawn as it trains
    }
    return *id;
}

} // namespace bioforge::age
