#include "age_demo.h"

#include "schema/biomarker_schema.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>

namespace bioforge::age {

core::DemoRun ageDemoRun(const QString& dataDir)
{
    core::DemoRun run{QStringLiteral("evaluate"), {},
                      QStringLiteral("Biological age clocks on real NHANES people: trained on NHANES III, evaluated against mortality on NHANES IV"), {}};
    (void)BiomarkerSchema::builtIn(); // registers the plugin's resources
    const QDir dir(QDir(dataDir).filePath(QStringLiteral("demo-data/age")));
    QDir().mkpath(dir.path());
    QStringList paths;
    for (const char* name : {"nhanes3-demo.csv.gz", "nhanes4-demo.csv.gz"}) {
        const QString target = dir.filePath(QLatin1String(name));
        if (!QFileInfo::exists(target)) {
            QFile::remove(target + QStringLiteral(".part"));
            if (!QFile::copy(QStringLiteral(":/age/demo/") + QLatin1String(name), target + QStringLiteral(".part"))
                || !QFile::rename(target + QStringLiteral(".part"), target)) {
                run.unavailable = QStringLiteral("the demo cohort could not be written to %1").arg(target);
                return run;
            }
            QFile::setPermissions(target, QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ReadGroup | QFileDevice::ReadOther);
        }
        paths << target;
    }
    run.parameters = {{QStringLiteral("table"), paths[1]},
                      {QStringLiteral("map"), QStringLiteral("nhanes-bioage")},
                      {QStringLiteral("kdm_reference"), paths[0]},
                      {QStringLiteral("kdm_markers"), QStringLiteral("kdm_blood")},
                      {QStringLiteral("phenoage_reference"), paths[0]},
                      {QStringLiteral("henaw_train"), paths[0]},
                      {QStringLiteral("henaw_epochs"), 6},
                      {QStringLiteral("henaw_ensemble"), 2},
                      {QStringLiteral("bootstrap"), 50}};
    return run;
}

} // namespace bioforge::age
