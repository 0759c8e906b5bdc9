#include "jobs/job_list_model.h"

#include "jobs/job_scheduler.h"

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
    connect(&m_timer, &QTimer::timeout, this, &JobListModel::refresh);
    m_timer.start(250);
}

void JobListModel::onSubmitted(const QString& runId)
{
    auto h = m_scheduler.handle(runId);
    if (!h || m_rows.contains(h))
        return;
    beginInsertRows({}, int(m_rows.size()), int(m_rows.size()));
    m_rows.append(h);
    endInsertRows();
}

void JobListModel::refresh()
{
    for (int row = 0; row < m_rows.size(); ++row)
        if (m_rows[row]->state() == core::RunState::Running)
            emit dataChanged(index(row, Stage), index(row, State));
}

int JobListModel::rowCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : int(m_rows.size()); }
int JobListModel::columnCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : ColumnCount; }

QString JobListModel::runIdAt(int row) const { return row >= 0 && row < m_rows.size() ? m_rows[row]->runId() : QString(); }

int JobListModel::rowOf(const QString& runId) const
{
    for (int i = 0; i < m_rows.size(); ++i)
        if (m_rows[i]->runId() == runId)
            return i;
    return -1;
}

QVariant JobListModel::data(const QModelIndex& index, int role) const
{
    if (!index.isValid() || index.row() >= m_rows.size())
        return {};
    const core::JobHandle& h = *m_rows[index.row()];
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
    if (role == Qt::ToolTipRole)
        return h.record().error.isEmpty() ? h.record().title + QStringLiteral("\nrun ") + h.runId() : h.record().error;
    if (role != Qt::DisplayRole)
        return {};
    switch (index.column()) {
    case Name: return h.record().title;
    case Stage: return s.stageLabel.isEmpty() ? QString() : QStringLiteral("%1 (%2/%3)").arg(s.stageLabel).arg(s.stageIndex + 1).arg(s.stageCount);
    case Progress: return QStringLiteral("%1 %").arg(int(fraction * 100));
    case Rate: return live && s.unitsPerSecond > 0 ? core::formatRate(s.unitsPerSecond, s.unit) : QString();
    case Eta: return live ? (s.etaMs ? duration(*s.etaMs) : QStringLiteral("unknown")) : QString();
    case Elapsed: return s.elapsedMs > 0 ? duration(s.elapsedMs) : QString();
    case Warnings: return warnings > 0 ? QString::number(warnings) : QString();
    case State: return stateText(h);
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
