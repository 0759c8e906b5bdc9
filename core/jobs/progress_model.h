#pragma once

// Overall progress of a job made of weighted stages, each counted in work
// units. The reported fraction is clamped to [0, 1] and never goes back.
// Not thread-safe by itself: JobContext guards it.

#include <QList>
#include <QString>

namespace bioforge::core {

struct StageSpec {
    QString id;
    QString label;
    double weight = 1.0;
    QString unit = QStringLiteral("units"); // what the stage counts ("bytes" is shown as kB/MB/s)
    // Counted units per unit shown: a cluster run counts its shards in thousandths (a smooth bar and
    // ETA from the tasks' own progress) and shows whole shards ("2/3 shards", "0.4 shards/s").
    qint64 scale = 1;
};

class ProgressModel {
public:
    void defineStages(const QList<StageSpec>& stages);
    // Enters a stage (earlier stages count as complete); adds it if undeclared.
    int beginStage(const QString& id, qint64 totalUnits);
    void setStageTotal(qint64 totalUnits);
    void markAllComplete();
    // Reports at least `fraction` from now on (a resumed run's progress at its pause).
    void startAt(double fraction);

    // Fraction for `stageDone` units done in the current stage.
    double fraction(qint64 stageDone);
    // The current stage's share of the bar (its weight over all the weights; 0 before a stage).
    double currentStageShare() const;
    const QList<StageSpec>& stages() const { return m_stages; }
    int currentStage() const { return m_current; }
    qint64 stageTotal() const { return m_stageTotal; }

private:
    QList<StageSpec> m_stages;
    int m_current = -1;
    qint64 m_stageTotal = 0;
    double m_reported = 0.0;
    bool m_complete = false;
};

} // namespace bioforge::core
