#include "annotation_plugin.h"

#include "annotation_commands.h"
#include "annotation_demo.h"
#include "annotation_report.h"
#include "io/content_sniffer.h"
#include "pipeline/annotate_job.h"
#include "provenance/run_record.h"
#include "store/bulk_library.h"
#include "store/sqlite_read_only.h"
#include "ui/annotation_page.h"

#include <QApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QStyle>

#include <QJsonObject>
#include <QRegularExpression>
#include <QStandardPaths>

#include <utility>

namespace bioforge::annotation {

bool AnnotationPlugin::initialize(const core::PluginContext& context, QString*)
{
    m_context = context;
    m_limits = std::make_shared<HostLimits>();
    applyRateLimits(currentSettings());
    return true;
}

QJsonObject AnnotationPlugin::currentSettings() const
{
    // Read again at each use: the Settings dialog (or `bioforge settings` in another terminal) may
    // have changed them since the plugin was loaded.
    return m_context.settingsOf ? m_context.settingsOf(QStringLiteral("annotation")) : m_context.settings;
}

void AnnotationPlugin::applyRateLimits(const QJsonObject& settings)
{
    // Settings may lower (or, at the user's risk, raise) a host's rate: {"rate_limits": {"rest.genenames.org": 5}}.
    const QJsonObject rates = settings.value(QStringLiteral("rate_limits")).toObject();
    std::lock_guard lock(m_ratesMutex);
    if (rates == m_appliedRates)
        return; // unchanged: the hosts' limiters (and their pacing) stay
    const QHash<QString, HostPolicy> defaults = HostLimits::documentedDefaults();
    for (auto it = m_appliedRates.begin(); it != m_appliedRates.end(); ++it) // a rate no longer set: its documented default again
        if (!rates.contains(it.key()))
            m_limits->resetPolicy(it.key());
    for (auto it = rates.begin(); it != rates.end(); ++it)
        if (it.value().toDouble() > 0) {
            HostPolicy p = defaults.value(it.key(), HostPolicy{});
            p.requestsPerSecond = it.value().toDouble();
            p.source = QStringLiteral("settings");
            m_limits->setPolicy(it.key(), p);
        }
    m_appliedRates = rates;
}

QString AnnotationPlugin::libraryPath() const
{
    const QString configured = currentSettings().value(QStringLiteral("library")).toString();
    if (!configured.isEmpty())
        return configured;
    const QString dir = m_context.dataDir.isEmpty() ? QStandardPaths::writableLocation(QStandardPaths::AppDataLocation) : m_context.dataDir;
    return BulkLibrary::defaultPath(dir);
}

QList<core::VerbSpec> AnnotationPlugin::verbs() const { return {annotateVerb()}; }

core::Expected<std::unique_ptr<core::Job>> AnnotationPlugin::createJob(const QString& verb, const QJsonObject& parameters)
{
    if (verb != QLatin1String("annotate"))
        return core::Error(QStringLiteral("annotation: unknown verb '%1'").arg(verb));
    auto settings = AnnotateSettings::fromParameters(parameters);
    if (!settings)
        return settings.error();
    const QJsonObject current = currentSettings();
    applyRateLimits(current);
    if (settings->library.isEmpty())
        settings->library = libraryPath();
    // A library that is not there where none can be made: refused before the run is recorded (it was
    // recorded, then failed with SQLite's "unable to open database file").
    if (const QFileInfo library(settings->library); !library.exists() && core::readOnlyFolder(library.absolutePath()))
        return core::Error(QStringLiteral("annotation annotate: no annotation library at %1, and its folder is read-only here (a read-only mount, or "
                                          "this user's permissions), so none can be made: give --library a library that exists, or a place you can write")
                               .arg(settings->library),
                           core::Error::Kind::Io);
    // Kept out of the run's parameters (they are recorded): the key from settings, the shared limits.
    settings->ncbiApiKey = current.value(QStringLiteral("ncbi_api_key")).toString();
    settings->hostLimits = m_limits;
    return std::unique_ptr<core::Job>(std::make_unique<AnnotateJob>(*settings));
}

QList<core::PluginSetting> AnnotationPlugin::settingSpecs() const
{
    return {{QStringLiteral("ncbi_api_key"),
             QStringLiteral("NCBI API key (https://account.ncbi.nlm.nih.gov/settings/): sent with every E-utilities request, raising that host "
                            "to 10 requests/s; never shown, logged or recorded in a run"),
             true,
             [](const QJsonValue& v) {
                 static const QRegularExpression key(QStringLiteral("^[0-9A-Za-z]{20,64}$"));
                 return v.isString() && key.match(v.toString()).hasMatch()
                            ? QString()
                            : QStringLiteral("an NCBI API key is 20 to 64 letters and digits (NCBI's are 36 hexadecimal digits)");
             }},
            {QStringLiteral("rate_limits"),
             QStringLiteral("requests per second per host, overriding the documented defaults, e.g. {\"rest.genenames.org\": 5} (docs/annotation.md)"),
             false,
             [](const QJsonValue& v) {
                 if (!v.isObject())
                     return QStringLiteral("it must be a JSON object of host names to requests per second, e.g. {\"rest.genenames.org\": 5}");
                 const QJsonObject o = v.toObject();
                 for (auto it = o.begin(); it != o.end(); ++it)
                     if (!(it.value().toDouble() > 0) || it.value().toDouble() > 1000)
                         return QStringLiteral("the rate of %1 must be a number of requests per second above 0 and at most 1000").arg(it.key());
                 return QString();
             }},
            {QStringLiteral("library"), QStringLiteral("the annotation library (an SQLite file) used when a run or command gives none"), false,
             [](const QJsonValue& v) {
                 if (!v.isString() || v.toString().isEmpty() || !QDir::isAbsolutePath(v.toString()))
                     return QStringLiteral("it must be the absolute path of an SQLite file");
                 // A file that is there must be an SQLite file (a model or a gene list was accepted, and every
                 // annotation command then failed); one not there yet is made by the first import.
                 const QFileInfo there(v.toString());
                 if (there.isDir())
                     return QStringLiteral("%1 is a folder; give the library file in it (e.g. %1/library.sqlite)").arg(v.toString());
                 QFile f(v.toString());
                 if (!there.exists() || there.size() == 0 || !f.open(QIODevice::ReadOnly))
                     return QString();
                 const QByteArray head = f.read(64);
                 if (core::looksLikeSqlite(head))
                     return QString();
                 const QString what = core::describeBinary(head);
                 return QStringLiteral("%1 is not an SQLite file (%2); give an annotation library, or a new file name for one")
                     .arg(v.toString(), what.isEmpty() ? QStringLiteral("it does not start as one") : QStringLiteral("it is ") + what);
             }}};
}

QStringList AnnotationPlugin::commandVerbs() const { return {QStringLiteral("import-bulk"), QStringLiteral("download"), QStringLiteral("sources")}; }

std::optional<int> AnnotationPlugin::runCommand(const QString& verb, const QStringList& args, QTextStream& out, QTextStream& err)
{
    if (verb == QLatin1String("import-bulk"))
        return importBulkCommand(args, libraryPath(), out, err);
    if (verb == QLatin1String("download")) {
        const QString data = m_context.dataDir.isEmpty() ? QStandardPaths::writableLocation(QStandardPaths::AppDataLocation) : m_context.dataDir;
        return downloadCommand(args, libraryPath(), QDir(data).filePath(QStringLiteral("annotation-downloads")), out, err);
    }
    if (verb == QLatin1String("sources"))
        return sourcesCommand(args, libraryPath(), out, err);
    return std::nullopt;
}

core::Expected<core::ReportContent> AnnotationPlugin::reportContent(const core::RunRecord& run, const QString& runDir) const
{
    return annotationReport(runDir, run.title);
}

QList<core::DemoRun> AnnotationPlugin::demoRuns() const
{
    const QString dir = m_context.dataDir.isEmpty() ? QStandardPaths::writableLocation(QStandardPaths::AppDataLocation) : m_context.dataDir;
    return {annotationDemoRun(dir)};
}

QIcon AnnotationPlugin::pageIcon() const
{
    return QApplication::style() ? QApplication::style()->standardIcon(QStyle::SP_FileDialogContentsView) : QIcon();
}

QWidget* AnnotationPlugin::createPage(const ui::PageContext& context, QWidget* parent) { return new AnnotationPage(context, [this] { return libraryPath(); }, parent); }

// The pipeline and each source's paper (the report's "Methods and references", trial 25 T25-8).
QStringList AnnotationPlugin::references(const core::RunRecord& run) const
{
    const QString asked = run.parameters.value(QLatin1String("sources")).toString();
    QStringList given;
    for (const QString& s : asked.split(QLatin1Char(','), Qt::SkipEmptyParts))
        given << s.trimmed().toLower();
    const auto used = [&](const char* source) { return given.isEmpty() || given.contains(QLatin1String(source)); };
    QStringList r{QStringLiteral("Kidney-Genetics-DB: the gene annotation pipeline this plugin follows (https://github.com/berntpopp/kidney-genetics-db)"),
                  QStringLiteral("HGNC: Seal RL, Braschi B, Gray K, et al. Genenames.org: the HGNC resources in 2023. Nucleic Acids Res 51(D1):D1003-D1009, "
                                 "2023. doi:10.1093/nar/gkac888")};
    // Each source's paper or address, in the order the report lists the sources.
    static const std::pair<const char*, const char*> kCited[] = {
        {"gnomad", "gnomAD constraint (LOEUF): Karczewski KJ, Francioli LC, Tiao G, et al. The mutational constraint spectrum quantified from variation "
                   "in 141,456 humans. Nature 581:434-443, 2020. doi:10.1038/s41586-020-2308-7"},
        {"clinvar", "ClinVar: Landrum MJ, Chitipiralla S, Brown GR, et al. ClinVar: improvements to accessing data. Nucleic Acids Res 48(D1):D835-D844, "
                    "2020. doi:10.1093/nar/gkz972"},
        {"gtex", "GTEx: The GTEx Consortium. The GTEx Consortium atlas of genetic regulatory effects across human tissues. Science 369(6509):1318-1330, "
                 "2020. doi:10.1126/science.aaz1776"},
        {"hpo", "HPO: Köhler S, Gargano M, Matentzoglu N, et al. The Human Phenotype Ontology in 2021. Nucleic Acids Res 49(D1):D1207-D1217, 2021. "
                "doi:10.1093/nar/gkaa1043"},
        {"ensembl", "Ensembl: Martin FJ, Amode MR, Aneja A, et al. Ensembl 2023. Nucleic Acids Res 51(D1):D933-D941, 2023. doi:10.1093/nar/gkac958"},
        {"pubtator", "PubTator3: Wei CH, Allot A, Lai PT, et al. PubTator 3.0: an AI-powered literature resource for unlocking biomedical knowledge. "
                     "Nucleic Acids Res 52(W1):W540-W546, 2024. doi:10.1093/nar/gkae235"},
        {"uniprot", "UniProt: The UniProt Consortium. UniProt: the Universal Protein Knowledgebase in 2023. Nucleic Acids Res 51(D1):D523-D531, 2023. "
                    "doi:10.1093/nar/gkac1052"},
        {"string", "STRING: Szklarczyk D, Kirsch R, Koutrouli M, et al. The STRING database in 2023. Nucleic Acids Res 51(D1):D638-D646, 2023. "
                   "doi:10.1093/nar/gkac1000"},
        {"descartes", "Descartes: Cao J, O'Day DR, Pliner HA, et al. A human cell atlas of fetal gene expression. Science 370(6518):eaba7721, 2020. "
                      "doi:10.1126/science.aba7721"},
        {"mgi", "MGI: Mouse Genome Informatics, The Jackson Laboratory, https://www.informatics.jax.org"},
        {"orgdb", "org.Hs.eg.db: Carlson M. Genome wide annotation for Human. Bioconductor, https://bioconductor.org/packages/org.Hs.eg.db"},
    };
    for (const auto& [source, citation] : kCited)
        if (used(source))
            r << QString::fromUtf8(citation);
    r << QStringLiteral("The releases each value came from are in the report's sources table and the run's provenance (reference data, with SHA-256)");
    return r;
}

} // namespace bioforge::annotation
