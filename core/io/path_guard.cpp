#include "io/path_guard.h"

#include <QDir>
#include <QFileInfo>

namespace bioforge::core {
namespace {

// Canonical form of a path that may not exist yet: canonicalise the longest
// existing prefix, then append the rest (already free of . and ..).
QString canonicalish(const QString& path)
{
    QString clean = QDir::cleanPath(QDir(path).absolutePath());
    QString existing = clean;
    QString rest;
    while (!existing.isEmpty() && !QFileInfo::exists(existing)) {
        const qsizetype slash = existing.lastIndexOf(QLatin1Char('/'));
        if (slash <= 0)
            break;
        rest = existing.mid(slash) + rest;
        existing = existing.left(slash);
    }
    const QString canon = QFileInfo(existing).canonicalFilePath();
    return (canon.isEmpty() ? existing : canon) + rest;
}

} // namespace

Expected<QString> PathGuard::resolveInside(const QString& root, const QString& relative)
{
    if (relative.isEmpty())
        return Error(QStringLiteral("empty path inside %1").arg(root));
    if (QDir::isAbsolutePath(relative))
        return Error(QStringLiteral("'%1' is absolute; expected a path relative to %2").arg(relative, root));
    const QString joined = QDir::cleanPath(root + QLatin1Char('/') + relative);
    if (!isInside(root, joined))
        return Error(QStringLiteral("'%1' leads outside %2").arg(relative, root));
    return joined;
}

bool PathGuard::isInside(const QString& root, const QString& path)
{
    const QString r = canonicalish(root);
    const QString p = canonicalish(path);
    return p == r || p.startsWith(r.endsWith(QLatin1Char('/')) ? r : r + QLatin1Char('/'));
}

bool PathGuard::isSafeComponent(const QString& name)
{
    return !name.isEmpty() && name != QLatin1String(".") && name != QLatin1String("..")
           && !name.contains(QLatin1Char('/')) && !name.contains(QLatin1Char('\\')) && !name.contains(QChar(0));
}

} // namespace bioforge::core
