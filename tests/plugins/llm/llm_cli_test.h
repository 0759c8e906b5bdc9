#pragma once

// The real `bioforge` program run by the llm command-line tests, with an
// isolated HOME in a temporary folder: each command's exit code and output.

#include "support/test_support.h"

#include <QObject>
#include <QProcess>
#include <QTemporaryDir>

namespace bioforge::test {

class LlmCliTest : public QObject {
protected:
    QTemporaryDir m_dir;

    struct Result {
        int code;
        QString out, err;
    };

    Result run(const QStringList& args, const QString& workingDirectory = {})
    {
        QProcess p;
        p.setProcessEnvironment(isolatedEnvironment(m_dir.filePath(QStringLiteral("home"))));
        if (!workingDirectory.isEmpty())
            p.setWorkingDirectory(workingDirectory);
        p.start(binPath(QStringLiteral("bioforge")), args);
        p.waitForFinished(300000);
        return {p.exitCode(), QString::fromUtf8(p.readAllStandardOutput()), QString::fromUtf8(p.readAllStandardError())};
    }
};

} // namespace bioforge::test
