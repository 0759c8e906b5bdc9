#pragma once

// `bioforge` run as a user runs it, for the age plugin's command-line tests: an
// isolated HOME and project in a temporary folder, each command's exit code,
// output and the folder of the run it started.

#include "age_fixtures.h"
#include "support/test_support.h"

#include <QDir>
#include <QHash>
#include <QObject>
#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>

namespace bioforge::age::test {

class AgeCliTestBase : public QObject {
protected:
    QTemporaryDir m_dir;

    struct Result {
        int code = -1;
        QString out, err, runDir;
    };

    Result run(const QStringList& args)
    {
        QProcess p;
        p.setProcessEnvironment(bioforge::test::isolatedEnvironment(m_dir.filePath(QStringLiteral("home"))));
        p.start(bioforge::test::binPath(QStringLiteral("bioforge")), QStringList{QStringLiteral("--project"), m_dir.filePath(QStringLiteral("project"))} + args);
        p.waitForFinished(600000);
        Result r{p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1, QString::fromUtf8(p.readAllStandardOutput()), QString::fromUtf8(p.readAllStandardError()), {}};
        const auto m = QRegularExpression(QStringLiteral("started in (\\S+)")).match(r.err);
        r.runDir = m.captured(1);
        return r;
    }

    QHash<QString, Row> clocksById(const QString& runDir, const QString& idColumn)
    {
        QHash<QString, Row> out;
        for (const Row& r : readRows(QDir(runDir).filePath(QStringLiteral("clocks.csv"))))
            out.insert(r.value(idColumn), r);
        return out;
    }
};

} // namespace bioforge::age::test
