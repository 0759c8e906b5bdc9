#include "jobs/job_list_model.h"

#include "jobs/job_scheduler.h"

#include <QApplication>
#include <QStyle>

#include <algorithm>

namespace bioforge::ui {
namespace {

QString duration(qint64 ms)
{
    const qint64 s = ms / 1000;
    if (s >= 3600)
        return QStringLiteral("%1 h %2 min").arg(s / 3600).arg((s / 60) % 60);
    if (s >= 60)
        return QStringLiteral("%1 min %2 s").arg(s / 60).arg(s % 60);
    return QStringLiteral("%1 s").arg(s);
}

QString stateText(const core::JobHandle& h)
{
    if (h.state() == core::RunState::Running && h.pendingStop() == core::StopRequest::Pause)
        return QStringLiteral("pausing…");
    if (h.state() == core::RunState::Running && h.pendingStop() == core::StopRequest::Cancel)
        return QStringLiteral("cancelling…");
    return core::runStateName(h.state());
}

} // namespace

JobListModel::JobListModel(core::JobScheduler& scheduler, QObject* parent) : QAbstractTableModel(parent), m_scheduler(scheduler)
{
    m_rows = scheduler.handles();
    connect(&scheduler, &core::JobScheduler::jobSubmitted, this, &JobListModel::onSubmitted);
    connect(&scheduler, &core::JobScheduler::jobStateChanged, this, [this](const QString& runId) {
        const int row = rowOf(runId);
        if (row >= 0)
            emit dataChanged(index(row, 0), index(row, ColumnCount - 1));
    });
    connect(&scheduler, &core::JobScheduler::endedForgotten, this, [this] {
        beginResetModel();
        m_rows = m_scheduler.handles();
        endResetModel();
    });
    connect(&m_timer, &QTimer::timeout, this, &JobListModel::refresh);
    m_timer.start(250);
}

void JobListModel::onSubmitted(const QString& runId)
{
    auto h = m_scheduler.handle(runId);
    if (!h || m_rows.contains(h))
        return;
    const int at = int(m_dormant.size() + m_rows.size());
    beginInsertRows({}, at, at);
    m_rows.append(h);
    endInsertRows();
    // A resumed run: its parent now reads "resumed as …" (and is no longer dormant).
    const QString parent = h->record().parentRunId;
    for (int i = 0; i < m_dormant.size(); ++i)
        if (m_dormant[i].runId == parent) {
            beginRemoveRows({}, i, i);
            m_dormant.removeAt(i);
            endRemoveRows();
            break;
        }
    if (const int row = rowOf(parent); row >= 0)
        emit dataChanged(index(row, 0), index(row, ColumnCount - 1));
}

void JobListModel::setDormantRuns(const QList<core::RunRecord>& all, const QHash<QString, double>& progress)
{
    beginResetModel();
    m_dormant.clear();
    m_dormantProgress = progress;
    m_storedContinuations.clear();
    for (const core::RunRecord& r : all)
        if (!r.parentRunId.isEmpty() && !m_storedContinuations.contains(r.parentRunId)) // the first, as core::continuationOf finds it
            m_storedContinuations.insert(r.parentRunId, r.runId);
    // Paused and interrupted runs, and those going on in a terminal (a terminal's pause or resume
    // did not show here: trial 21); a failed one of an earlier session is the Runs page's (with its
    // error): the dock at start was a wall of failed runs alike, each offering Resume (trial 19).
    for (const core::RunRecord& r : all)
        if ((r.state == core::RunState::Paused || r.state == core::RunState::Interrupted || r.state == core::RunState::Running
             || r.state == core::RunState::Queued)
            && !m_scheduler.handle(r.runId) && resumedAs(r.runId).isEmpty())
            m_dormant << r;
    endResetModel();
}

void JobListModel::setStoredProgress(const QHash<QString, double>& progress)
{
    m_dormantProgress = progress;
    if (!m_dormant.isEmpty())
        emit dataChanged(index(0, 0), index(int(m_dormant.size()) - 1, ColumnCount - 1));
}

bool JobListModel::showsRunsElsewhere() const
{
    return std::any_of(m_dormant.begin(), m_dormant.end(),
                       [](const core::RunRecord& r) { return r.state == core::RunState::Running || r.state == core::RunState::Queued; });
}

QString JobListModel::resumedAs(const QString& runId) const
{
    for (const auto& h : m_rows)
        if (h->record().parentRunId == runId)
            return h->runId();
    return m_storedContinuations.value(runId);
}

bool JobListModel::canResume(int row) const
{
    if (row < 0)
        return false;
    if (row < m_dormant.size()) // a run going on in another program is paused there
        return m_dormant[row].state == core::RunState::Paused || m_dormant[row].state == core::RunState::Interrupted;
    const int i = row - int(m_dormant.size());
    // A job of this session that is no run of the project (the Chat page's model load) has no
    // checkpoint folder and no record to resume from (its Resume said "no run with id …": trial 19).
    return i < m_rows.size() && !m_rows[i]->record().checkpointId.isEmpty() && core::runStateIsResumable(m_rows[i]->state())
           && !m_rows[i]->record().failedOnInput() && resumedAs(m_rows[i]->runId()).isEmpty();
}

core::RunState JobListModel::stateAt(int row) const
{
    if (row >= 0 && row < m_dormant.size())
        return m_dormant[row].state;
    const int i = row - int(m_dormant.size());
    return i >= 0 && i < m_rows.size() ? m_rows[i]->state() : core::RunState::Finished;
}

QVariant JobListModel::dormantData(const core::RunRecord& r, int column, int role) const
{
    if (role == kRunIdRole)
        return r.runId;
    const double fraction = m_dormantProgress.value(r.runId, 0.0); // where it stopped: its resume starts there
    if (role == kFractionRole)
        return fraction;
    const bool elsewhere = r.state == core::RunState::Running || r.state == core::RunState::Queued;
    if (role == Qt::ToolTipRole && elsewhere)
        return tr("%1\nrun %2, %3 in another program (a terminal's bioforge run): Pause or Cancel asks that program to (within a few seconds); "
                  "the progress is the one it last saved")
            .arg(r.title, r.runId, core::runStateName(r.state));
    if (role == Qt::ToolTipRole)
        return tr("%1\nrun %2, %3 outside this session (before it, or in another program); select it and Resume to continue from its last checkpoint")
            .arg(r.title, r.runId, core::runStateName(r.state));
    if (role != Qt::DisplayRole)
        return {};
    switch (column) {
    case Name: return r.parentRunId.isEmpty() ? r.title : tr("%1 (continues %2)").arg(r.title, r.parentRunId);
    case Progress: return QStringLiteral("%1 %").arg(int(fraction * 100));
    case Elapsed: return r.startedAt.isValid() && r.endedAt.isValid() ? duration(r.startedAt.msecsTo(r.endedAt)) : QString();
    case Warnings: return r.warningCount > 0 ? QString::number(r.warningCount) : QString();
    case State: return elsewhere ? tr("%1 elsewhere").arg(core::runStateName(r.state)) : core::runStateName(r.state);
    default: return {};
    }
}

void JobListModel::refresh()
{
    const int first = int(m_dormant.size());
    for (int row = 0; row < m_rows.size(); ++row)
        if (m_rows[row]->state() == core::RunState::Running)
            emit dataChanged(index(first + row, Stage), index(first + row, State));
}

int JobListModel::rowCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : int(m_dormant.size() + m_rows.size()); }
int JobListModel::columnCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : ColumnCount; }

