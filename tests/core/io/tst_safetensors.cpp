// Safetensors reader and writer: round trip, the reference fixtures, and
// hostile files (truncated, huge header length, bad offsets) as clear errors.

#include "io/safetensors_reader.h"
#include "io/safetensors_writer.h"
#include "support/test_support.h"

#include <QTemporaryDir>
#include <QtTest>

#include <cstring>

using namespace bioforge::core;
using namespace bioforge::test;

class TstSafetensors : public QObject {
    Q_OBJECT

    QByteArray withHeader(const QByteArray& json, const QByteArray& data)
    {
        QByteArray out;
        const quint64 n = quint64(json.size());
        out.append(reinterpret_cast<const char*>(&n), 8);
        return out + json + data;
    }

private slots:
    void roundTripKeepsValuesShapesAndMetadata()
    {
        QTemporaryDir dir;
        SafetensorsWriter w;
        w.setMetadata(QStringLiteral("format"), QStringLiteral("pt"));
        QVERIFY(w.addF32(QStringLiteral("a"), {2, 3}, {1, 2, 3, 4, 5, 6}));
        QVERIFY(w.addI64(QStringLiteral("ids"), {3}, {7, -8, 9}));
        const QString path = dir.filePath(QStringLiteral("t.safetensors"));
        QVERIFY(w.writeAtomic(path));
        const QByteArray raw = readAll(path);
        quint64 headerLen = 0;
        std::memcpy(&headerLen, raw.constData(), 8);
        QCOMPARE(headerLen % 8, quint64(0));

        auto r = SafetensorsReader::open(path);
        QVERIFY2(r, r ? "" : qPrintable(r.error().message()));
        QCOMPARE((*r)->tensors().size(), 2);
        QCOMPARE((*r)->metadata().value(QStringLiteral("format")), QStringLiteral("pt"));
        const TensorInfo* a = (*r)->find(QStringLiteral("a"));
        QVERIFY(a);
        QCOMPARE(a->shapeText(), QStringLiteral("[2, 3]"));
        auto values = (*r)->toFloat(QStringLiteral("a"));
        QVERIFY(values);
        QCOMPARE(values->at(5), 6.0f);
        auto ids = (*r)->toInt64(QStringLiteral("ids"));
        QVERIFY(ids);
        QCOMPARE(ids->at(1), qint64(-8));
    }

    void writerRefusesInconsistentTensors()
    {
        SafetensorsWriter w;
        QVERIFY(!w.add(QStringLiteral("x"), DType::F32, {4}, QByteArray(15, 0)));
        QVERIFY(w.add(QStringLiteral("x"), DType::F32, {4}, QByteArray(16, 0)));
        QVERIFY(!w.add(QStringLiteral("x"), DType::F32, {4}, QByteArray(16, 0)));
        QVERIFY(!w.add(QStringLiteral("__metadata__"), DType::F32, {0}, {}));
    }

    void readsTheEsmReferenceFixture()
    {
        if (!fixturesAvailable())
            QSKIP("../shared/fixtures is not present");
        auto r = SafetensorsReader::open(fixturePath(QStringLiteral("viral/esm2_tiny/reference.safetensors")));
        QVERIFY2(r, r ? "" : qPrintable(r.error().message()));
        const TensorInfo* tokens = (*r)->find(QStringLiteral("tokens"));
        QVERIFY(tokens);
        QCOMPARE(tokens->dtype, DType::I64);
        QCOMPARE(tokens->shapeText(), QStringLiteral("[8, 122]"));
        const TensorInfo* logits = (*r)->find(QStringLiteral("logits"));
        QVERIFY(logits);
        QCOMPARE(logits->shapeText(), QStringLiteral("[8, 122, 33]"));
        auto ids = (*r)->toInt64(QStringLiteral("tokens"));
        QVERIFY(ids);
        QCOMPARE(ids->at(0), qint64(0)); // <cls> starts every row
    }

