#include "cluster/slurm_client.h"

#include <QDir>
#include <QProcess>
#include <QRegularExpression>

#include <unistd.h>

namespace bioforge::core {

bool SlurmJobState::active() const
{
    static const QStringList activeStates = {QStringLiteral("PENDING"),    QStringLiteral("RUNNING"),   QStringLiteral("CONFIGURING"),
                                             QStringLiteral("COMPLETING"), QStringLiteral("SUSPENDED"), QStringLiteral("REQUEUED"),
                                             QStringLiteral("REQUEUE_HOLD"), QStringLiteral("REQUEUE_FED"), QStringLiteral("RESIZING"),
                                             QStringLiteral("SIGNALING"),  QStringLiteral("STAGE_OUT"), QStringLiteral("RESV_DEL_HOLD")};
    return activeStates.contains(state);
}

SlurmClient::SlurmClient(QString binDir, int timeoutMs) : m_binDir(std::move(binDir)), m_timeoutMs(timeoutMs) {}

Expected<SlurmClient::Result> SlurmClient::call(const QString& program, const QStringList& args) const
{
    const QString path = m_binDir.isEmpty() ? program : QDir(m_binDir).filePath(program);
    QProcess p;
    // A process group of its own: Ctrl-C on the terminal pauses the run, it must not kill squeue or sbatch under it.
    p.setChildProcessModifier([] { ::setpgid(0, 0); });
    p.start(path, args);
    if (!p.waitForStarted(m_timeoutMs))
        return Error(QStringLiteral("%1 could not be started (%2): is the Slurm client installed and on the PATH?").arg(program, p.errorString()));
    if (!p.waitForFinished(m_timeoutMs)) {
        p.kill();
        p.waitForFinished(5000);
        return Error(QStringLiteral("%1 did not answer within %2 s").arg(program, QString::number(m_timeoutMs / 1000)));
    }
    Result r;
    r.exitCode = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
    r.out = QString::fromUtf8(p.readAllStandardOutput());
    r.err = QString::fromUtf8(p.readAllStandardError()).trimmed();
    return r;
}

Expected<QString> SlurmClient::submit(const QStringList& sbatchArgs, const QString& scriptPath) const
{
    auto r = call(QStringLiteral("sbatch"), QStringList{QStringLiteral("--parsable")} + sbatchArgs + QStringList{scriptPath});
    if (!r)
        return r.error();
    if (r->exitCode != 0)
        return Error(QStringLiteral("Slurm refused the job: %1").arg(r->err.isEmpty() ? QStringLiteral("sbatch exited with %1").arg(r->exitCode) : r->err));
    const QString id = r->out.trimmed().section(QLatin1Char(';'), 0, 0);
    if (!QRegularExpression(QStringLiteral("^\\d+$")).match(id).hasMatch())
        return Error(QStringLiteral("sbatch answered '%1', expected a job id").arg(r->out.trimmed()));
    return id;
}

Expected<QList<SlurmJobState>> SlurmClient::parseSqueue(const QString& text)
{
    QList<SlurmJobState> out;
    int lineNo = 0;
    for (const QString& raw : text.split(QLatin1Char('\n'))) {
        ++lineNo;
        const QString line = raw.trimmed();
        if (line.isEmpty())
            continue;
        const QStringList f = line.split(QLatin1Char('|'));
        if (f.size() != 6)
            return Error(QStringLiteral("squeue line %1 '%2': expected 6 fields separated by |").arg(QString::number(lineNo), line));
        // Ids are digits ("12", array elements "12_3"); the index is digits, or N/A for a plain job.
        static const QRegularExpression jobId(QStringLiteral("^\\d+(_\\d+)?$")), digits(QStringLiteral("^\\d{1,9}$"));
        SlurmJobState s;
        s.jobId = f[0];
        s.arrayJobId = f[1];
        s.state = f[3];
        s.nodes = f[4];
        s.reason = f[5];
        if (!jobId.match(s.jobId).hasMatch() || !digits.match(s.arrayJobId).hasMatch() || s.state.isEmpty()
            || (f[2] != QLatin1String("N/A") && !digits.match(f[2]).hasMatch()))
            return Error(QStringLiteral("squeue line %1 '%2': expected job id, array job id, array index (or N/A), state, nodes, reason")
                    .arg(QString::number(lineNo), line));
        s.arrayTask = f[2] == QLatin1String("N/A") ? -1 : f[2].toInt();
        out.append(s);
    }
    return out;
}

Expected<QList<SlurmJobState>> SlurmClient::jobs(const QStringList& jobIds) const
{
    QList<SlurmJobState> all;
    if (jobIds.isEmpty())
        return all;
    const QStringList format = {QStringLiteral("-h"), QStringLiteral("-r"), QStringLiteral("-t"), QStringLiteral("all"),
                                QStringLiteral("-o"), QStringLiteral("%i|%F|%K|%T|%N|%r")};
    auto r = call(QStringLiteral("squeue"), format + QStringList{QStringLiteral("-j"), jobIds.join(QLatin1Char(','))});
    if (!r)
        return r.error();
    if (r->exitCode == 0)
        return parseSqueue(r->out);
    if (!r->err.contains(QLatin1String("Invalid job id")))
        return Error(QStringLiteral("squeue failed: %1").arg(r->err));
    // One id is purged: ask one by one, so the others still answer.
    for (const QString& id : jobIds) {
        auto one = call(QStringLiteral("squeue"), format + QStringList{QStringLiteral("-j"), id});
        if (!one)
            return one.error();
        if (one->exitCode != 0) {
            if (one->err.contains(QLatin1String("Invalid job id")))
                continue;
            return Error(QStringLiteral("squeue failed: %1").arg(one->err));
        }
        auto parsed = parseSqueue(one->out);
        if (!parsed)
            return parsed.error();
        all += *parsed;
    }
    return all;
}

Expected<QList<SlurmJobState>> SlurmClient::activeJobsNamed(const QString& name) const
{
    auto r = call(QStringLiteral("squeue"), {QStringLiteral("-h"), QStringLiteral("-r"), QStringLiteral("--me"), QStringLiteral("-n"), name,
                                             QStringLiteral("-o"), QStringLiteral("%i|%F|%K|%T|%N|%r")});
    if (!r)
        return r.error();
    if (r->exitCode != 0)
        return Error(QStringLiteral("squeue failed: %1").arg(r->err));
    return parseSqueue(r->out);
}

Status SlurmClient::cancel(const QStringList& jobIds) const
{
    if (jobIds.isEmpty())
        return okStatus();
    auto r = call(QStringLiteral("scancel"), jobIds);
    if (!r)
        return r.error();
    if (r->exitCode != 0)
        return Error(QStringLiteral("scancel %1 failed: %2").arg(jobIds.join(QLatin1Char(' ')), r->err));
    return okStatus();
}

Expected<QString> SlurmClient::clusterName() const
{
    auto r = call(QStringLiteral("scontrol"), {QStringLiteral("show"), QStringLiteral("config")});
    if (!r)
        return r.error();
    if (r->exitCode != 0)
        return Error(QStringLiteral("scontrol show config failed: %1").arg(r->err));
    const QRegularExpressionMatch m = QRegularExpression(QStringLiteral("^ClusterName\\s*=\\s*(\\S+)"), QRegularExpression::MultilineOption).match(r->out);
    return m.hasMatch() ? m.captured(1) : QString();
}

} // namespace bioforge::core
