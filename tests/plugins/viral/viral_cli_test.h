#pragma once

// What the viral command-line tests share: the real `bioforge` program with an
// isolated HOME, the tiny fixture encoders, a random classifier and 160
// synthetic contigs written once per test program.

#include "model/classifier_writer.h"
#include "pipeline/validate_job.h"
#include "support/test_support.h"

#include <QDir>
#include <QFile>
#include <QObject>
#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QtTest>

namespace bioforge::test {

class ViralCliTest : public QObject {
protected:
    QTemporaryDir m_dir;
    QString m_fasta, m_classifier;

    struct Result {
        int code = -1;
        QString out, err;
    };

    // Every run inherits generic kernels marked as a parent's choice (what a cluster task on another
    // node inherits): bioforge must choose again for this CPU before loading the plugin, on any CPU.
    QProcessEnvironment env() const
    {
        QProcessEnvironment e = isolatedEnvironment(m_dir.filePath(QStringLiteral("home")));
        e.insert(QStringLiteral("OPENBLAS_CORETYPE"), QStringLiteral("Prescott"));
        e.insert(QStringLiteral("BIOFORGE_OPENBLAS_CORETYPE_CHOSEN"), QStringLiteral("Prescott"));
        e.insert(QStringLiteral("ATEN_CPU_CAPABILITY"), QStringLiteral("default"));
        e.insert(QStringLiteral("BIOFORGE_ATEN_CPU_CAPABILITY_CHOSEN"), QStringLiteral("default"));
        e.remove(QStringLiteral("GOMP_SPINCOUNT")); // bioforge bounds the pools' waits itself
        e.remove(QStringLiteral("OPENBLAS_THREAD_TIMEOUT"));
        return e;
    }

    Result run(const QStringList& args, const QString& workingDirectory = QString())
    {
        QProcess p;
        p.setProcessEnvironment(env());
        if (!workingDirectory.isEmpty())
            p.setWorkingDirectory(workingDirectory);
        p.start(binPath(QStringLiteral("bioforge")), args);
        p.waitForFinished(300000);
        return {p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1, QString::fromUtf8(p.readAllStandardOutput()),
                QString::fromUtf8(p.readAllStandardError())};
    }

    QStringList models() const
    {
        return {QStringLiteral("--dnabert"), fixturePath(QStringLiteral("viral/dnabert_s_tiny")), QStringLiteral("--esm"),
                fixturePath(QStringLiteral("viral/esm2_tiny")), QStringLiteral("--classifier"), m_classifier, QStringLiteral("--threads"),
                QStringLiteral("1")};
    }

    QStringList predict(const QString& project) const
    {
        return QStringList{QStringLiteral("--project"), project, QStringLiteral("run"), QStringLiteral("viral"), QStringLiteral("predict"), m_fasta}
               + models()
               + QStringList{QStringLiteral("--shard_frames"), QStringLiteral("16"), QStringLiteral("--esm_tokens_per_batch"), QStringLiteral("400"),
                             QStringLiteral("--dnabert_tokens_per_batch"), QStringLiteral("300"), QStringLiteral("--no-reuse_results")};
    }

    static QByteArray outputsOf(const QString& project, const QString& runId)
    {
        QByteArray all;
        for (const char* name : {"prediction_results.txt", "frames.tsv", "chunks.tsv", "contigs.tsv", "summary.json"})
            all += readAll(QDir(project).filePath(QStringLiteral("runs/%1/%2").arg(runId, QLatin1String(name))));
        return all;
    }

    static QString runIdFrom(const QString& text)
    {
        return QRegularExpression(QStringLiteral("run (\\d{8}-\\d{6}-[0-9a-f]{8})")).match(text).captured(1);
    }

    // initTestCase of each test program: skipped without ../shared/fixtures.
    void writeInputs()
    {
        if (!fixturesAvailable())
            QSKIP("../shared/fixtures is not present");
        m_classifier = m_dir.filePath(QStringLiteral("classifier.safetensors"));
        QVERIFY(bioforge::viral::writeRandomClassifier(m_classifier, 128, 16, 5));
        m_fasta = m_dir.filePath(QStringLiteral("contigs.fa"));
        QFile f(m_fasta);
        QVERIFY(f.open(QIODevice::WriteOnly));
        for (uint32_t i = 0; i < 160; ++i)
            f.write(">c" + QByteArray::number(i) + "\n" + QByteArray::fromStdString(bioforge::viral::ValidateJob::syntheticContig(600 + 37 * (i % 20), i)) + "\n");
    }
};

} // namespace bioforge::test