    void truncatedFileIsAnError()
    {
        QTemporaryDir dir;
        SafetensorsWriter w;
        QVERIFY(w.addF32(QStringLiteral("a"), {64}, std::vector<float>(64, 1.f)));
        const QByteArray good = w.serialize();
        for (qsizetype cut : {qsizetype(0), qsizetype(4), qsizetype(12), good.size() - 1}) {
            const QString path = dir.filePath(QStringLiteral("cut%1").arg(cut));
            QVERIFY(writeAll(path, good.left(cut)));
            auto r = SafetensorsReader::open(path);
            QVERIFY2(!r, qPrintable(QStringLiteral("cut at %1 was accepted").arg(cut)));
            QVERIFY(r.error().message().contains(path));
        }
    }

    void hostileHeadersAreErrors_data()
    {
        QTest::addColumn<QByteArray>("json");
        QTest::addColumn<int>("dataBytes");
        QTest::addColumn<QString>("expected");
        QTest::newRow("not json") << QByteArray("{nope") << 0 << "JSON";
        QTest::newRow("offset past end") << QByteArray(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8000]}})") << 8 << "past the data";
        QTest::newRow("size mismatch") << QByteArray(R"({"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}})") << 8 << "needs 12";
        QTest::newRow("huge shape") << QByteArray(R"({"a":{"dtype":"F32","shape":[1000000000000,1000000000000],"data_offsets":[0,8]}})") << 8 << "larger than";
        QTest::newRow("negative dim") << QByteArray(R"({"a":{"dtype":"F32","shape":[-2],"data_offsets":[0,8]}})") << 8 << "negative";
        QTest::newRow("unknown dtype") << QByteArray(R"({"a":{"dtype":"Q4","shape":[2],"data_offsets":[0,8]}})") << 8 << "unknown dtype";
        QTest::newRow("overlap") << QByteArray(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}})") << 12 << "hole or overlap";
        QTest::newRow("hole") << QByteArray(R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}})") << 8 << "hole or overlap";
        QTest::newRow("uncovered tail") << QByteArray(R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}})") << 8 << "cover";
    }

    void hostileHeadersAreErrors()
    {
        QFETCH(QByteArray, json);
        QFETCH(int, dataBytes);
        QFETCH(QString, expected);
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("bad.safetensors"));
        QVERIFY(writeAll(path, withHeader(json, QByteArray(dataBytes, 0))));
        auto r = SafetensorsReader::open(path);
        QVERIFY(!r);
        QVERIFY2(r.error().message().contains(expected), qPrintable(r.error().message()));
    }

    void headerLengthBeyondFileIsAnError()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("big"));
        QByteArray raw(16, '{');
        const quint64 n = 1ull << 62;
        std::memcpy(raw.data(), &n, 8);
        QVERIFY(writeAll(path, raw));
        auto r = SafetensorsReader::open(path);
        QVERIFY(!r);
        QVERIFY(r.error().message().contains(QStringLiteral("header length")));
    }

    void halfPrecisionConvertsToFloat()
    {
        QTemporaryDir dir;
        SafetensorsWriter w;
        // 1.5 in F16 is 0x3E00; in BF16 it is 0x3FC0.
        QByteArray f16(2, 0), bf16(2, 0);
        const quint16 h = 0x3E00, b = 0x3FC0;
        std::memcpy(f16.data(), &h, 2);
        std::memcpy(bf16.data(), &b, 2);
        QVERIFY(w.add(QStringLiteral("h"), DType::F16, {1}, f16));
        QVERIFY(w.add(QStringLiteral("b"), DType::BF16, {1}, bf16));
        const QString path = dir.filePath(QStringLiteral("half"));
        QVERIFY(w.writeAtomic(path));
        auto r = SafetensorsReader::open(path);
        QVERIFY(r);
        QCOMPARE((*r)->toFloat(QStringLiteral("h"))->at(0), 1.5f);
        QCOMPARE((*r)->toFloat(QStringLiteral("b"))->at(0), 1.5f);
    }
};

QTEST_GUILESS_MAIN(TstSafetensors)
#include "tst_safetensors.moc"
