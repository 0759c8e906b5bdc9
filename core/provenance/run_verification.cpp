#include "provenance/run_verification.h"

#include "io/sha256.h"

#include <QDir>
#include <QFileInfo>

#include <algorithm>

namespace bioforge::core {

int RunVerification::count(FileCheck::State state) const
{
    return int(std::count_if(files.begin(), files.end(), [&](const FileCheck& f) { return f.state == state; }));
}

QString fileCheckStateName(FileCheck::State state)
{
    switch (state) {
    case FileCheck::State::Same: return QStringLiteral("same");
    case FileCheck::State::Changed: return QStringLiteral("changed");
    case FileCheck::State::Missing: return QStringLiteral("missing");
    case FileCheck::State::NotRecorded: break;
    }
    return QStringLiteral("not recorded");
}

namespace {

FileCheck check(const QString& role, const QString& name, const QString& path, const QString& recorded, const std::function<void(const QString&)>& hashing)
{
    FileCheck f{role, name, path, recorded.toLower(), QString(), FileCheck::State::NotRecorded};
    if (path.isEmpty() || !QFileInfo(path).isAbsolute())
        return f;
    if (!QFileInfo(path).isFile()) {
        f.state = QFileInfo::exists(path) ? FileCheck::State::NotRecorded : FileCheck::State::Missing; // a folder: its files are checked one by one
        return f;
    }
    if (recorded.isEmpty())
        return f;
    if (hashing)
        hashing(path);
    auto now = Sha256::ofFile(path);
    if (!now) { // unreadable now: not the file recorded, as far as anyone can tell
        f.state = FileCheck::State::Missing;
        return f;
    }
    f.now = *now;
    f.state = f.now == f.recorded ? FileCheck::State::Same : FileCheck::State::Changed;
    return f;
}

} // namespace

RunVerification verifyRunFiles(const RunRecord& run, const QString& runDir, const std::function<void(const QString& path)>& hashing)
{
    RunVerification v;
    for (const FileRef& in : run.inputs)
        v.files << check(QStringLiteral("input"), in.name, in.path, in.sha256, hashing);
    for (const ModelRef& m : run.models) {
        if (!m.files.isEmpty()) { // a model of several files: each with its own SHA-256
            for (const FileRef& f : m.files)
                v.files << check(m.roleName(), QStringLiteral("%1: %2").arg(m.name, f.name), f.path, f.sha256, hashing);
        } else if (QFileInfo(m.path).isDir()) {
            v.files << FileCheck{m.roleName(), m.name, m.path, m.sha256, QString(), FileCheck::State::NotRecorded};
        } else {
            v.files << check(m.roleName(), m.name, m.path, m.sha256, hashing);
        }
    }
    for (const FileRef& out : run.outputs)
        v.files << check(QStringLiteral("output"), out.name, QFileInfo(out.path).isAbsolute() ? out.path : QDir(runDir).filePath(out.path), out.sha256, hashing);
    return v;
}

} // namespace bioforge::core
