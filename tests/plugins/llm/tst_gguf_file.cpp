// GGUF reading and writing: the fixture models and vocabularies, a round
// trip of every value type, and a corpus of broken files made from a good
// one (truncated at every section, counts and offsets set huge, wrong
// types, big-endian) — each an error naming the field, none a crash.

#include "gguf/gguf_file.h"
#include "gguf/gguf_writer.h"
#include "support/test_support.h"

#include <QTemporaryDir>
#include <QtTest>

#include <cstring>

using namespace bioforge;
using namespace bioforge::llm;
using namespace bioforge::test;

class TstGgufFile : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;

    static GgufWriter sampleWriter()
    {
        GgufWriter w;
        w.setString("general.architecture", "llama");
        w.setUInt32("llama.block_count", 2);
        w.setFloat32("llama.rope.freq_base", 10000.f);
        w.setBool("tokenizer.ggml.add_bos_token", true);
        w.setStringArray("tokenizer.ggml.tokens", {"<unk>", "<s>", "</s>", "a"});
        w.setFloat32Array("tokenizer.ggml.scores", {0.f, 0.f, 0.f, -1.5f});
        w.setInt32Array("tokenizer.ggml.token_type", {2, 3, 3, 1});
        GgufValue u64;
        u64.type = GgufType::UInt64;
        u64.integer = int64_t(0xFFFFFFFFFFFFFFFFull);
        w.set("test.u64", u64);
        GgufValue nested;
        nested.type = GgufType::Array;
        nested.array = std::make_shared<GgufArray>();
        nested.array->elementType = GgufType::Array;
        GgufValue inner;
        inner.type = GgufType::Array;
        inner.array = std::make_shared<GgufArray>();
        inner.array->elementType = GgufType::Int16;
        inner.array->integers = {-3, 7};
        nested.array->arrays = {inner, inner};
        w.set("test.nested", nested);
        std::vector<float> weights(64 * 2);
        for (size_t i = 0; i < weights.size(); ++i)
            weights[i] = float(i) * 0.25f;
        QByteArray bytes(qsizetype(weights.size() * 4), Qt::Uninitialized);
        std::memcpy(bytes.data(), weights.data(), size_t(bytes.size()));
        (void)w.addTensor("token_embd.weight", GgmlType::F32, {64, 2}, bytes);
        (void)w.addTensor("blk.0.attn_q.weight", GgmlType::Q8_0, {32, 1}, QByteArray(34, '\x01'));
        return w;
    }

    core::Expected<std::unique_ptr<GgufFile>> openBytes(const QString& name, const QByteArray& bytes)
    {
        const QString path = m_dir.filePath(name);
        writeAll(path, bytes);
        return GgufFile::open(path);
    }

