// What a cluster run reads back from the shared filesystem and from Slurm:
// the first byte chooses the parser, the rest is its input.
//   0  squeue output (SlurmClient::parseSqueue)
//   1  cluster.json (ClusterRunConfig::fromJson)
//   2  the "cluster" checkpoint state (ClusterState::fromJson)
//   3  cluster options (SlurmOptions::fromJson, from settings or a run record)
// Invariants: a value re-serialises and parses to the same value; an error
// has a message (squeue: naming the line); options never yield an sbatch
// directive that spans lines.

#include "cluster/cluster_state.h"
#include "cluster/cluster_work.h"
#include "cluster/slurm_client.h"
#include "cluster/slurm_options.h"
#include "fuzz_support.h"

#include <QJsonDocument>
#include <QJsonObject>

using namespace bioforge;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    if (size == 0)
        return 0;
    const QByteArray input = QByteArray::fromRawData(reinterpret_cast<const char*>(data) + 1, qsizetype(size - 1));
    switch (data[0] % 4) {
    case 0: {
        auto jobs = core::SlurmClient::parseSqueue(QString::fromUtf8(input));
        if (!jobs) {
            fuzz::require(jobs.error().message().contains(QLatin1String("line ")), "a squeue error that names no line", jobs.error().message());
            return 0;
        }
        for (const core::SlurmJobState& j : *jobs)
            fuzz::require(!j.jobId.isEmpty() && !j.state.isEmpty() && j.arrayTask >= -1, "a squeue job without id or state");
        return 0;
    }
    case 1: {
        const QJsonDocument doc = QJsonDocument::fromJson(input);
        auto config = core::ClusterRunConfig::fromJson(doc.object(), QStringLiteral("cluster.json"));
        if (!config) {
            fuzz::require(config.error().message().contains(QLatin1String("cluster.json")), "an error that does not name cluster.json", config.error().message());
            return 0;
        }
        fuzz::require(config->shards >= 1 && !config->pluginId.isEmpty() && !config->verb.isEmpty(), "a config without plugin, verb or shards");
        auto again = core::ClusterRunConfig::fromJson(config->toJson(), QStringLiteral("cluster.json"));
        fuzz::require(again && again->toJson() == config->toJson(), "a config that changes on a round trip");
        return 0;
    }
    case 2: {
        const core::ClusterState state = core::ClusterState::fromJson(QJsonDocument::fromJson(input).object());
        const QJsonObject once = state.toJson();
        fuzz::require(core::ClusterState::fromJson(once).toJson() == once, "a cluster state that changes on a round trip",
                      QString::fromUtf8(QJsonDocument(once).toJson(QJsonDocument::Compact)));
        return 0;
    }
    default: {
        auto options = core::SlurmOptions::fromJson(QJsonDocument::fromJson(input).object());
        if (!options) {
            fuzz::require(!options.error().message().trimmed().isEmpty(), "an options error without a message");
            return 0;
        }
        for (const QString& d : options->directives())
            fuzz::require(!d.contains(QLatin1Char('\n')) && !d.contains(QLatin1Char('\r')) && d.startsWith(QLatin1Char('-')),
                          "an sbatch directive that is not one option on one line", d);
        auto again = core::SlurmOptions::fromJson(options->toJson());
        fuzz::require(again && again->directives() == options->directives(), "options that change on a round trip");
        return 0;
    }
    }
}
