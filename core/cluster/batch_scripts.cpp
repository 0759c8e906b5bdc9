#include "cluster/batch_scripts.h"

#include "cluster/cluster_work.h"
#include "io/atomic_file.h"

namespace bioforge::core {

namespace {

QString header(const QStringList& directives, const QString& what)
{
    QString s = QStringLiteral("#!/bin/sh\n");
    for (const QString& d : directives)
        s += QStringLiteral("#SBATCH ") + d + QLatin1Char('\n');
    s += QStringLiteral("# %1\n").arg(what);
    return s;
}

} // namespace

QString taskBatchScript(const SlurmOptions& options, const QString& executable, const QString& workDir, const QString& runId)
{
    return header(options.directives(), QStringLiteral("BioForge cluster run %1: one shard per array task").arg(runId))
           + QStringLiteral("exec %1 --quiet cluster task %2 \"$SLURM_ARRAY_TASK_ID\"\n").arg(shellQuote(executable), shellQuote(workDir));
}

QString mergeBatchScript(const SlurmOptions& options, const QString& executable, const QString& workDir, const QString& runId)
{
    SlurmOptions merge = options;
    merge.gpusPerTask = 0; // merging reads and writes tables
    merge.cpusPerTask = 0;
    return header(merge.directives(), QStringLiteral("BioForge cluster run %1: merge of the shards").arg(runId))
           + QStringLiteral("exec %1 --quiet cluster merge %2\n").arg(shellQuote(executable), shellQuote(workDir));
}

Status writeBatchScripts(const ClusterWork& work, const SlurmOptions& options, const QString& executable, const QString& runId)
{
    if (Status st = AtomicFile::write(work.taskScript(), taskBatchScript(options, executable, work.folder(), runId).toUtf8()); !st)
        return st;
    return AtomicFile::write(work.mergeScript(), mergeBatchScript(options, executable, work.folder(), runId).toUtf8());
}

} // namespace bioforge::core
