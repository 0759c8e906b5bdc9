#pragma once

// The real `bioforge` program run as a user runs it, for the command-line
// tests: an isolated HOME and project in a temporary folder, each command's
// exit code and output; model folders of a kind's files; the runs recorded.

#include "support/test_support.h"

#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QObject>
#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QtTest>

namespace bioforge::test {

class CliTestBase : public QObject {
protected:
    QTemporaryDir m_dir;


    struct Result {
        int code = -1;
        QString out, err;
    };

    QString m_pluginPath; // BIOFORGE_PLUGIN_PATH for the program, when set

    QProcessEnvironment env() const
    {
        QProcessEnvironment e = isolatedEnvironment(m_dir.filePath(QStringLiteral("home")));
        if (!m_pluginPath.isEmpty())
            e.insert(QStringLiteral("BIOFORGE_PLUGIN_PATH"), m_pluginPath);
        return e;
    }
    QString project() const { return m_dir.filePath(QStringLiteral("project")); }
    QString path(const char* name) const { return m_dir.filePath(QLatin1String(name)); }

    Result run(const QStringList& args)
    {
        QProcess p;
        p.setProcessEnvironment(env());
        p.start(binPath(QStringLiteral("bioforge")), QStringList{QStringLiteral("--project"), project()} + args);
        p.waitForFinished(180000);
        return {p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1, QString::fromUtf8(p.readAllStandardOutput()),
                QString::fromUtf8(p.readAllStandardError())};
    }

    // As run(), while this thread's event loop turns (a LoopbackHttpServer answers on it).
    Result runServing(const QStringList& args)
    {
        QProcess p;
        p.setProcessEnvironment(env());
        p.start(binPath(QStringLiteral("bioforge")), QStringList{QStringLiteral("--project"), project()} + args);
        QElapsedTimer clock;
        clock.start();
        while (!p.waitForFinished(20) && clock.elapsed() < 180000)
            QCoreApplication::processEvents();
        return {p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1, QString::fromUtf8(p.readAllStandardOutput()),
                QString::fromUtf8(p.readAllStandardError())};
    }

    // A folder with the files of a model kind (contents do not matter to import, which only hashes).
    QString modelFolder(const char* name, const QStringList& files)
    {
        const QString folder = path(name);
        for (const QString& f : files)
            writeAll(QDir(folder).filePath(f), "x");
        return folder;
    }

    // The id a command printed ("run 20261206-130000-0badc0de started …").
    static QString runIdFrom(const QString& text)
    {
        return QRegularExpression(QStringLiteral("run (\\d{8}-\\d{6}-[0-9a-f]{8})")).match(text).captured(1);
    }

    QString runsListing() { return run({QStringLiteral("runs")}).out; }
    // Lines of `bioforge runs` that are runs (their ids: date-time-random).
    qsizetype recordedRuns()
    {
        static const QRegularExpression runLine(QStringLiteral("^\\d{8}-\\d{6}-"), QRegularExpression::MultilineOption);
        qsizetype n = 0;
        for (auto it = runLine.globalMatch(runsListing()); it.hasNext(); it.next())
            ++n;
        return n;
    }

    // Three registered models of the viral kinds (files of the right names, made up content): enough
    // for the checks a run makes before it is recorded. Importing the same folder again is allowed.
    void importDevModels()
    {
        const QStringList kinds[] = {{QStringLiteral("dnabert-s"), QStringLiteral("config.json"), QStringLiteral("model.safetensors"), QStringLiteral("tokenizer.json")},
                                     {QStringLiteral("esm2"), QStringLiteral("config.json"), QStringLiteral("model.safetensors"), QStringLiteral("vocab.txt")},
                                     {QStringLiteral("virnucpro-classifier"), QStringLiteral("weights.safetensors"), QStringLiteral("weights.json")}};
        for (const QStringList& k : kinds)
            QCOMPARE(run({QStringLiteral("models"), QStringLiteral("import"), QStringLiteral("dev-") + k[0], k[0],
                          modelFolder(qPrintable(QStringLiteral("dev-") + k[0]), k.mid(1))}).code, 0);
    }

};

} // namespace bioforge::test
