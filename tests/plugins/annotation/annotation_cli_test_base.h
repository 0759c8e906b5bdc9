#pragma once

// `bioforge` run as a user runs it, for the annotation plugin's command-line
// tests: an isolated HOME in a temporary folder, a project and a library there,
// each command's exit code, output, and the id and folder of the run it started.

#include "support/test_support.h"

#include <QObject>
#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>

namespace bioforge::annotation::test {

class AnnotationCliTestBase : public QObject {
protected:
    QTemporaryDir m_dir;
    struct Result {
        int code = -1;
        QString out, err, runDir, runId;
    };
    QString library() const { return m_dir.filePath(QStringLiteral("library.sqlite")); }
    QStringList base(const QString& project = QStringLiteral("project")) const
    {
        return {QStringLiteral("--project"), m_dir.filePath(project)};
    }
    void start(QProcess& p, const QStringList& args)
    {
        p.setProcessEnvironment(bioforge::test::isolatedEnvironment(m_dir.filePath(QStringLiteral("home"))));
        p.start(bioforge::test::binPath(QStringLiteral("bioforge")), args);
    }
    Result run(const QStringList& args)
    {
        QProcess p;
        start(p, args);
        p.waitForFinished(600000);
        Result r{p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1, QString::fromUtf8(p.readAllStandardOutput()),
                 QString::fromUtf8(p.readAllStandardError()), {}, {}};
        const auto m = QRegularExpression(QStringLiteral("run (\\S+) started in (\\S.*)\\n")).match(r.err);
        r.runId = m.captured(1);
        r.runDir = m.captured(2);
        return r;
    }
};

} // namespace bioforge::annotation::test
