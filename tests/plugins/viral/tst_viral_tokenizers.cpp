// The two tokenizers of the viral pipeline against the official ones: ESM's
// alphabet (fair-esm's rules, from vocab.txt) and DNABERT-S's BPE (Hugging
// Face tokenizers, from the real tokenizer.json): every recorded id equal.

#include "support/test_support.h"
#include "tokenizer/esm_alphabet.h"
#include "tokenizer/hf_bpe_tokenizer.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QtTest>

using namespace bioforge;
using namespace bioforge::viral;
using namespace bioforge::test;

namespace {

std::vector<int64_t> idsOf(const QJsonArray& a)
{
    std::vector<int64_t> ids;
    for (const QJsonValue& v : a)
        ids.push_back(int64_t(v.toDouble()));
    return ids;
}

QString text(const std::vector<int64_t>& ids)
{
    QStringList parts;
    for (int64_t id : ids)
        parts << QString::number(id);
    return parts.join(QLatin1Char(' '));
}

} // namespace

class TstViralTokenizers : public QObject {
    Q_OBJECT

private slots:
    void init()
    {
        if (!fixturesAvailable())
            QSKIP("../shared/fixtures is not present");
    }

    void esmAlphabetMatchesFairEsmOnTheFixtureInputs()
    {
        auto alphabet = EsmAlphabet::fromVocabFile(fixturePath(QStringLiteral("viral/esm2_tiny/vocab.txt")));
        QVERIFY2(alphabet, alphabet ? "" : qPrintable(alphabet.error().message()));
        QCOMPARE(alphabet->size(), int64_t(33));
        QCOMPARE(alphabet->cls(), int64_t(0));
        QCOMPARE(alphabet->pad(), int64_t(1));
        QCOMPARE(alphabet->mask(), int64_t(32));
        const QJsonObject ref = QJsonDocument::fromJson(readAll(fixturePath(QStringLiteral("viral/esm2_tiny/reference.json")))).object();
        const QJsonArray sequences = ref.value(QLatin1String("sequences")).toArray();
        QVERIFY2(!sequences.isEmpty(), "the ESM-2 reference holds no sequence"); // every one of them is checked, however many
        for (const QJsonValue& v : sequences) {
            const QJsonObject s = v.toObject();
            const EsmEncoding e = alphabet->encode(s.value(QLatin1String("sequence")).toString().toStdString());
            std::vector<int64_t> expected{0};
            const auto body = idsOf(s.value(QLatin1String("ids_without_specials")).toArray());
            expected.insert(expected.end(), body.begin(), body.end());
            expected.push_back(2);
            QCOMPARE(text(e.ids), text(expected));
            QCOMPARE(int(e.ids.size()), s.value(QLatin1String("n_tokens_with_specials")).toInt());
        }
    }

    void esmAlphabetFollowsTheDocumentedRules()
    {
        auto a = EsmAlphabet::fromVocabFile(fixturePath(QStringLiteral("viral/esm2_tiny/vocab.txt")));
        QVERIFY(a);
        QCOMPARE(text(a->encode("MK*L").ids), QStringLiteral("0 20 15 3 4 2"));
        QCOMPARE(text(a->encode("MK**L").ids), QStringLiteral("0 20 15 3 4 2")); // one <unk> for the run
        QCOMPARE(a->encode("MK**L").unknownPieces, std::vector<std::string>{"**"});
        QCOMPARE(text(a->encode("mkl").ids), QStringLiteral("0 3 2"));
        QCOMPARE(text(a->encode("MK L").ids), QStringLiteral("0 20 15 4 2"));
        QCOMPARE(text(a->encode("MK<mask>L").ids), QStringLiteral("0 20 15 32 4 2"));
        QCOMPARE(text(a->encode("XBUZO").ids), QStringLiteral("0 24 25 26 27 28 2"));
        QCOMPARE(text(a->encode("").ids), QStringLiteral("0 2"));
        QVERIFY(a->encode("MKL").unknownPieces.empty());
    }

    void aBrokenVocabularyIsAClearError()
    {
        auto dup = EsmAlphabet::fromTokens({"<cls>", "<pad>", "<eos>", "<unk>", "A", "A", "<mask>"}, QStringLiteral("v.txt"));
        QVERIFY(!dup);
        QVERIFY(dup.error().message().contains(QStringLiteral("v.txt:6")));
        auto noMask = EsmAlphabet::fromTokens({"<cls>", "<pad>", "<eos>", "<unk>", "A"}, QStringLiteral("v.txt"));
        QVERIFY(!noMask);
        QVERIFY(noMask.error().message().contains(QStringLiteral("<mask>")));
    }

