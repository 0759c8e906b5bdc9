// RunService::slurmClusterAnswers: whether a Slurm cluster answers here; a "yes" holds for a
// minute, a "no" is asked again next time (run_service.h).

#include "runs/run_service.h"

#include "cluster/slurm_client.h"

#include <QDeadlineTimer>
#include <QFileInfo>
#include <QHash>
#include <QMutex>

namespace bioforge::core {

Status RunService::slurmClusterAnswers()
{
    static const QString needs = QStringLiteral("a cluster run needs the cluster's slurm.conf (/etc/slurm/slurm.conf, or SLURM_CONF) and its "
                                                "controller running — `scontrol ping` checks");
    struct Answer {
        QDeadlineTimer until;
    };
    static QMutex mutex;
    // SLURM_CONF -> its last "yes", kept 60 s. A "no" is not kept: the user who has just started the
    // controller again is not told it is down (trial 22 T22-12); asked on a run's start only.
    static QHash<QByteArray, Answer> last;
    const QByteArray conf = qgetenv("SLURM_CONF");
    {
        QMutexLocker lock(&mutex);
        if (auto it = last.constFind(conf); it != last.cend() && !it->until.hasExpired())
            return okStatus();
    }
    // scontrol retries a SLURM_CONF that names no file for a minute before it says so.
    if (!conf.isEmpty() && !QFileInfo::exists(QString::fromLocal8Bit(conf)))
        return Error(QStringLiteral("no Slurm cluster answers on this machine: SLURM_CONF names %1, which does not exist; %2")
                         .arg(QString::fromLocal8Bit(conf), needs),
                     Error::Kind::NotFound);
    const auto name = SlurmClient(QString(), 30000).clusterName();
    QMutexLocker lock(&mutex);
    if (!name) {
        last.remove(conf);
        return Error(QStringLiteral("no Slurm cluster answers on this machine (%1); %2")
                         .arg(name.error().message().section(QLatin1Char('\n'), 0, 1).simplified(), needs),
                     Error::Kind::NotFound);
    }
    last.insert(conf, {QDeadlineTimer(60000)});
    return okStatus();
}

} // namespace bioforge::core
