#include "cluster/cluster_results.h"

#include "cluster/cluster_work.h"
#include "cluster/task_inputs.h"
#include "io/atomic_file.h"
#include "io/json_file.h"
#include "jobs/job_context.h"
#include "plugin/iplugin.h"
#include "provenance/provenance_recorder.h"
#include "provenance/run_record.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QSet>

#include <algorithm>

namespace bioforge::core {

QJsonObject bringClusterResultsHome(JobContext& ctx, IPlugin& plugin, const QString& verb, const ClusterWork& work, int shards)
{
    // Merge: verify and copy the merged outputs into the run folder.
    const QJsonObject mergeResult = orThrow(readJsonObjectFile(work.mergeResultFile()));
    const QJsonArray outputs = mergeResult.value(QLatin1String("outputs")).toArray();
    ctx.beginStage(QStringLiteral("merge"), std::max<qint64>(1, outputs.size()));
    for (const QJsonValue& v : outputs) {
        const QJsonObject o = v.toObject();
        const QString file = o.value(QLatin1String("file")).toString();
        if (file.isEmpty() || file.contains(QLatin1Char('/')) || file.startsWith(QLatin1Char('.')))
            throw JobFailure(QStringLiteral("%1: output name '%2' is not a plain file name").arg(work.mergeResultFile(), file));
        if (auto st = AtomicFile::copyVerified(QDir(work.mergedDir()).filePath(file), o.value(QLatin1String("sha256")).toString(),
                                               QDir(ctx.outputDir()).filePath(file));
            !st)
            throw JobFailure(st.error().withContext(QStringLiteral("copying the merged output '%1' into the run folder").arg(file)));
        ctx.provenance().addOutput(o.value(QLatin1String("name")).toString(), file);
        ctx.advance();
    }
    for (const QString& script : {work.taskScript(), work.mergeScript()})
        if (QFile::exists(script)) {
            const QString name = QStringLiteral("cluster-") + QFileInfo(script).fileName();
            orThrow(AtomicFile::write(QDir(ctx.outputDir()).filePath(name), orThrow(AtomicFile::readVerified(script))));
        }

    // Provenance: the shards' inputs and models, once each, the run's warnings; the cluster's jobs and nodes.
    QSet<QString> seenInputs;
    QList<QList<FileRef>> inputsByTask;
    QList<QList<ModelRef>> modelsByTask;
    QList<QStringList> warningsByTask;
    for (int i = 0; i < shards; ++i) {
        const QJsonObject result = work.taskResult(i);
        inputsByTask.emplaceBack(); // a task whose record cannot be read keeps its number in the checks' messages
        modelsByTask.emplaceBack();
        auto record = readJsonObjectFile(QDir(result.value(QLatin1String("output_dir")).toString()).filePath(QStringLiteral("provenance.json")));
        if (!record)
            continue;
        auto parsed = RunRecord::fromJson(*record);
        if (!parsed)
            continue;
        inputsByTask.back() = parsed->inputs;
        modelsByTask.back() = parsed->models;
        for (const FileRef& in : parsed->inputs)
            if (!seenInputs.contains(in.path + in.sha256)) {
                seenInputs.insert(in.path + in.sha256);
                ctx.provenance().addInput(in);
            }
        if (i == 0) {
            for (const ModelRef& m : parsed->models)
                ctx.provenance().addModel(m);
            for (auto it = parsed->libraries.begin(); it != parsed->libraries.end(); ++it)
                ctx.provenance().addLibrary(it.key(), it.value().toString());
        }
        warningsByTask.append(parsed->warnings);
    }
    // Once each, and counts of a shard's part recounted for the whole run by the plugin.
    for (const QString& w : plugin.mergeShardWarnings(verb, warningsByTask, ctx.outputDir())) // the verified copies
        ctx.warn(w);
    orThrow(checkTaskInputsAgree(inputsByTask)); // one result of one content of each input
    orThrow(checkTaskModelsAgree(modelsByTask)); // and of one version of each model
    return mergeResult;
}

} // namespace bioforge::core
