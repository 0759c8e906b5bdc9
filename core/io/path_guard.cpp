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

bool PathGuard::isSafeComponent(const QString& name) { return checkName(name, QString()).hasValue(); }

Status PathGuard::checkName(const QString& name, const QString& what)
{
    const QString subject = what.isEmpty() ? QStringLiteral("name") : what;
    auto refuse = [&](const QString& why) { return Error(QStringLiteral("%1 '%2' %3").arg(subject, name, why)); };
    if (name.isEmpty())
        return Error(QStringLiteral("%1 is empty").arg(subject));
    if (name == QLatin1String(".") || name == QLatin1String(".."))
        return refuse(QStringLiteral("is not a name (it names a folder)"));
    if (name.toUtf8().size() > 255)
        return refuse(QStringLiteral("is longer than 255 bytes"));
    if (name.front().isSpace() || name.back().isSpace())
        return refuse(QStringLiteral("begins or ends with a space"));
    static const QString forbidden = QStringLiteral("/\\:*?\"<>|");
    for (const QChar c : name) {
        if (forbidden.contains(c))
            return refuse(QStringLiteral("contains '%1'; a name may not contain any of %2").arg(QString(c), forbidden));
        if (c.unicode() < 0x20 || c.unicode() == 0x7f || c.category() == QChar::Other_Control)
            return refuse(QStringLiteral("contains a control character (U+%1)").arg(c.unicode(), 4, 16, QLatin1Char('0')));
    }
    return okStatus();
}

QString PathGuard::fileNameFrom(const QString& text, const QString& fallback)
{
    QString name;
    for (const QChar c : text.simplified().left(120))
        name += (QStringLiteral("/\\:*?\"<>|").contains(c) || c.unicode() < 0x20 || c.category() == QChar::Other_Control) ? QLatin1Char('_') : c;
    while (name.startsWith(QLatin1Char('.')))
        name.remove(0, 1); // no hidden files, no ".."
    name = name.trimmed();
    return checkName(name, QString()) ? name : fallback;
}

Expected<QString> PathGuard::childOf(const QString& root, const QString& name, const QString& what)
{
    if (Status st = checkName(name, what); !st)
        return st.error();
    const QString path = QDir(root).filePath(name);
    if (!isInside(root, path)) // a symbolic link named `name` that points elsewhere
        return Error(QStringLiteral("%1 '%2' leads outside %3").arg(what, name, root));
    return path;
}

} // namespace bioforge::core
