// HENAW's parts without its reference's defects: the configuration decides
// markers, systems and features (nothing hard-coded) and its numbers are
// checked; the age sampler covers every row once per epoch and is
// re-iterable; the split is seeded and stratified; the standardisation is
// fitted on training rows only and saved as JSON.

#include "henaw/age_stratified_sampler.h"
#include "henaw/feature_encoder.h"
#include "henaw/henaw_config.h"
#include "henaw/henaw_model.h"
#include "pipeline/henaw_shards.h"
#include "provenance/provenance_recorder.h"
#include "schema/biomarker_schema.h"
#include "support/test_support.h"
#include "synthetic_cohort.h"
#include "table/cohort_reader.h"
#include "table/column_mapping.h"

#include <QDir>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QtTest>

#include <cmath>
#include <numeric>
#include <set>

using namespace bioforge;
using namespace bioforge::age;
using namespace bioforge::test;
using bioforge::age::test::syntheticCohort;

class TstHenawParts : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;
    QString m_table;

private slots:
    void initTestCase()
    {
        m_table = m_dir.filePath(QStringLiteral("cohort.csv"));
        QVERIFY(writeAll(m_table, syntheticCohort(700, 3)));
    }

    void theConfigurationDecidesTheArchitecture()
    {
        // NHANES III has no AST/ALT: the model is built for the markers there are.
        const HenawConfig c = HenawConfig::defaults({QStringLiteral("albumin"), QStringLiteral("crp"), QStringLiteral("rdw"), QStringLiteral("sbp")});
        QVERIFY(c.validate());
        QStringList systems;
        for (const HenawSystem& s : c.systems)
            systems << s.name;
        QCOMPARE(systems, (QStringList{QStringLiteral("inflammation"), QStringLiteral("organ_function"), QStringLiteral("hematology")}));
        QVERIFY(c.ratios.isEmpty()); // no AST/ALT, no albumin/creatinine pair
        auto back = HenawConfig::fromJson(c.toJson(), QStringLiteral("c"));
        QVERIFY(back);
        QVERIFY(back->differences(c).isEmpty());
        HenawConfig other = c;
        other.embedding = 32;
        QCOMPARE(other.differences(c).size(), 1);
        QJsonObject bad = c.toJson();
        bad.insert(QStringLiteral("attention_heads"), 5); // 16 is not a multiple of 5
        QVERIFY(!HenawConfig::fromJson(bad, QStringLiteral("c")));
        bad = c.toJson();
        // One pair inside a list, built by append: QJsonArray{QJsonArray{…}} is a copy under clang
        // (CWG 1467: one element of the class's own type) and a nested list under GCC.
        QJsonArray pairs;
        pairs.append(QJsonArray{QStringLiteral("ast"), QStringLiteral("alt")});
        bad.insert(QStringLiteral("ratios"), pairs);
        auto unknown = HenawConfig::fromJson(bad, QStringLiteral("c"));
        QVERIFY(!unknown);
        QVERIFY2(unknown.error().message().contains(QStringLiteral("does not read")), qPrintable(unknown.error().message()));
    }

    // Numbers from a configuration file are checked before they are narrowed or size anything:
    // out of range, fractional, non-numeric or huge values are errors naming the file and key.
    void outOfRangeNumbersInAConfigurationAreErrors()
    {
        const HenawConfig c = HenawConfig::defaults({QStringLiteral("albumin"), QStringLiteral("crp"), QStringLiteral("rdw"), QStringLiteral("sbp")});
        const QList<std::pair<const char*, QJsonValue>> cases{
            {"warmup_epochs", -3e9}, {"warmup_epochs", -1}, {"patience", 1e300}, {"epochs", 2.5}, {"epochs", QStringLiteral("40")},
            {"embedding", 1 << 20}, {"batch_size", 3e9}, {"seed", -1}, {"seed", 1e300}, {"ensemble", 0},
            {"dropout", QStringLiteral("0.1")}, {"learning_rate", QJsonValue(QJsonValue::Null)},
            {"hidden", QJsonArray{64, 32, 1e9}}, {"hidden", QJsonArray{64, 32, -16}}};
        for (const auto& [key, value] : cases) {
            QJsonObject j = c.toJson();
            j.insert(QLatin1String(key), value);
            auto bad = HenawConfig::fromJson(j, QStringLiteral("cfg.json"));
            QVERIFY2(!bad, key);
            QVERIFY2(bad.error().message().startsWith(QStringLiteral("cfg.json: ")), qPrintable(bad.error().message()));
        }
        QJsonObject j = c.toJson();
        j.insert(QStringLiteral("warmup_epochs"), -3e9);
        QVERIFY2(HenawConfig::fromJson(j, QStringLiteral("cfg.json")).error().message().contains(QStringLiteral("\"warmup_epochs\"")),
                 qPrintable(HenawConfig::fromJson(j, QStringLiteral("cfg.json")).error().message()));
        j = c.toJson();
        j.insert(QStringLiteral("seed"), 9007199254740992.0); // 2^53: still exact
        auto seeded = HenawConfig::fromJson(j, QStringLiteral("cfg.json"));
        QVERIFY(seeded);
        QCOMPARE(seeded->seed, quint64(1) << 53);
    }

    void theSamplerCoversEveryRowOncePerEpochAndCanBeReplayed()
    {
        std::vector<double> ages;
        std::mt19937 rng(1);
        for (int i = 0; i < 1001; ++i)
            ages.push_back(i < 5 ? 15.0 + i : 20 + double(rng() % 600) / 10.0); // a few outside any fixed bin: never dropped
        const AgeStratifiedSampler sampler(ages, 64, 5, 11);
        for (int epoch = 0; epoch < 3; ++epoch) {
            const auto batches = sampler.epoch(epoch);
            std::multiset<qsizetype> seen;
            for (const auto& b : batches) {
                QVERIFY(b.size() >= 2);
                seen.insert(b.begin(), b.end());
            }
            QCOMPARE(qsizetype(seen.size()), qsizetype(ages.size()));
            QCOMPARE(qsizetype(std::set<qsizetype>(seen.begin(), seen.end()).size()), qsizetype(ages.size()));
            QCOMPARE(sampler.epoch(epoch), batches); // re-iterable
            // The first batch already spans the ages.
            double lo = 1e9, hi = -1e9;
            for (qsizetype i : batches.front()) {
                lo = std::min(lo, ages[size_t(i)]);
                hi = std::max(hi, ages[size_t(i)]);
            }
            QVERIFY(hi - lo > 40);
        }
        QVERIFY(sampler.order(0) != sampler.order(1));
        // A last batch of one joins the batch before.
        const auto odd = AgeStratifiedSampler::batches({1, 2, 3, 4, 5}, 0, 2);
        QCOMPARE(odd.size(), size_t(2));
        QCOMPARE(odd.back().size(), size_t(3));
    }

    void theSplitIsSeededStratifiedAndDisjoint()
    {
        auto mapping = ColumnMapping::load(QStringLiteral("nhanes-bioage"));
        auto cohort = readCohort(m_table, *mapping, BiomarkerSchema::builtIn(), nullptr);
        QVERIFY(cohort);
        std::vector<qsizetype> rows(size_t(cohort->rows()));
        std::iota(rows.begin(), rows.end(), 0);
        const CohortSplit a = stratifiedSplit(*cohort, rows, 0.7, 0.15, 5, 3), b = stratifiedSplit(*cohort, rows, 0.7, 0.15, 5, 3);
        QCOMPARE(a.train, b.train);
        std::set<qsizetype> all(a.train.begin(), a.train.end());
        all.insert(a.validation.begin(), a.validation.end());
        all.insert(a.test.begin(), a.test.end());
        QCOMPARE(all.size(), rows.size());
        QCOMPARE(a.train.size() + a.validation.size() + a.test.size(), rows.size());
        QVERIFY(std::abs(double(a.train.size()) / double(rows.size()) - 0.7) < 0.02);
        QVERIFY(stratifiedSplit(*cohort, rows, 0.7, 0.15, 5, 4).train != a.train);
    }

    void theStandardisationComesFromTrainingRowsOnly()
    {
        auto mapping = ColumnMapping::load(QStringLiteral("nhanes-bioage"));
        auto cohort = readCohort(m_table, *mapping, BiomarkerSchema::builtIn(), nullptr);
        QVERIFY(cohort);
        const HenawConfig config = HenawConfig::defaults(cohort->markerNames);
        std::vector<qsizetype> train{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21};
        auto a = FeatureEncoder::fit(*cohort, train, config);
        QVERIFY2(a, a ? "" : qPrintable(a.error().message()));
        Cohort changed = *cohort;
        for (auto& column : changed.markers)
            for (size_t r = 100; r < column.size(); ++r)
                column[r] *= 3; // rows outside the training set
        auto b = FeatureEncoder::fit(changed, train, config);
        QVERIFY(b);
        QCOMPARE(a->toJson(), b->toJson());
        QVERIFY(a->constantMarkers().isEmpty());
        // A marker with one value over the training rows is named (it was used with an invented SD).
        Cohort flat = *cohort;
        const int albumin = cohort->markerIndex(QStringLiteral("albumin"));
        QVERIFY(albumin >= 0);
        for (qsizetype r : train)
            flat.markers[size_t(albumin)][size_t(r)] = 42.0;
        auto withFlat = FeatureEncoder::fit(flat, train, config);
        QVERIFY(withFlat);
        QCOMPARE(withFlat->constantMarkers(), QStringList{QStringLiteral("albumin")});
        auto back = FeatureEncoder::fromJson(a->toJson(), config, QStringLiteral("encoder.json"));
        QVERIFY(back);
        QCOMPARE(back->toJson(), a->toJson());
        HenawConfig fewer = config;
        fewer.markers.removeLast();
        QVERIFY(!FeatureEncoder::fromJson(a->toJson(), fewer, QStringLiteral("encoder.json")));
        auto encoded = a->encode(*cohort, {1, 17, 34}); // rows 17 and 34 miss CRP
        QVERIFY(encoded);
        QCOMPARE(encoded->imputedValues, qint64(2));
        Cohort without = *cohort;
        without.markerNames.removeAll(QStringLiteral("crp"));
        without.markers.erase(without.markers.begin() + cohort->markerIndex(QStringLiteral("crp")));
        auto refused = a->encode(without, {0});
        QVERIFY(!refused && refused.error().message().contains(QStringLiteral("crp")));
    }

    // A cluster shard's plan records the model's model.json with its checksum: a model trained again
    // into the same folder while the tasks wait is refused by each task (and by a resume, which reads
    // the plan's inputs again), naming the file; a plan made before the model was recorded (the table
    // alone) is still read, without comparing the model.
    void aShardRefusesAModelChangedSinceThePlan()
    {
        QTemporaryDir dir;
        QVERIFY(QDir(dir.path()).mkpath(QStringLiteral("model")));
        const QString modelJson = dir.filePath(QStringLiteral("model/model.json"));
        QVERIFY(writeAll(modelJson, R"({"format": "first"})"));
        HenawRunSettings s;
        s.table = m_table;
        s.model = dir.filePath(QStringLiteral("model"));
        auto plan = planHenawShards(s, 1);
        QVERIFY2(plan, plan ? "" : qPrintable(plan.error().message()));
        const QJsonArray inputs = plan->madeFrom.value(QLatin1String("inputs")).toArray();
        QCOMPARE(inputs.size(), 2);
        QCOMPARE(inputs.at(1).toObject().value(QLatin1String("path")).toString(), QFileInfo(modelJson).absoluteFilePath());
        s.shardPlan = dir.filePath(QStringLiteral("plan.json"));
        s.shardIndex = 0;
        s.shardCount = int(plan->shards.size());
        QVERIFY(writeAll(s.shardPlan, QJsonDocument(plan->toJson()).toJson()));
        QVERIFY(henawShardRows(s, qsizetype(plan->rows)));

        // A shard run without a plan file plans with the digests its run knows (not a second read).
        {
            core::ProvenanceRecorder run(dir.filePath(QStringLiteral("planning")));
            const QFileInfo model(modelJson);
            run.knownDigest(model.absoluteFilePath(), QString(64, QLatin1Char('f')), model.size(), model.lastModified());
            auto planned = planHenawShards(s, 1, &run);
            QVERIFY2(planned, planned ? "" : qPrintable(planned.error().message()));
            const QJsonArray listed = planned->madeFrom.value(QLatin1String("inputs")).toArray();
            QCOMPARE(listed.at(1).toObject().value(QLatin1String("sha256")).toString(), QString(64, QLatin1Char('f')));
            QCOMPARE(listed.at(0).toObject().value(QLatin1String("sha256")), inputs.at(0).toObject().value(QLatin1String("sha256"))); // not known: read
        }

        // A task compares the digests its run computed (pins, addInputFile), not a second read: one
        // the run knows for the file as it is now is the one compared.
        core::ProvenanceRecorder run(dir.path());
        const QFileInfo model(modelJson);
        const QString known(64, QLatin1Char('e'));
        run.knownDigest(model.absoluteFilePath(), known, model.size(), model.lastModified());
        auto fromKnown = henawShardRows(s, qsizetype(plan->rows), &run);
        QVERIFY(!fromKnown);
        QVERIFY2(fromKnown.error().message().contains(QStringLiteral("it is eeeeeeeeeeee…")), qPrintable(fromKnown.error().message()));

        QVERIFY(writeAll(modelJson, R"({"format": "other"})")); // the same size: only the checksum tells
        auto refused = henawShardRows(s, qsizetype(plan->rows));
        QVERIFY(!refused);
        QVERIFY2(refused.error().message().startsWith(QStringLiteral("the input %1 changed after the run was planned").arg(QFileInfo(modelJson).absoluteFilePath())),
                 qPrintable(refused.error().message()));

        HenawShardPlan older = *plan; // as a plan made before the model was recorded
        older.madeFrom.insert(QStringLiteral("inputs"), QJsonArray{inputs.first()});
        QVERIFY(writeAll(s.shardPlan, QJsonDocument(older.toJson()).toJson()));
        auto read = henawShardRows(s, qsizetype(plan->rows));
        QVERIFY2(read, read ? "" : qPrintable(read.error().message()));
        QCOMPARE(read->second, qsizetype(plan->shards.front().second));
        QJsonObject oldest = plan->madeFrom; // older still: the table and its size under keys of their own
        oldest.remove(QStringLiteral("inputs"));
        oldest.insert(QStringLiteral("table"), inputs.first().toObject().value(QLatin1String("path")));
        oldest.insert(QStringLiteral("size"), inputs.first().toObject().value(QLatin1String("size")));
        older.madeFrom = oldest;
        QVERIFY(writeAll(s.shardPlan, QJsonDocument(older.toJson()).toJson()));
        read = henawShardRows(s, qsizetype(plan->rows));
        QVERIFY2(read, read ? "" : qPrintable(read.error().message()));
        oldest.insert(QStringLiteral("size"), oldest.value(QLatin1String("size")).toDouble() + 1); // and another table's size is still refused
        older.madeFrom = oldest;
        QVERIFY(writeAll(s.shardPlan, QJsonDocument(older.toJson()).toJson()));
        QVERIFY(!henawShardRows(s, qsizetype(plan->rows)));
    }

    // A cluster predict's planning refuses a column the model reads that is in a unit it is not in
    // (glucose in mg/dL under the mapping's mmol/L), before a task is queued, as a local predict does
    // (review 67 R67-11); a model that does not read the column plans as before.
    void planningRefusesAColumnInAWrongUnitTheModelReads()
    {
        QTemporaryDir dir;
        QList<QByteArray> lines = syntheticCohort(300, 5).split('\n');
        const int glucose = int(lines.first().split(',').indexOf("glucose_mmol_per_L"));
        QVERIFY(glucose > 0);
        for (qsizetype i = 1; i < lines.size(); ++i) {
            if (lines[i].isEmpty())
                continue;
            QList<QByteArray> fields = lines[i].split(',');
            fields[glucose] = QByteArray::number(fields[glucose].toDouble() * 18.016, 'f', 1);
            lines[i] = fields.join(',');
        }
        HenawRunSettings s;
        s.table = dir.filePath(QStringLiteral("glucose-mg.csv"));
        QVERIFY(writeAll(s.table, lines.join('\n')));
        const QStringList without{QStringLiteral("albumin"), QStringLiteral("crp"), QStringLiteral("rdw")};
        for (const bool readsGlucose : {true, false}) {
            s.model = dir.filePath(readsGlucose ? QStringLiteral("with") : QStringLiteral("without"));
            QVERIFY(QDir().mkpath(s.model));
            const HenawConfig config = HenawConfig::defaults(readsGlucose ? without + QStringList{QStringLiteral("glucose")} : without);
            QVERIFY(writeAll(QDir(s.model).filePath(QStringLiteral("config.json")), QJsonDocument(config.toJson()).toJson()));
            QVERIFY(writeAll(QDir(s.model).filePath(QStringLiteral("model.json")), "{}"));
            auto plan = planHenawShards(s, 2);
            if (!readsGlucose) {
                QVERIFY2(plan, plan ? "" : qPrintable(plan.error().message()));
                continue;
            }
            QVERIFY(!plan);
            QCOMPARE(plan.error().kind(), core::Error::Kind::Invalid);
            QVERIFY2(plan.error().message().contains(QStringLiteral("'glucose_mmol_per_L'"))
                         && plan.error().message().contains(QStringLiteral("no value is computed from a column read in a unit it is not in")),
                     qPrintable(plan.error().message()));
        }
    }

    // A cluster run's warnings: each shard warned of its own rows ("2 of 4"); the run records the whole
    // table's count (the merged summary's) once, as a single-machine run does, and other warnings once.
    void aClusterRunWarnsOfTheWholeTable()
    {
        QTemporaryDir merged;
        QVERIFY(writeAll(merged.filePath(QStringLiteral("summary.json")),
                         QJsonDocument(QJsonObject{{QStringLiteral("rows"), 9}, {QStringLiteral("rows_without_prediction"), 3}}).toJson()));
        const QString other = QStringLiteral("cohort table: 1 value of glucose out of range");
        const QList<QStringList> byShard{{unpredictableRowsWarning(2, 4, 9), other}, {other}, {unpredictableRowsWarning(1, 1, 9), other}};
        QCOMPARE(mergeHenawWarnings(byShard, merged.path()), (QStringList{other, unpredictableRowsWarning(3, 9, 9)}));
        QVERIFY(unpredictableRowsWarning(3, 9, 9).startsWith(QStringLiteral("3 of 9 rows have no chronological age")));
        QCOMPARE(mergeHenawWarnings({{other}, {other}}, merged.path()), QStringList{other}); // no shard had such rows: none
        // No merged summary to recount from: the shards' own counts, not none.
        QCOMPARE(mergeHenawWarnings(byShard, merged.filePath(QStringLiteral("no-such-folder"))),
                 (QStringList{unpredictableRowsWarning(2, 4, 9), other, unpredictableRowsWarning(1, 1, 9)}));
        QCOMPARE(unpredictableRowsWarning(0, 9, 9), QString());
    }

    // A cluster run's summary counts what the encoder filled over every shard (a sum, per marker; the
    // merge leaves the count out where a shard has none).
    void aClusterRunSumsTheFilledValuesOfItsShards()
    {
        HenawPrediction a, b;
        a.imputedByMarker = {{QStringLiteral("crp"), 3}, {QStringLiteral("sbp"), 1}};
        a.imputedRows = 3;
        b.imputedByMarker = {{QStringLiteral("sbp"), 2}};
        b.imputedRows = 2;
        const QJsonObject sum = sumHenawImputed({henawImputedJson(a), henawImputedJson(b)});
        QCOMPARE(sum.value(QLatin1String("rows")).toInteger(), 5);
        QCOMPARE(sum.value(QLatin1String("values")).toInteger(), 6);
        QCOMPARE(sum.value(QLatin1String("by_marker")).toObject(), (QJsonObject{{QStringLiteral("crp"), 3}, {QStringLiteral("sbp"), 3}}));
        QCOMPARE(henawImputedJson(HenawPrediction{}).value(QLatin1String("values")).toInteger(), 0);
    }
};

QTEST_GUILESS_MAIN(TstHenawParts)
#include "tst_henaw_parts.moc"
