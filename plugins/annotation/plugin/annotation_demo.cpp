#include "annotation_demo.h"

#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QFileInfo>

static void initAnnotationResources() { Q_INIT_RESOURCE(annotation); }

namespace bioforge::annotation {

core::DemoRun annotationDemoRun(const QString& dataDir)
{
    initAnnotationResources();
    core::DemoRun run{QStringLiteral("annotate"), {},
                      QStringLiteral("Kidney gene panel annotated from demo extracts (real HGNC identities; other values synthesized, not evidence)"), {}};
    const QDir dir(QDir(dataDir).filePath(QStringLiteral("demo-data/annotation")));
    QDir().mkpath(dir.path());
    for (QDirIterator it(QStringLiteral(":/annotation/demo")); it.hasNext();) {
        const QString source = it.next();
        const QString target = dir.filePath(QFileInfo(source).fileName());
        if (QFileInfo::exists(target))
            continue;
        QFile::remove(target + QStringLiteral(".part"));
        if (!QFile::copy(source, target + QStringLiteral(".part")) || !QFile::rename(target + QStringLiteral(".part"), target)) {
            run.unavailable = QStringLiteral("the demo files could not be written to %1").arg(dir.path());
            return run;
        }
        QFile::setPermissions(target, QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ReadGroup | QFileDevice::ReadOther);
    }
    // The panel (a saved panel the page offers too) goes beside the extracts' folder, not in it.
    const QString panel = QDir(dataDir).filePath(QStringLiteral("demo-data/kidney_panel.txt"));
    if (!QFileInfo::exists(panel) && !QFile::copy(QStringLiteral(":/annotation/panels/kidney_panel.txt"), panel)) {
        run.unavailable = QStringLiteral("the demo panel could not be written to %1").arg(panel);
        return run;
    }
    QFile::setPermissions(panel, QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ReadGroup | QFileDevice::ReadOther);
    run.parameters = {{QStringLiteral("genes"), panel},
                      {QStringLiteral("import_dir"), dir.path()},
                      {QStringLiteral("orgdb"), QStringLiteral("auto")},
                      {QStringLiteral("library"), QDir(dataDir).filePath(QStringLiteral("annotation/demo-library.sqlite"))}};
    return run;
}

} // namespace bioforge::annotation
