// The merge of viral predict shards: tables concatenated under one header,
// counts summed, warnings once each, and the unscored-contig warning rebuilt
// from the whole run's counts and first ids (as a single-machine run writes it),
// in summary.json and in the cluster run's recorded warnings.

#include "pipeline/prediction_tables.h"
#include "pipeline/shard_merge.h"
#include "pipeline/tokenizer_warnings.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QtTest>

#include <tuple>

using namespace bioforge::viral;

namespace {

bool write(const QString& path, const QByteArray& bytes)
{
    QFile f(path);
    return f.open(QIODevice::WriteOnly) && f.write(bytes) == bytes.size();
}

// A shard's output folder: one data row per table, and its summary.
bool writeShard(const QString& dir, int contigs, const QStringList& unscored, const QStringList& otherWarnings)
{
    QDir().mkpath(dir);
    for (const char* name : {"prediction_results.txt", "frames.tsv", "chunks.tsv", "contigs.tsv"})
        if (!write(QDir(dir).filePath(QLatin1String(name)), QByteArray("header\n") + QDir(dir).dirName().toUtf8() + '\n'))
            return false;
    QJsonArray warnings = QJsonArray::fromStringList(otherWarnings);
    if (const QString w = unscoredWarning(unscored.size(), contigs, unscored); !w.isEmpty())
        warnings.append(w);
    const QJsonObject summary{{QStringLiteral("contigs"), contigs},
                              {QStringLiteral("viral_contigs"), 0},
                              {QStringLiteral("unscored_contigs"), unscored.size()},
                              {QStringLiteral("reused_contigs"), 0},
                              {QStringLiteral("chunks"), contigs},
                              {QStringLiteral("frames"), 6 * contigs},
                              {QStringLiteral("chunk_length"), 300},
                              {QStringLiteral("call_rule"), QStringLiteral("mean")},
                              {QStringLiteral("encoder_precision"), QStringLiteral("fp32")},
                              {QStringLiteral("classes"), QJsonArray{QStringLiteral("others"), QStringLiteral("virus")}},
                              {QStringLiteral("unscored_examples"), QJsonArray::fromStringList(unscored.mid(0, qsizetype(kNamedUnscored)))},
                              {QStringLiteral("warnings"), warnings}};
    return write(QDir(dir).filePath(QStringLiteral("summary.json")), QJsonDocument(summary).toJson());
}

} // namespace

class TstShardMerge : public QObject {
    Q_OBJECT
private slots:
    void theUnscoredWarningCountsTheWholeRun()
    {
        QTemporaryDir dir;
        const QString a = dir.filePath(QStringLiteral("a")), b = dir.filePath(QStringLiteral("b")), c = dir.filePath(QStringLiteral("c")),
                      out = dir.filePath(QStringLiteral("out"));
        QDir().mkpath(out);
        const QString shared = QStringLiteral("input.fa:5: an empty record was skipped");
        QVERIFY(writeShard(a, 4, {QStringLiteral("n1"), QStringLiteral("n2"), QStringLiteral("n3")}, {shared}));
        QVERIFY(writeShard(b, 3, {}, {shared}));
        QVERIFY(writeShard(c, 5, {QStringLiteral("n4"), QStringLiteral("n5"), QStringLiteral("n6"), QStringLiteral("n7")}, {shared}));
        auto merged = mergePredictOutputs({a, b, c}, out);
        QVERIFY2(merged, merged ? "" : qPrintable(merged.error().message()));
        QVERIFY(!QFile::exists(QDir(out).filePath(QStringLiteral("run_stats.json")))); // shards without token counts: none
        // With them: the padding share of the whole run from the summed counts, each shard's time.
        for (const auto& [dir, real, padded] : {std::tuple{a, 30, 40}, std::tuple{b, 10, 10}, std::tuple{c, 20, 30}})
            QVERIFY(write(QDir(dir).filePath(QStringLiteral("run_stats.json")),
                          QJsonDocument(QJsonObject{{QStringLiteral("dnabert_real_tokens"), real}, {QStringLiteral("dnabert_padded_tokens"), padded},
                                                    {QStringLiteral("esm_real_tokens"), 2 * real}, {QStringLiteral("esm_padded_tokens"), 2 * real},
                                                    {QStringLiteral("elapsed_ms"), padded}})
                              .toJson()));
        merged = mergePredictOutputs({a, b, c}, out);
        QVERIFY2(merged && merged->last().file == QLatin1String("run_stats.json"), merged ? "" : qPrintable(merged.error().message()));
        QFile statsFile(QDir(out).filePath(QStringLiteral("run_stats.json")));
        QVERIFY(statsFile.open(QIODevice::ReadOnly));
        const QJsonObject stats = QJsonDocument::fromJson(statsFile.readAll()).object();
        QCOMPARE(stats.value(QLatin1String("dnabert_padding_fraction")).toDouble(), 1.0 - 60.0 / 80.0);
        QCOMPARE(stats.value(QLatin1String("esm_padding_fraction")).toDouble(), 0.0);
        QCOMPARE(stats.value(QLatin1String("elapsed_ms")).toDouble(), 80.0);
        QCOMPARE(stats.value(QLatin1String("shard_elapsed_ms")).toArray(), (QJsonArray{40, 10, 30}));
        QFile f(QDir(out).filePath(QStringLiteral("summary.json")));
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QJsonObject summary = QJsonDocument::fromJson(f.readAll()).object();
        QCOMPARE(summary.value(QLatin1String("contigs")).toInt(), 12);
        QCOMPARE(summary.value(QLatin1String("unscored_contigs")).toInt(), 7);
        const QStringList first{QStringLiteral("n1"), QStringLiteral("n2"), QStringLiteral("n3"), QStringLiteral("n4"), QStringLiteral("n5")};
        QCOMPARE(summary.value(QLatin1String("unscored_examples")).toArray(), QJsonArray::fromStringList(first));
        const QJsonArray warnings = summary.value(QLatin1String("warnings")).toArray();
        QCOMPARE(warnings.size(), 2); // the shared warning once, then one unscored warning for the whole run
        QCOMPARE(warnings[0].toString(), shared);
        QCOMPARE(warnings[1].toString(), unscoredWarning(7, 12, first));
        QVERIFY2(warnings[1].toString().endsWith(QStringLiteral(": n1, n2, n3, n4, n5 and 2 more")), qPrintable(warnings[1].toString()));
        QCOMPARE(QFile(QDir(out).filePath(QStringLiteral("contigs.tsv"))).size(), qint64(QByteArray("header\na\nb\nc\n").size()));

        // The cluster run's record: the shards' runs warned of their own parts ("3 of 4", "4 of 5"); the
        // run says the whole run's count once, as its summary.json and a single-machine run do.
        const QString cap = QStringLiteral("4 threads asked for, this machine has 2 hardware threads: using 2");
        const QList<QStringList> byShard{{shared, unscoredWarning(3, 4, {QStringLiteral("n1"), QStringLiteral("n2"), QStringLiteral("n3")}), cap},
                                         {shared, cap},
                                         {shared, unscoredWarning(4, 5, {QStringLiteral("n4"), QStringLiteral("n5"), QStringLiteral("n6"), QStringLiteral("n7")}), cap}};
        QCOMPARE(mergePredictWarnings(byShard, out), (QStringList{shared, cap, unscoredWarning(7, 12, first)}));
        // No merged summary to recount from: the shards' own counts, not none.
        QCOMPARE(mergePredictWarnings(byShard, dir.filePath(QStringLiteral("no-such-folder"))),
                 (QStringList{shared, cap, byShard[0][1], byShard[2][1]}));
    }

