// Two runs compared value by value (bioforge compare, the Runs page's Compare): a parameter that
// differs, an input whose content changed (its path the same), an input moved but the same
// (no difference), a model in one run only, outputs that differ; what is the same is counted per
// part, in order; ids and times are not compared.

#include "provenance/run_comparison.h"
#include "core/store/sample_run.h"

#include <QtTest>

using namespace bioforge::core;

namespace {

RunRecord base(const QString& id)
{
    RunRecord r = test::sampleRun(id);
    r.title = QStringLiteral("Biological age: train — nh3.csv");
    r.state = RunState::Finished;
    r.parameters = {{QStringLiteral("epochs"), 40}, {QStringLiteral("map"), QStringLiteral("nhanes-bioage")},
                    {QStringLiteral("cluster"), QJsonObject{{QStringLiteral("shards"), 2}}}};
    r.inputs = {{QStringLiteral("cohort table"), QStringLiteral("/data/nh3.csv"), QString(64, QLatin1Char('1')), 100},
                {QStringLiteral("reference"), QStringLiteral("/data/ref.csv"), QString(64, QLatin1Char('2')), 50}};
    r.outputs = {{QStringLiteral("summary.json"), QStringLiteral("summary.json"), QString(64, QLatin1Char('3')), 10}};
    r.environment = {{QStringLiteral("version"), QStringLiteral("0.1.0")}, {QStringLiteral("host"), QStringLiteral("vm")},
                     {QStringLiteral("libraries"), QJsonObject{{QStringLiteral("Qt (run time)"), QStringLiteral("6.4.2")}}}};
    r.device = {{QStringLiteral("id"), QStringLiteral("cpu")}};
    r.startedAt = r.createdAt;
    r.endedAt = r.createdAt.addSecs(id == QLatin1String("a") ? 12 : 30);
    return r;
}

} // namespace

class TstRunComparison : public QObject {
    Q_OBJECT
private slots:
    void onlyWhatDiffersIsListed()
    {
        RunRecord a = base(QStringLiteral("a")), b = base(QStringLiteral("b"));
        const RunComparison same = compareRuns(a, b);
        QVERIFY(same.differences.isEmpty()); // ids and times are no difference

        // Inputs of one name (every FASTA of a viral run) are compared each, by their place; a
        // decimal parameter reads as written.
        RunRecord fastas = a, other = b;
        fastas.inputs = {{QStringLiteral("FASTA"), QStringLiteral("/d/1.fa"), QString(64, QLatin1Char('a')), 1},
                         {QStringLiteral("FASTA"), QStringLiteral("/d/2.fa"), QString(64, QLatin1Char('b')), 1}};
        other.inputs = fastas.inputs;
        other.inputs[0].sha256 = QString(64, QLatin1Char('c'));
        fastas.parameters.insert(QStringLiteral("rate"), 0.3);
        other.parameters.insert(QStringLiteral("rate"), 0.1);
        const RunComparison two = compareRuns(fastas, other);
        QCOMPARE(two.differences.size(), 2);
        QCOMPARE(two.differences[0].key, QStringLiteral("rate"));
        QCOMPARE(two.differences[0].a, QStringLiteral("0.3"));
        QCOMPARE(two.differences[1].key, QStringLiteral("FASTA"));
        QCOMPARE(two.same.at(2), (std::pair{QStringLiteral("inputs"), 1})); // "FASTA #2"
        QCOMPARE(same.secondsA, 12);
        QCOMPARE(same.secondsB, 30);

        b.parameters.insert(QStringLiteral("epochs"), 20);
        b.parameters.insert(QStringLiteral("cluster"), QJsonObject{{QStringLiteral("shards"), 4}});
        b.inputs[0].sha256 = QString(64, QLatin1Char('9'));               // the table edited in place
        b.inputs[1].path = QStringLiteral("/moved/ref.csv");               // moved, the same bytes
        b.models = {{QStringLiteral("HENAW model"), QStringLiteral("r2"), QString(64, QLatin1Char('7')), QStringLiteral("/m")}};
        b.outputs[0].sha256 = QString(64, QLatin1Char('8'));
        const RunComparison c = compareRuns(a, b);
        QStringList where;
        for (const RunDifference& d : c.differences)
            where << d.section + QLatin1Char(':') + d.key;
        QCOMPARE(where, (QStringList{QStringLiteral("parameters:cluster.shards"), QStringLiteral("parameters:epochs"), QStringLiteral("inputs:cohort table"),
                                     QStringLiteral("models:HENAW model"), QStringLiteral("outputs:summary.json")}));
        QCOMPARE(c.differences[1].a, QStringLiteral("40"));
        QCOMPARE(c.differences[1].b, QStringLiteral("20"));
        QCOMPARE(c.differences[2].a, QStringLiteral("111111111111 /data/nh3.csv"));
        QCOMPARE(c.differences[2].b, QStringLiteral("999999999999 /data/nh3.csv"));
        QCOMPARE(c.differences[3].a, QString()); // in B only
        QCOMPARE(c.differences[3].b, QStringLiteral("r2 777777777777"));
        QCOMPARE(c.same.size(), 6);
        QCOMPARE(c.same.at(0), (std::pair{QStringLiteral("run"), 7 - 2})); // title, plugin, verb, state, warnings (error and cluster are empty in both)
        QCOMPARE(c.same.at(1), (std::pair{QStringLiteral("parameters"), 1}));
        QCOMPARE(c.same.at(2), (std::pair{QStringLiteral("inputs"), 1}));   // the moved reference
        QCOMPARE(c.same.at(3).first, QStringLiteral("device"));
        QCOMPARE(c.same.at(4), (std::pair{QStringLiteral("versions"), 3})); // application, plugin, Qt
        QCOMPARE(c.same.at(5).first, QStringLiteral("machine"));
    }
};

QTEST_GUILESS_MAIN(TstRunComparison)
#include "tst_run_comparison.moc"
