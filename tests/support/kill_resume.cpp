#include "support/kill_resume.h"

#include "support/test_support.h"

#include <QDir>
#include <QProcess>
#include <QRandomGenerator>
#include <QRegularExpression>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>

#include <csignal>

namespace bioforge::test {

QString runIdIn(const QString& text)
{
    return QRegularExpression(QStringLiteral("run (\\d{8}-\\d{6}-[0-9a-f]{8})")).match(text).captured(1);
}

QString finishedRunIdIn(const QString& text)
{
    const auto resumed = QRegularExpression(QStringLiteral("resumed as run (\\S+)")).match(text);
    return resumed.hasMatch() ? resumed.captured(1) : runIdIn(text);
}

QByteArray referenceOutputs(const KillResumeSpec& spec, QString* error)
{
    const QString project = QDir(spec.workDir).filePath(QStringLiteral("reference"));
    QProcess p;
    p.setProcessEnvironment(spec.environment);
    p.start(binPath(QStringLiteral("bioforge")), spec.start(project));
    if (!p.waitForFinished(600000) || p.exitStatus() != QProcess::NormalExit || p.exitCode() != 0) {
        *error = QStringLiteral("%1: the uninterrupted run failed: %2").arg(spec.name, QString::fromUtf8(p.readAllStandardError()));
        return {};
    }
    const QByteArray out = spec.outputs(project, finishedRunIdIn(QString::fromUtf8(p.readAllStandardError())));
    if (out.isEmpty())
        *error = QStringLiteral("%1: the uninterrupted run has no outputs").arg(spec.name);
    return out;
}

QString sqliteIntegrity(const QString& databasePath)
{
    const QString connection = QStringLiteral("kill-resume-integrity");
    QString result;
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), connection);
        db.setDatabaseName(databasePath);
        if (!db.open())
            result = QStringLiteral("cannot open: ") + db.lastError().text();
        else if (QSqlQuery q(db); !q.exec(QStringLiteral("PRAGMA integrity_check")) || !q.next())
            result = QStringLiteral("integrity_check did not run");
        else
            result = q.value(0).toString();
    }
    QSqlDatabase::removeDatabase(connection);
    return result;
}

KillResumeOutcome killResumeProperty(const KillResumeSpec& spec)
{
    KillResumeOutcome outcome;
    const int rounds = qEnvironmentVariableIntValue("BIOFORGE_KILL_ROUNDS") > 0 ? qEnvironmentVariableIntValue("BIOFORGE_KILL_ROUNDS") : spec.rounds;
    QRandomGenerator rng(spec.seed);
    for (int round = 0; round < rounds; ++round) {
        const QString project = QDir(spec.workDir).filePath(QStringLiteral("kill-%1").arg(round));
        QDir(project).removeRecursively();
        const QStringList start = spec.start(project);
        QStringList args = start;
        bool recorded = false; // the run is in the project: from then on, resume it
        QString finishedId;
        for (int attempt = 0; attempt < 200 && finishedId.isEmpty(); ++attempt) {
            QProcess p;
            p.setProcessEnvironment(spec.environment);
            p.start(binPath(QStringLiteral("bioforge")), args);
            if (!p.waitForStarted()) {
                outcome.failure = QStringLiteral("%1: bioforge did not start").arg(spec.name);
                return outcome;
            }
            // Kill after a random number of further progress units (0 = at once).
            const int target = spec.progress(project) + int(rng.bounded(quint32(spec.maxStep)));
            while (!p.waitForFinished(5))
                if (spec.progress(project) >= target) {
                    ::kill(pid_t(p.processId()), SIGKILL);
                    ++outcome.kills;
                    p.waitForFinished(60000);
                    break;
                }
            const QString err = QString::fromUtf8(p.readAllStandardError());
            if (p.exitStatus() == QProcess::NormalExit) {
                // A run that exits on its own must finish: a failing resume breaks the property.
                if (p.exitCode() != 0) {
                    outcome.failure = QStringLiteral("%1 round %2: a run exited %3 instead of finishing: %4").arg(spec.name).arg(round).arg(p.exitCode()).arg(err);
                    return outcome;
                }
                finishedId = finishedRunIdIn(err);
            }
            recorded = recorded || !runIdIn(err).isEmpty();
            args = recorded ? QStringList{QStringLiteral("--project"), project, QStringLiteral("resume")} : start;
        }
        if (finishedId.isEmpty()) {
            outcome.failure = QStringLiteral("%1 round %2: never finished (%3)").arg(spec.name).arg(round).arg(project);
            return outcome;
        }
        if (const QByteArray got = spec.outputs(project, finishedId); got != spec.expected) {
            qsizetype at = 0;
            while (at < got.size() && at < spec.expected.size() && got[at] == spec.expected[at])
                ++at;
            // Both kept beside the system's temporary files for a look.
            const QString keep = QDir::temp().filePath(QStringLiteral("kill-resume-%1").arg(QString(spec.name).replace(QLatin1Char(' '), QLatin1Char('-'))));
            writeAll(keep + QStringLiteral(".expected"), spec.expected);
            writeAll(keep + QStringLiteral(".got"), got);
            outcome.failure = QStringLiteral("%1 round %2: outputs differ from the uninterrupted run's from byte %3 on (run %4; both in %5.*): …%6…")
                                  .arg(spec.name).arg(round).arg(at).arg(finishedId, keep, QString::fromUtf8(got.mid(std::max<qsizetype>(0, at - 60), 120)));
            return outcome;
        }
        if (const QString check = sqliteIntegrity(QDir(project).filePath(QStringLiteral("project.sqlite"))); check != QLatin1String("ok")) {
            outcome.failure = QStringLiteral("%1 round %2: PRAGMA integrity_check says %3").arg(spec.name).arg(round).arg(check);
            return outcome;
        }
        ++outcome.rounds;
        QDir(project).removeRecursively();
    }
    return outcome;
}

} // namespace bioforge::test