    void dnabertTokenizerMatchesHuggingFaceOnFiftyCases()
    {
        auto tok = HfBpeTokenizer::fromFile(fixturePath(QStringLiteral("viral/dnabert_s_tiny/tokenizer.json")));
        QVERIFY2(tok, tok ? "" : qPrintable(tok.error().message()));
        QCOMPARE(tok->vocabSize(), int64_t(4096));
        QCOMPARE(tok->padId(), int64_t(3));
        const QJsonObject cases = QJsonDocument::fromJson(readAll(fixturePath(QStringLiteral("viral/dnabert_s_tiny/tokenizer_cases.json")))).object();
        const QJsonArray list = cases.value(QLatin1String("cases")).toArray();
        QVERIFY2(!list.isEmpty(), "the tokenizer reference holds no case"); // every one of them is checked, however many
        for (const QJsonValue& v : list) {
            const QJsonObject c = v.toObject();
            const QString input = c.value(QLatin1String("text")).toString();
            QCOMPARE(text(tok->encode(input.toStdString())) + QLatin1String("  <- ") + input,
                     text(idsOf(c.value(QLatin1String("ids")).toArray())) + QLatin1String("  <- ") + input);
        }
    }

    void dnabertTokenizerMatchesTheModelReferenceInputs()
    {
        auto tok = HfBpeTokenizer::fromFile(fixturePath(QStringLiteral("viral/dnabert_s_tiny/tokenizer.json")));
        QVERIFY(tok);
        const QJsonObject ref = QJsonDocument::fromJson(readAll(fixturePath(QStringLiteral("viral/dnabert_s_tiny/reference.json")))).object();
        for (const QJsonValue& v : ref.value(QLatin1String("sequences")).toArray()) {
            const QJsonObject s = v.toObject();
            QCOMPARE(text(tok->encode(s.value(QLatin1String("sequence")).toString().toStdString())),
                     text(idsOf(s.value(QLatin1String("ids")).toArray())));
        }
        QCOMPARE(text(tok->encode("ACGT[MASK]ACGT")), QStringLiteral("1 5 6 1049 4 5 6 1049 2")); // an added token in the text
    }

    void unsupportedTokenizerPartsAreNamed()
    {
        auto wordPiece = HfBpeTokenizer::fromJson(R"({"model": {"type": "WordPiece", "vocab": {"a": 0}}})", QStringLiteral("t.json"));
        QVERIFY(!wordPiece);
        QVERIFY(wordPiece.error().message().contains(QStringLiteral("WordPiece")));
        auto lower = HfBpeTokenizer::fromJson(R"({"model": {"type": "BPE", "vocab": {"a": 0}, "merges": []}, "normalizer": {"type": "Lowercase"}})",
                                              QStringLiteral("t.json"));
        QVERIFY(!lower);
        QVERIFY(lower.error().message().contains(QStringLiteral("Lowercase")));
        auto badMerge = HfBpeTokenizer::fromJson(R"({"model": {"type": "BPE", "vocab": {"a": 0}, "merges": ["a b"]}})", QStringLiteral("t.json"));
        QVERIFY(!badMerge);
        QVERIFY(badMerge.error().message().contains(QStringLiteral("merge 0")));
        QVERIFY(!HfBpeTokenizer::fromJson("not json", QStringLiteral("t.json")));
    }

    // Token ids are whole numbers from 0 to 2^31 - 1 wherever tokenizer.json gives one: a fraction
    // became id 0, and 2^32 + 1 collided with id 1 in the merge table.
    void tokenIdsOutOfRangeAreNamed()
    {
        const QByteArray base = R"({"model": {"type": "BPE", "vocab": {"a": 0, "b": 1, "ab": 2}, "merges": ["a b"]})";
        QVERIFY(HfBpeTokenizer::fromJson(base + "}", QStringLiteral("t.json")));
        const std::pair<QByteArray, const char*> cases[] = {
            {R"({"model": {"type": "BPE", "vocab": {"a": -1}, "merges": []}})", "model.vocab['a']"},
            {R"({"model": {"type": "BPE", "vocab": {"a": 1.5}, "merges": []}})", "model.vocab['a']"},
            {R"({"model": {"type": "BPE", "vocab": {"a": 4294967297}, "merges": []}})", "model.vocab['a']"},
            {R"({"model": {"type": "BPE", "vocab": {"a": "0"}, "merges": []}})", "model.vocab['a']"},
            {base + R"(, "added_tokens": [{"content": "[CLS]", "id": -5}]})", "added token '[CLS]'"},
            {base + R"(, "post_processor": {"type": "BertProcessing", "cls": ["[CLS]", 1e300], "sep": ["[SEP]", 3]}})", "post_processor cls"},
            {base + R"(, "post_processor": {"type": "TemplateProcessing", "single": [{"SpecialToken": {"id": "[CLS]"}}],
                "special_tokens": {"[CLS]": {"ids": [-2]}}}})", "post_processor special token '[CLS]'"}};
        for (const auto& [json, names] : cases) {
            auto t = HfBpeTokenizer::fromJson(json, QStringLiteral("t.json"));
            QVERIFY2(!t, json.constData());
            QVERIFY2(t.error().message().startsWith(QStringLiteral("t.json: ")) && t.error().message().contains(QLatin1String(names)),
                     qPrintable(t.error().message()));
        }
    }
};

QTEST_GUILESS_MAIN(TstViralTokenizers)
#include "tst_viral_tokenizers.moc"