QString JobListModel::runIdAt(int row) const
{
    if (row >= 0 && row < m_dormant.size())
        return m_dormant[row].runId;
    const int i = row - int(m_dormant.size());
    return i >= 0 && i < m_rows.size() ? m_rows[i]->runId() : QString();
}

int JobListModel::rowOf(const QString& runId) const
{
    for (int i = 0; i < m_dormant.size(); ++i)
        if (m_dormant[i].runId == runId)
            return i;
    for (int i = 0; i < m_rows.size(); ++i)
        if (m_rows[i]->runId() == runId)
            return int(m_dormant.size()) + i;
    return -1;
}

QVariant JobListModel::data(const QModelIndex& index, int role) const
{
    if (!index.isValid() || index.row() >= rowCount())
        return {};
    if (index.row() < m_dormant.size())
        return dormantData(m_dormant[index.row()], index.column(), role);
    const core::JobHandle& h = *m_rows[index.row() - int(m_dormant.size())];
    if (role == kRunIdRole)
        return h.runId();
    const bool live = h.state() == core::RunState::Running;
    const core::ProgressSnapshot s = h.snapshot();
    const double fraction = h.state() == core::RunState::Finished ? 1.0 : s.fraction;
    if (role == kFractionRole)
        return fraction;
    // Records skipped or changed: the live count while it runs, the record's once it ended.
    const int warnings = live ? s.warnings : std::max(h.record().warningCount, s.warnings);
    if (role == Qt::ToolTipRole && index.column() == Warnings && warnings > 0) {
        const QStringList kept = live ? QStringList{s.lastWarning} : h.record().warnings.mid(0, 10);
        return tr("%n warning(s); see the Log dock and the report:\n", nullptr, warnings) + kept.join(QLatin1Char('\n'))
               + (warnings > kept.size() ? QStringLiteral("\n…") : QString());
    }
    // A notice (a Slurm controller not answering) is said in the State cell while it holds, in full in its tooltip.
    const bool noticed = live && !s.notice.isEmpty() && index.column() == State;
    if (role == Qt::ToolTipRole && noticed)
        return s.notice;
    if (role == Qt::DecorationRole && noticed)
        return QApplication::style()->standardIcon(QStyle::SP_MessageBoxWarning);
    // What the stage is doing now (a cluster run: "1 of 3 shards done, 2 running (task 2 on n1), 0
    // queued"; the docs promised it and the dock showed none: trial 22): in the Stage cell, cut to
    // keep the column narrow, whole in its tooltip.
    if (role == Qt::ToolTipRole && index.column() == Stage && live && !s.message.isEmpty())
        return s.stageLabel.isEmpty() ? s.message : s.stageLabel + QStringLiteral(": ") + s.message;
    const QString child = index.column() == State ? resumedAs(h.runId()) : QString();
    if (role == Qt::ToolTipRole && !child.isEmpty())
        return tr("%1, resumed as run %2").arg(stateText(h), child);
    if (role == Qt::ToolTipRole)
        return h.record().error.isEmpty() ? h.record().title + QStringLiteral("\nrun ") + h.runId() : h.record().error;
    if (role != Qt::DisplayRole)
        return {};
    switch (index.column()) {
    case Name:
        return h.record().parentRunId.isEmpty() ? h.record().title : tr("%1 (continues %2)").arg(h.record().title, h.record().parentRunId);
    case Stage: {
        QString stage = s.stageLabel.isEmpty() ? QString()
                                               : QStringLiteral("%1 (%2/%3)").arg(s.stageLabel, QString::number(s.stageIndex + 1), QString::number(s.stageCount));
        if (live && !s.message.isEmpty()) {
            constexpr qsizetype kShown = 64;
            const QString message = s.message.size() <= kShown ? s.message : s.message.left(kShown - 1) + QChar(0x2026);
            stage = stage.isEmpty() ? message : stage + QStringLiteral(" — ") + message;
        }
        return stage;
    }
    case Progress: return QStringLiteral("%1 %").arg(int(fraction * 100));
    case Rate: return live && s.unitsPerSecond > 0 ? core::formatRate(s.unitsPerSecond, s.unit) : QString();
    case Eta: return live ? (s.etaMs ? duration(*s.etaMs) : QStringLiteral("unknown")) : QString();
    case Elapsed: return s.elapsedMs > 0 ? duration(s.elapsedMs) : QString();
    case Warnings: return warnings > 0 ? QString::number(warnings) : QString();
    case State: {
        if (noticed)
            return tr("%1: %2").arg(stateText(h), s.notice);
        // The continuation's id is in this cell's tooltip and the continuation's own row.
        return child.isEmpty() ? stateText(h) : tr("%1, resumed").arg(stateText(h));
    }
    default: return {};
    }
}

QVariant JobListModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    static const QStringList names{QStringLiteral("Run"), QStringLiteral("Stage"), QStringLiteral("Progress"), QStringLiteral("Rate"),
                                   QStringLiteral("ETA"), QStringLiteral("Elapsed"), QStringLiteral("Warnings"), QStringLiteral("State")};
    return names.value(section);
}

} // namespace bioforge::ui
