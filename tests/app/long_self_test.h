#pragma once

// A long self-test run of the `bioforge` program started in the background, for the tests that
// interrupt it (kill -9, Ctrl-C, SIGHUP): "started" once some units are checkpointed, else why not.
// `ignoreHangup` starts it as `nohup` would (SIGHUP ignored, through bash's `trap '' HUP; exec`).

#include "support/test_support.h"

#include <QDir>
#include <QProcess>
#include <QtTest>

namespace bioforge::test {

inline QString startLongSelfTest(QProcess& p, const QProcessEnvironment& env, const QString& project, const QStringList& extra = {},
                                 bool ignoreHangup = false)
{
    const QStringList args = QStringList{QStringLiteral("--project"), project, QStringLiteral("run"), QStringLiteral("workbench"), QStringLiteral("selftest"),
                                         QStringLiteral("--units"), QStringLiteral("400"), QStringLiteral("--values"), QStringLiteral("2048"),
                                         QStringLiteral("--work"), QStringLiteral("3000")}
                             + extra;
    p.setProcessEnvironment(env);
    if (ignoreHangup)
        p.start(QStringLiteral("/bin/bash"), QStringList{QStringLiteral("-c"), QStringLiteral("trap '' HUP; exec \"$0\" \"$@\""), binPath(QStringLiteral("bioforge"))} + args);
    else
        p.start(binPath(QStringLiteral("bioforge")), args);
    if (!p.waitForStarted())
        return QStringLiteral("not started");
    const bool progressed = QTest::qWaitFor([&] { return checkpointManifestCount(QDir(project).filePath(QStringLiteral("checkpoints"))) >= 4; }, 60000);
    return progressed ? QStringLiteral("started") : QStringLiteral("no checkpoint appeared");
}

} // namespace bioforge::test