    // A later shard's input warnings come before an earlier shard's tokenizer warnings (the stages'
    // order of a single-machine run), and the tokenizer's are listed once up to the cap, the shards'
    // own "… and N more" added up.
    void warningsFollowTheStagesOrder()
    {
        const QString model = QStringLiteral("the classifier c.safetensors is a TEST model");
        const QString input1 = QStringLiteral("input.fa:5: an empty record was skipped"), input2 = QStringLiteral("input.fa:90: an empty record was skipped");
        const QString oom = QStringLiteral("esm stage: out of memory; the batch was split in two and later batches keep under 4096 padded tokens");
        QStringList pieces;
        for (int i = 0; i < kTokenizerWarningsShown + 3; ++i)
            pieces << unknownPieceWarning(QStringLiteral("J%1").arg(i));
        QVERIFY(isUnknownPieceWarning(pieces[0]));
        const QStringList shard1 = QStringList{model, input1, oom} + tokenizerWarningLines(pieces.mid(0, kTokenizerWarningsShown + 2));
        const QStringList shard2 = QStringList{model, input1, input2} + tokenizerWarningLines({pieces[1], pieces.last()});
        QCOMPARE(shard1.last(), QStringLiteral("… and 2 more warnings of the tokenizer"));
        QCOMPARE(hiddenTokenizerWarnings(shard1.last()), 2);
        QCOMPARE(hiddenTokenizerWarnings(model), -1);
        QTemporaryDir dir;
        const QStringList merged = mergePredictWarnings({shard1, shard2}, dir.filePath(QStringLiteral("no-summary")));
        // Listed: shard 1's first 20 (its own list), then shard 2's new one pushed past the cap; hidden:
        // shard 1's 2 (one of them is shard 2's last) and the one past the cap.
        const QStringList tokenizer = pieces.mid(0, kTokenizerWarningsShown);
        QCOMPARE(merged, (QStringList{model, input1, input2, oom} + tokenizer + QStringList{QStringLiteral("… and at most 3 more warnings of the tokenizer")}));
        // One shard: its lines as they were.
        QCOMPARE(mergePredictWarnings({shard1}, dir.filePath(QStringLiteral("no-summary"))), shard1);
    }

    void noUnscoredContigNoWarning()
    {
        QCOMPARE(unscoredWarning(0, 5, {}), QString());
        QVERIFY(unscoredWarning(1, 1, {QStringLiteral("tiny")}).endsWith(QStringLiteral(": tiny")));
    }
};

QTEST_GUILESS_MAIN(TstShardMerge)
#include "tst_shard_merge.moc"
