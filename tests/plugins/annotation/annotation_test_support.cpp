#include "annotation_test_support.h"

#include "support/test_support.h"

#include <QDir>

namespace bioforge::test {

QString annotationDemoPath(const QString& name) { return QDir(QStringLiteral(ANNOTATION_DEMO_DIR)).filePath(name); }
QString annotationDataPath(const QString& name) { return QDir(QStringLiteral(ANNOTATION_TEST_DATA)).filePath(name); }

TestLibrary::TestLibrary()
{
    auto lib = annotation::BulkLibrary::open(dir.filePath(QStringLiteral("library.sqlite")));
    if (lib)
        library = std::move(*lib);
}

QString TestLibrary::write(const QString& name, const QByteArray& content) const
{
    const QString path = dir.filePath(name);
    writeAll(path, content);
    return path;
}

core::Expected<annotation::ReleaseInfo> TestLibrary::import(const QString& source, const QString& path, const QString& part)
{
    return annotation::importBulkFile(*library, {source, path, part, {}, {}, {}});
}

core::Expected<annotation::ReleaseInfo> TestLibrary::importText(const QString& source, const QString& name, const QByteArray& content, const QString& part)
{
    return import(source, write(name, content), part);
}

} // namespace bioforge::test
