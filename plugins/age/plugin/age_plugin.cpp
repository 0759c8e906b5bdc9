#include "age_plugin.h"

#include "henaw/henaw_model_folder.h"
#include "henaw/henaw_network.h"
#include "henaw/henaw_runtime.h"
#include "io/atomic_file.h"
#include "pipeline/henaw_shards.h"

#include "age_demo.h"
#include "age_report.h"
#include "age_verbs.h"
#include "pipeline/clock_jobs.h"
#include "pipeline/henaw_jobs.h"
#include "table/column_mapping.h"
#include "provenance/run_record.h"

#include "ui/age_page.h"

#include <QApplication>
#include <QDir>
#include <QFileInfo>
#include <QJsonDocument>
#include <QStandardPaths>
#include <QStyle>

namespace bioforge::age {

bool AgePlugin::initialize(const core::PluginContext& context, QString*)
{
    m_context = context;
    return true;
}

QList<core::VerbSpec> AgePlugin::verbs() const { return {clocksVerb(), evaluateVerb(), trainVerb(), predictVerb()}; }

namespace {

// A column mapping a run reads its tables with, loaded before the run is recorded: one that is not
// there (a mistyped shipped name) is 6, one that does not read as a mapping 2 — each was a failed run.
core::Status checkMapping(const QString& verb, const QString& option, const QString& fileOrName)
{
    if (fileOrName.isEmpty())
        return core::okStatus();
    auto mapping = ColumnMapping::load(fileOrName);
    if (mapping)
        return core::okStatus();
    return core::Error(QStringLiteral("age %1: --%2 %3").arg(verb, option, mapping.error().message()),
                       mapping.error().kind() == core::Error::Kind::NotFound ? core::Error::Kind::NotFound : core::Error::Kind::Invalid);
}

} // namespace

core::Expected<std::unique_ptr<core::Job>> AgePlugin::createJob(const QString& verb, const QJsonObject& parameters)
{
    // Local and cluster runs alike (RunService makes the job of either before recording it).
    if (verb == QLatin1String("train") || verb == QLatin1String("predict")) {
        auto henaw = HenawRunSettings::fromParameters(parameters);
        if (!henaw)
            return henaw.error();
        if (verb == QLatin1String("predict"))
            if (core::Status st = checkHenawModelFolder(QStringLiteral("age predict"), QStringLiteral("--model"), henaw->model); !st)
                return st.error();
        if (core::Status st = checkMapping(verb, QStringLiteral("map"), henaw->mapping); !st)
            return st.error();
        if (verb == QLatin1String("train")) {
            // A misspelt key, a value of the wrong type or out of range: refused before the run is recorded.
            if (core::Status config = checkHenawConfiguration(henaw->configFile, henaw->overrides); !config)
                return config.error();
            return std::unique_ptr<core::Job>(std::make_unique<HenawTrainJob>(*henaw));
        }
        return std::unique_ptr<core::Job>(std::make_unique<HenawPredictJob>(*henaw));
    }
    auto settings = ClockSettings::fromParameters(parameters);
    if (!settings)
        return settings.error();
    if (core::Status st = checkHenawModelFolder(QStringLiteral("age %1").arg(verb), QStringLiteral("--henaw"), settings->henawModel); !st)
        return st.error();
    for (const auto& [option, mapping] : {std::pair{QStringLiteral("map"), settings->mapping}, {QStringLiteral("reference_map"), settings->referenceMapping}})
        if (core::Status st = checkMapping(verb, option, mapping); !st)
            return st.error();
    if (verb == QLatin1String("clocks"))
        return std::unique_ptr<core::Job>(std::make_unique<ClocksJob>(*settings));
    if (verb == QLatin1String("evaluate"))
        return std::unique_ptr<core::Job>(std::make_unique<EvaluateJob>(*settings));
    return core::Error(QStringLiteral("age: unknown verb '%1'").arg(verb));
}


core::Status AgePlugin::checkLocalRun(const QString& verb, const QJsonObject& parameters) const
{
    if (verb != QLatin1String("train") && verb != QLatin1String("predict"))
        return core::okStatus(); // the clocks run on the CPU
    auto henaw = HenawRunSettings::fromParameters(parameters);
    if (!henaw)
        return henaw.error();
    if (core::Status built = core::checkTorchDeviceBuilt(henaw->device, henawCudaSupport()); !built)
        return built.error().withContext(QStringLiteral("age %1").arg(verb));
    return core::okStatus();
}

core::Expected<core::ShardPlan> AgePlugin::planShards(const QString& verb, const QJsonObject& parameters, int shards, const QString& planFile)
{
    if (verb != QLatin1String("predict"))
        return core::Error(QStringLiteral("age %1 cannot run on a cluster (only predict)").arg(verb));
    auto settings = HenawRunSettings::fromParameters(parameters);
    if (!settings)
        return settings.error();
    auto plan = planHenawShards(*settings, shards);
    if (!plan)
        return plan.error();
    if (core::Status st = core::AtomicFile::write(planFile, QJsonDocument(plan->toJson()).toJson()); !st)
        return st.error();
    core::ShardPlan out;
    out.unit = QStringLiteral("rows");
    for (const auto& [first, end] : plan->shards)
        out.weights << end - first;
    out.summary = {{QStringLiteral("rows"), double(plan->rows)},
                   {QStringLiteral("chunk_rows"), double(HenawNetwork::kPredictChunkRows)},
                   // Said when the run gets fewer shards than asked for (cluster_run_job.cpp).
                   {QStringLiteral("why_fewer"), QStringLiteral("a shard holds whole chunks of %1 rows (the network's batch, which keeps every row's "
                                                                "numbers those of a single-machine run), and this table has %2 usable rows")
                                                     .arg(HenawNetwork::kPredictChunkRows)
                                                     .arg(plan->rows)}};
    return out;
}

core::Expected<QList<core::MergedOutput>> AgePlugin::mergeShards(const QString& verb, const QJsonObject& parameters, const QStringList& shardOutputDirs,
                                                                 const QString& outputDir)
{
    if (verb != QLatin1String("predict"))
        return core::Error(QStringLiteral("age %1 cannot run on a cluster (only predict)").arg(verb));
    auto settings = HenawRunSettings::fromParameters(parameters);
    if (!settings)
        return settings.error();
    return mergeHenawPredictions(*settings, shardOutputDirs, outputDir);
}

QStringList AgePlugin::mergeShardWarnings(const QString& verb, const QList<QStringList>& byShard, const QString& mergedDir) const
{
    return verb == QLatin1String("predict") ? mergeHenawWarnings(byShard, mergedDir) : IPlugin::mergeShardWarnings(verb, byShard, mergedDir);
}

core::Expected<core::ReportContent> AgePlugin::reportContent(const core::RunRecord& run, const QString& runDir) const
{
    return ageReport(runDir, run.verb, run.title);
}

QList<core::DemoRun> AgePlugin::demoRuns() const
{
    const QString dir = m_context.dataDir.isEmpty() ? QStandardPaths::writableLocation(QStandardPaths::AppDataLocation) : m_context.dataDir;
    return {ageDemoRun(dir)};
}

QIcon AgePlugin::pageIcon() const
{
    return QApplication::style() ? QApplication::style()->standardIcon(QStyle::SP_FileDialogDetailedView) : QIcon();
}

QWidget* AgePlugin::createPage(const ui::PageContext& context, QWidget* parent) { return new AgePage(context, parent); }

// The clocks' papers and the statistics' (the report's "Methods and references", trial 25 T25-8).
QStringList AgePlugin::references(const core::RunRecord& run) const
{
    const QJsonObject& p = run.parameters;
    QStringList r;
    if (run.verb == QLatin1String("clocks") || run.verb == QLatin1String("evaluate")) {
        r << QStringLiteral("PhenoAge: Levine ME, Lu AT, Quach A, et al. An epigenetic biomarker of aging for lifespan and healthspan. Aging (Albany NY) "
                            "10(4):573-591, 2018. doi:10.18632/aging.101414");
        if (!p.value(QLatin1String("kdm_reference")).toString().isEmpty())
            r << QStringLiteral("KDM: Klemera P, Doubal S. A new approach to the concept and computation of biological age. Mech Ageing Dev "
                                "127(3):240-248, 2006. doi:10.1016/j.mad.2005.10.004");
        if (!p.value(QLatin1String("hd_reference")).toString().isEmpty())
            r << QStringLiteral("HD: Cohen AA, Milot E, Yong J, et al. A novel statistical approach shows evidence for multi-system physiological "
                                "dysregulation during aging. Mech Ageing Dev 134(3-4):110-117, 2013. doi:10.1016/j.mad.2013.01.004");
        r << QStringLiteral("BioAge (the reference implementation these clocks reproduce): Kwon D, Belsky DW. A toolkit for quantifying aging in humans: "
                            "the BioAge R package. GeroScience 43:2795-2808, 2021. doi:10.1007/s11357-021-00462-9");
    }
    if (run.verb == QLatin1String("evaluate"))
        r << QStringLiteral("C-index: Harrell FE, Califf RM, Pryor DB, Lee KL, Rosati RA. Evaluating the yield of medical tests. JAMA 247(18):2543-2546, 1982")
          << QStringLiteral("Cox model: Cox DR. Regression models and life-tables. J R Stat Soc B 34(2):187-220, 1972")
          << QStringLiteral("Kaplan-Meier: Kaplan EL, Meier P. Nonparametric estimation from incomplete observations. J Am Stat Assoc 53(282):457-481, 1958");
    if (run.verb != QLatin1String("clocks") && (run.verb != QLatin1String("evaluate") || !p.value(QLatin1String("henaw")).toString().isEmpty()
                                                || !p.value(QLatin1String("henaw_train")).toString().isEmpty()))
        r << QStringLiteral("HENAW (hierarchical biological age with adaptive marker weights and a Cox mortality head): BioForge Workbench's model, "
                            "described in its docs/age.md");
    return r;
}

} // namespace bioforge::age
