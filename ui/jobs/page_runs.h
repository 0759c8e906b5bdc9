#pragma once

// The runs a page started, followed through a pause (or a resumable failure or interruption) to the
// run that continues it (resumed from the Jobs dock or the Runs page), so that the page's status line speaks of it when it ends: the
// continuation's end left "did not finish" on the page beside its results (trial 18). With what
// the page says of a run that ended without finishing (unfinishedRunText).

#include "provenance/run_record.h"

#include <QHash>
#include <QString>

#include <optional>

namespace bioforge::core {
class Session;
}

namespace bioforge::ui {

class PageRuns {
public:
    void started(const QString& runId, const QString& verb) { m_started.insert(runId, verb); }
    // Of a run that ended: its record (from the open project), and the verb this page started it
    // (or the run it continues) with; the verb is empty for a run of another page or program. A
    // resumable end (RunRecord::resumable) is remembered, for its continuation.
    struct Ended {
        std::optional<core::RunRecord> record;
        QString verb;
    };
    Ended ended(const core::Session& session, const QString& runId);
    void clear();

private:
    QHash<QString, QString> m_started; // run id -> verb
    QHash<QString, QString> m_paused;  // run id -> verb, of those that ended resumably
};

// "Run ID is paused: …", "Run ID failed: ERROR — …", "Run ID was cancelled.", "Run ID was interrupted: …";
// an error longer than 600 characters is cut ("…").
QString unfinishedRunText(const core::RunRecord& record);

} // namespace bioforge::ui