private slots:
    void readsTheFixtureModels_data()
    {
        QTest::addColumn<QString>("file");
        QTest::addColumn<int>("embedding");
        QTest::newRow("f32") << "tiny-llama-e64-f32.gguf" << 64;
        QTest::newRow("q8_0") << "tiny-llama-e256-q8_0.gguf" << 256;
        QTest::newRow("q4_k_m") << "tiny-llama-e256-q4_k_m.gguf" << 256;
    }

    void readsTheFixtureModels()
    {
        QFETCH(QString, file);
        QFETCH(int, embedding);
        if (!fixturesAvailable())
            QSKIP("../shared/fixtures is not present");
        auto gguf = GgufFile::open(fixturePath(QStringLiteral("llm/models/") + file));
        QVERIFY2(gguf, gguf ? "" : qPrintable(gguf.error().message()));
        QCOMPARE(*(*gguf)->getString("general.architecture"), std::string("llama"));
        QCOMPARE(*(*gguf)->getInteger("llama.embedding_length"), int64_t(embedding));
        QCOMPARE(*(*gguf)->getInteger("llama.block_count"), int64_t(2));
        const GgufTensorInfo* embd = (*gguf)->tensor("token_embd.weight");
        QVERIFY(embd);
        QCOMPARE(embd->shape[0], int64_t(embedding));
        QCOMPARE(embd->shape[1], int64_t(32000));
        auto tokens = (*gguf)->getArray("tokenizer.ggml.tokens", GgufType::String);
        QVERIFY(tokens);
        QCOMPARE((*tokens)->size(), size_t(32000));
    }

    void roundTripsEveryValueType()
    {
        auto gguf = openBytes(QStringLiteral("rt.gguf"), sampleWriter().serialize());
        QVERIFY2(gguf, gguf ? "" : qPrintable(gguf.error().message()));
        const GgufFile& f = **gguf;
        QCOMPARE(f.version(), 3u);
        QCOMPARE(*f.getString("general.architecture"), std::string("llama"));
        QCOMPARE(*f.getInteger("llama.block_count"), int64_t(2));
        QCOMPARE(*f.getReal("llama.rope.freq_base"), 10000.0);
        QCOMPARE(*f.getBool("tokenizer.ggml.add_bos_token"), true);
        QCOMPARE(uint64_t(*f.getInteger("test.u64")), 0xFFFFFFFFFFFFFFFFull);
        const GgufArray* nested = f.find("test.nested")->array.get();
        QCOMPARE(nested->arrays.size(), size_t(2));
        QCOMPARE(nested->arrays[1].array->integers[0], int64_t(-3));
        QCOMPARE((*f.getArray("tokenizer.ggml.scores", GgufType::Float32))->floats[3], -1.5);
        QVERIFY(!f.getString("llama.block_count"));  // wrong type is an error naming the key
        QVERIFY(f.getString("llama.block_count").error().message().contains(QStringLiteral("llama.block_count")));
        QVERIFY(!f.getInteger("missing.key"));
        const GgufTensorInfo* t = f.tensor("token_embd.weight");
        QVERIFY(t);
        float second;
        std::memcpy(&second, f.tensorData(*t) + 4, 4);
        QCOMPARE(second, 0.25f);
        QCOMPARE(f.tensor("blk.0.attn_q.weight")->bytes, size_t(34));
        QCOMPARE(f.tensorData(*f.tensor("blk.0.attn_q.weight"))[2], uint8_t(1));
    }

    void truncatedAnywhereIsAnError()
    {
        const QByteArray good = sampleWriter().serialize();
        // Bytes after the last tensor's data are alignment padding: a file may end before them.
        auto whole = openBytes(QStringLiteral("whole.gguf"), good);
        QVERIFY(whole);
        qsizetype end = 0;
        for (const GgufTensorInfo& t : (*whole)->tensors())
            end = std::max<qsizetype>(end, qsizetype((*whole)->dataOffset() + t.offset + t.bytes));
        QVERIFY(openBytes(QStringLiteral("unpadded.gguf"), good.left(end)));
        for (qsizetype cut = 0; cut < end; ++cut) {
            auto gguf = openBytes(QStringLiteral("cut.gguf"), good.left(cut));
            QVERIFY2(!gguf, qPrintable(QStringLiteral("truncated at %1 of %2 bytes was accepted").arg(cut).arg(good.size())));
            // Said to be cut short (an incomplete download), not only by the field it ends in.
            if (cut >= 24)
                QVERIFY2(gguf.error().message().contains(QStringLiteral("ends early")) || gguf.error().message().contains(QStringLiteral("truncated")),
                         qPrintable(QStringLiteral("cut at %1: ").arg(cut) + gguf.error().message()));
        }
    }

    void hostileFieldsAreErrorsNamingTheField_data()
    {
        QTest::addColumn<int>("offset");
        QTest::addColumn<QByteArray>("patch");
        QTest::addColumn<QString>("expected");
        const QByteArray huge(8, '\xff');
        QTest::newRow("bad magic") << 0 << QByteArray("GGUG") << "not a GGUF file";
        QTest::newRow("version 7") << 4 << QByteArray("\x07\x00\x00\x00", 4) << "version";
        QTest::newRow("big-endian") << 4 << QByteArray("\x00\x00\x00\x03", 4) << "big-endian";
        QTest::newRow("huge tensor count") << 8 << huge << "tensor_count";
        QTest::newRow("huge kv count") << 16 << huge << "metadata_kv_count";
        QTest::newRow("huge key length") << 24 << huge << "key";
    }

    void hostileFieldsAreErrorsNamingTheField()
    {
        QFETCH(int, offset);
        QFETCH(QByteArray, patch);
        QFETCH(QString, expected);
        QByteArray bytes = sampleWriter().serialize();
        bytes.replace(offset, patch.size(), patch);
        auto gguf = openBytes(QStringLiteral("hostile.gguf"), bytes);
        QVERIFY(!gguf);
        QVERIFY2(gguf.error().message().contains(expected), qPrintable(gguf.error().message()));
    }

    // Files of other kinds given as the model are named for what they are: a safetensors file (the
    // viral plugin's format; it read "magic bytes 58120000"), a PDF; not told to unzip an Excel workbook.
    void otherFileKindsAreNamed()
    {
        const QByteArray json = R"({"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}})";
        QByteArray safetensors(8, '\0');
        const quint64 n = quint64(json.size());
        std::memcpy(safetensors.data(), &n, sizeof n);
        safetensors += json + QByteArray(4, '\0');
        auto st = openBytes(QStringLiteral("model.safetensors"), safetensors);
        QVERIFY(!st);
        QVERIFY2(st.error().message().contains(QStringLiteral("it is a safetensors file")), qPrintable(st.error().message()));
        auto pdf = openBytes(QStringLiteral("paper.gguf"), QByteArray("%PDF-1.4\n%\xe2\xe3\n1 0 obj\n") + QByteArray(64, ' '));
        QVERIFY(!pdf);
        QVERIFY2(pdf.error().message().contains(QStringLiteral("it is a PDF document")), qPrintable(pdf.error().message()));
        // Text: FASTA (a viral input given to `llm info`), or how another text starts.
        auto fasta = openBytes(QStringLiteral("contigs.fa"), ">contig_1\n" + QByteArray(200, 'A') + "\n");
        QVERIFY(!fasta);
        QVERIFY2(fasta.error().message().contains(QStringLiteral("not a GGUF file: it is FASTA (sequences)")), qPrintable(fasta.error().message()));
        auto notes = openBytes(QStringLiteral("notes.txt"), "remember the model\n" + QByteArray(200, 'x') + "\n");
        QVERIFY(!notes);
        QVERIFY2(notes.error().message().contains(QStringLiteral("it is text starting 'remember the model'")), qPrintable(notes.error().message()));
    }

    void hostileValuesDeepInTheFileAreErrors()
    {
        const QByteArray good = sampleWriter().serialize();
        // Find fields by their known neighbours and corrupt them.
        auto corrupt = [&](const QByteArray& after, int skip, const QByteArray& patch) {
            QByteArray bytes = good;
            const qsizetype at = bytes.indexOf(after);
            bytes.replace(at + after.size() + skip, patch.size(), patch);
            return bytes;
        };
        const QByteArray huge(8, '\xff');
        struct Case {
            QByteArray bytes;
            QString expected;
        };
        const QList<Case> cases{
            {corrupt("general.architecture", 0, QByteArray("\x63\x00\x00\x00", 4)), QStringLiteral("not a GGUF type")},
            {corrupt("tokenizer.ggml.tokens", 8, huge), QStringLiteral("does not fit")},            // array count
            {corrupt("tokenizer.ggml.tokens", 4, QByteArray("\x20\x00\x00\x00", 4)), QStringLiteral("not a GGUF type")}, // element type
            {corrupt("token_embd.weight", 0, QByteArray("\x07\x00\x00\x00", 4)), QStringLiteral("dimensions")},   // n_dims
            {corrupt("token_embd.weight", 4, huge), QStringLiteral("dimension 0")},                   // ne[0]
            {corrupt("token_embd.weight", 20, QByteArray("\x63\x00\x00\x00", 4)), QStringLiteral("not a ggml tensor type")},
            {corrupt("token_embd.weight", 24, QByteArray("\x00\x00\x00\x00\x00\x00\x01\x00", 8)), QStringLiteral("past the end")}, // offset
            {corrupt("token_embd.weight", 24, QByteArray("\x03\x00\x00\x00\x00\x00\x00\x00", 8)), QStringLiteral("aligned")},
            {corrupt("tokenizer.ggml.add_bos_token", 4, QByteArray("\x05", 1)), QStringLiteral("bool")},
        };
        for (const Case& c : cases) {
            auto gguf = openBytes(QStringLiteral("deep.gguf"), c.bytes);
            QVERIFY(!gguf);
            QVERIFY2(gguf.error().message().contains(c.expected), qPrintable(gguf.error().message() + QStringLiteral(" / expected: ") + c.expected));
        }
    }

    void badAlignmentIsAnError()
    {
        GgufWriter w = sampleWriter();
        w.setUInt32("general.alignment", 24);
        auto gguf = openBytes(QStringLiteral("align.gguf"), w.serialize());
        QVERIFY(!gguf);
        QVERIFY(gguf.error().message().contains(QStringLiteral("general.alignment")));
    }
};

QTEST_GUILESS_MAIN(TstGgufFile)
#include "tst_gguf_file.moc"
