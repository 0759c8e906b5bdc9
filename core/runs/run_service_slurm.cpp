// RunService::slurmClusterAnswers: whether a Slurm cluster answers here; a "yes" holds for a
// minute, a "no" for 10 s unless asked again (run_service.h).

#include "runs/run_service.h"

#include "cluster/slurm_client.h"

#include <QDeadlineTimer>
#include <QFileInfo>
#include <QHash>
#include <QMutex>

namespace bioforge::core {

Status RunService::slurmClusterAnswers(bool askAgain)
{
    static const QString needs = QStringLiteral("a cluster run needs the cluster's slurm.conf (/etc/slurm/slurm.conf, or SLURM_CONF) and its "
                                                "controller running — `scontrol ping` checks");
    struct Answer {
        QDeadlineTimer until;
        QString refusal; // empty: the cluster answered
    };
    static QMutex mutex;
    // SLURM_CONF -> its last answer: a "yes" kept 60 s, a "no" 10 s (several resumes in a row wait
    // once: review 67 R67-2), and never for a page's Run, which asks again (the user who has just
    // started the controller is not told it is down: trial 22 T22-12).
    static QHash<QByteArray, Answer> last;
    const QByteArray conf = qgetenv("SLURM_CONF");
    {
        QMutexLocker lock(&mutex);
        if (auto it = last.constFind(conf); it != last.cend() && !it->until.hasExpired() && !(askAgain && !it->refusal.isEmpty()))
            return it->refusal.isEmpty() ? okStatus() : Status(Error(it->refusal, Error::Kind::NotFound));
    }
    // scontrol retries a SLURM_CONF that names no file for a minute before it says so.
    if (!conf.isEmpty() && !QFileInfo::exists(QString::fromLocal8Bit(conf)))
        return Error(QStringLiteral("no Slurm cluster answers on this machine: SLURM_CONF names %1, which does not exist; %2")
                         .arg(QString::fromLocal8Bit(conf), needs),
                     Error::Kind::NotFound);
    const auto name = SlurmClient(QString(), 30000).clusterName();
    const QString refusal = name ? QString()
                                 : QStringLiteral("no Slurm cluster answers on this machine (%1); %2")
                                       .arg(name.error().message().section(QLatin1Char('\n'), 0, 1).simplified(), needs);
    QMutexLocker lock(&mutex);
    last.insert(conf, {QDeadlineTimer(refusal.isEmpty() ? 60000 : 10000), refusal});
    return refusal.isEmpty() ? okStatus() : Status(Error(refusal, Error::Kind::NotFound));
}

} // namespace bioforge::core
