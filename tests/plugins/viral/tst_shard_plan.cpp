// The viral shard plan (`--plan-shards`, `--shard i/N`): an input's checksum is taken from what the
// run already knows of the file as it is now, and read where it does not.

#include "jobs/job.h"
#include "pipeline/shard_plan.h"
#include "pipeline/validate_job.h"
#include "provenance/provenance_recorder.h"
#include "support/test_support.h"

#include <QFileInfo>
#include <QJsonArray>
#include <QTemporaryDir>
#include <QtTest>

using namespace bioforge;
using namespace bioforge::viral;
using namespace bioforge::test;

class TstShardPlan : public QObject {
    Q_OBJECT

    QTemporaryDir m_dir;

private slots:
    // A shard plan takes an input's checksum from the run's recorder where it knows the file as it is
    // now (a `--shard i/N` run without a plan file plans with the digests its pins computed: not a
    // second read), and reads the file where it does not.
    void aShardPlanTakesTheDigestsItsRunKnows()
    {
        PredictSettings s;
        s.inputs = {m_dir.filePath(QStringLiteral("planned.fa"))};
        QVERIFY(writeAll(s.inputs.first(), ">ctg_a first\n" + QByteArray::fromStdString(ValidateJob::syntheticContig(400, 1)) + "\n"));
        const auto sha256Of = [](const ViralShardPlan& plan) {
            return plan.madeFrom.value(QLatin1String("inputs")).toArray().at(0).toObject().value(QLatin1String("sha256")).toString();
        };
        auto read = planViralShards(s, 1);
        QVERIFY2(read, read ? "" : qPrintable(read.error().message()));
        const QString real = sha256Of(*read);
        QCOMPARE(real.size(), 64);

        core::ProvenanceRecorder run(m_dir.filePath(QStringLiteral("known")));
        const QFileInfo file(s.inputs.first());
        run.knownDigest(file.absoluteFilePath(), QString(64, QLatin1Char('d')), file.size(), file.lastModified());
        auto known = planViralShards(s, 1, &run);
        QVERIFY2(known, known ? "" : qPrintable(known.error().message()));
        QCOMPARE(sha256Of(*known), QString(64, QLatin1Char('d')));

        core::ProvenanceRecorder other(m_dir.filePath(QStringLiteral("other")));
        other.knownDigest(file.absoluteFilePath(), QString(64, QLatin1Char('d')), file.size() + 1, file.lastModified()); // another size: read
        auto again = planViralShards(s, 1, &other);
        QVERIFY2(again, again ? "" : qPrintable(again.error().message()));
        QCOMPARE(sha256Of(*again), real);
    }

    // An input that holds nothing usable fails the plan as a value that cannot be used (Kind::Invalid),
    // which a cluster run's job throws as a failure needing a new run (a resume would plan again and
    // fail the same way); the plan lost that (a plain error).
    void anEmptyInputFailsThePlanAsOneOnTheInput()
    {
        for (const QByteArray& bytes : {QByteArray(), QByteArray(">only_gaps\n----\n")}) {
            PredictSettings s;
            s.inputs = {m_dir.filePath(QStringLiteral("empty-%1.fa").arg(bytes.size()))};
            QVERIFY(writeAll(s.inputs.first(), bytes));
            auto plan = planViralShards(s, 2);
            QVERIFY(!plan);
            QCOMPARE(plan.error().kind(), core::Error::Kind::Invalid);
            QVERIFY2(core::JobFailure(plan.error()).newRunNeeded(), qPrintable(plan.error().message()));
        }
    }
};

QTEST_GUILESS_MAIN(TstShardPlan)
#include "tst_shard_plan.moc"
