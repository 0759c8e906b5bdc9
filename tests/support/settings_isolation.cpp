// Compiled into every test executable (bioforge_add_test): each test process
// gets its own empty QSettings store (window geometry, remembered page
// inputs), removed at exit, so a test never reads what the user's session,
// or an earlier killed test, left behind.

#include <QCoreApplication>
#include <QDir>
#include <QSettings>
#include <QTemporaryDir>

#include <memory>

namespace {

void isolateSettings()
{
    static std::unique_ptr<QTemporaryDir> dir;
    dir = std::make_unique<QTemporaryDir>(QDir::temp().filePath(QStringLiteral("bioforge-test-settings-XXXXXX")));
    for (QSettings::Format format : {QSettings::NativeFormat, QSettings::IniFormat})
        for (QSettings::Scope scope : {QSettings::UserScope, QSettings::SystemScope})
            QSettings::setPath(format, scope, dir->path());
    qAddPostRoutine([] { dir.reset(); });
}

} // namespace

Q_COREAPP_STARTUP_FUNCTION(isolateSettings)
