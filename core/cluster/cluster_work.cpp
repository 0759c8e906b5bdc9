#include "cluster/cluster_work.h"

#include "cluster/slurm_options.h"
#include "io/atomic_file.h"
#include "io/json_file.h"
#include "store/project_store.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>

namespace bioforge::core {

QJsonObject ClusterRunConfig::toJson() const
{
    return {{QStringLiteral("schema"), QStringLiteral("bioforge-cluster-run/1")},
            {QStringLiteral("plugin"), pluginId},
            {QStringLiteral("verb"), verb},
            {QStringLiteral("parameters"), parameters},
            {QStringLiteral("shards"), shards},
            {QStringLiteral("plan_file"), planFile}};
}

Expected<ClusterRunConfig> ClusterRunConfig::fromJson(const QJsonObject& json, const QString& source)
{
    if (json.value(QLatin1String("schema")).toString() != QLatin1String("bioforge-cluster-run/1"))
        return Error(QStringLiteral("%1: not a cluster run description (schema bioforge-cluster-run/1 expected)").arg(source));
    ClusterRunConfig c;
    c.pluginId = json.value(QLatin1String("plugin")).toString();
    c.verb = json.value(QLatin1String("verb")).toString();
    c.parameters = json.value(QLatin1String("parameters")).toObject();
    const qint64 shards = json.value(QLatin1String("shards")).toInteger(0);
    c.shards = shards >= 1 && shards <= SlurmOptions::kMaxShards ? int(shards) : 0;
    c.planFile = json.value(QLatin1String("plan_file")).toString();
    if (c.pluginId.isEmpty() || c.verb.isEmpty() || c.shards < 1)
        return Error(QStringLiteral("%1: plugin, verb and a shard count from 1 to %2 are required").arg(source, QString::number(SlurmOptions::kMaxShards)));
    return c;
}

QString ClusterWork::path(const QString& relative) const { return QDir(m_folder).filePath(relative); }

bool ClusterWork::isPlanHere(const QString& planFile) const
{
    const QString here = QFileInfo(this->planFile()).canonicalFilePath();
    return !here.isEmpty() && QFileInfo(planFile).canonicalFilePath() == here;
}

Status ClusterWork::adoptHere(ClusterRunConfig& config, int shards) const
{
    for (int i = 0; i < shards; ++i)
        if (QJsonObject result = taskResult(i); !result.isEmpty()) {
            result.insert(QStringLiteral("output_dir"), QDir(taskProject(i)).filePath(QStringLiteral("runs/") + result.value(QLatin1String("run_id")).toString()));
            if (Status st = AtomicFile::write(taskResultFile(i), QJsonDocument(result).toJson()); !st)
                return st;
        }
    // Last: cluster.json naming this plan is the mark that the folder was adopted (a process killed
    // before it leaves the folder to be adopted again, which rewrites the same files).
    config.planFile = planFile();
    return writeConfig(config);
}

Status ClusterWork::writeConfig(const ClusterRunConfig& config) const
{
    return AtomicFile::write(configFile(), QJsonDocument(config.toJson()).toJson());
}

Expected<ClusterRunConfig> ClusterWork::readConfig() const
{
    auto json = readJsonObjectFile(configFile(), qint64(64) << 20);
    if (!json)
        return json.error();
    return ClusterRunConfig::fromJson(*json, configFile());
}

QJsonObject ClusterWork::taskResult(int index) const
{
    if (!QFileInfo::exists(taskResultFile(index)))
        return {};
    auto json = readJsonObjectFile(taskResultFile(index), qint64(16) << 20);
    return json ? *json : QJsonObject();
}

bool ClusterWork::taskFailedOnInput(int index) const
{
    const QString database = QDir(taskProject(index)).filePath(QStringLiteral("project.sqlite"));
    if (!QFileInfo::exists(database))
        return false;
    auto store = ProjectStore::open(database, true);
    if (!store)
        return false;
    auto runs = (*store)->runs();
    return runs && !runs->isEmpty() && runs->last().failedOnInput();
}

double ClusterWork::taskProgress(int index) const
{
    if (!QFileInfo::exists(taskProgressFile(index)))
        return 0;
    auto json = readJsonObjectFile(taskProgressFile(index), qint64(1) << 20);
    return json ? std::clamp(json->value(QLatin1String("fraction")).toDouble(), 0.0, 1.0) : 0.0;
}

QString ClusterWork::logTail(const QString& file, int lines)
{
    QFile f(file);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    if (f.size() > 16384)
        f.seek(f.size() - 16384);
    const QStringList all = QString::fromUtf8(f.readAll()).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    return all.mid(std::max<qsizetype>(0, all.size() - lines)).join(QLatin1Char('\n'));
}

} // namespace bioforge::core
