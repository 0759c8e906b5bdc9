// Tokenizers against llama.cpp's reference tokenizations of 46 tricky
// strings per vocabulary (SentencePiece LLaMA and GPT-2 BPE), plus
// hand-checked cases, round trips and special-token handling.

#include "gguf/gguf_file.h"
#include "support/test_support.h"
#include "tokenizer/pre_tokenizer.h"
#include "tokenizer/tokenizer.h"
#include "tokenizer/unicode_text.h"

#include <QtTest>

using namespace bioforge;
using namespace bioforge::llm;
using namespace bioforge::test;

namespace {

struct Case {
    std::string text;
    std::vector<TokenId> ids;
};

// The .inp/.out pair format of llama.cpp's tokenizer tests (see the fixture README).
QList<Case> readCases(const QString& base)
{
    const QByteArray inp = readAll(base + QStringLiteral(".inp"));
    const QByteArray out = readAll(base + QStringLiteral(".out"));
    const QByteArray separator = "\n__ggml_vocab_test__\n";
    QList<QByteArray> texts;
    qsizetype pos = 0;
    for (;;) {
        const qsizetype next = inp.indexOf(separator, pos);
        if (next < 0)
            break;
        texts << inp.mid(pos, next - pos);
        pos = next + separator.size();
    }
    const QList<QByteArray> lines = out.split('\n');
    QList<Case> cases;
    for (int i = 0; i < texts.size() && i < lines.size(); ++i) {
        Case c;
        c.text = texts[i].toStdString();
        for (const QByteArray& id : lines[i].split(' '))
            if (!id.trimmed().isEmpty())
                c.ids.push_back(id.trimmed().toInt());
        cases << c;
    }
    return cases;
}

std::unique_ptr<Tokenizer> load(const QString& file)
{
    auto gguf = GgufFile::open(fixturePath(QStringLiteral("llm/tokenizers/") + file));
    if (!gguf)
        return nullptr;
    auto vocab = Vocab::fromGguf(**gguf);
    if (!vocab)
        return nullptr;
    return std::make_unique<Tokenizer>(*vocab);
}

QString show(const std::vector<TokenId>& ids)
{
    QStringList s;
    for (TokenId id : ids)
        s << QString::number(id);
    return s.join(QLatin1Char(' '));
}

} // namespace

class TstTokenizer : public QObject {
    Q_OBJECT
private slots:
    void matchesLlamaCppReferences_data()
    {
        QTest::addColumn<QString>("vocab");
        QTest::newRow("llama-spm") << "ggml-vocab-llama-spm.gguf";
        QTest::newRow("gpt-2") << "ggml-vocab-gpt-2.gguf";
    }

    void matchesLlamaCppReferences()
    {
        QFETCH(QString, vocab);
        if (!fixturesAvailable())
            QSKIP("../shared/fixtures is not present");
        auto tokenizer = load(vocab);
        QVERIFY(tokenizer);
        const QList<Case> cases = readCases(fixturePath(QStringLiteral("llm/tokenizers/") + vocab));
        QVERIFY2(!cases.isEmpty(), "the tokenizer reference holds no case"); // every one of them is checked
        QStringList failures;
        for (const Case& c : cases) {
            const std::vector<TokenId> got = tokenizer->tokenize(c.text, false, false);
            if (got != c.ids)
                failures << QStringLiteral("'%1': expected [%2] got [%3]").arg(QString::fromStdString(c.text), show(c.ids), show(got));
        }
        QVERIFY2(failures.isEmpty(), qPrintable(failures.join(QLatin1Char('\n'))));
    }

    void roundTripsText()
    {
        if (!fixturesAvailable())
            QSKIP("../shared/fixtures is not present");
        for (const QString& vocab : {QStringLiteral("ggml-vocab-llama-spm.gguf"), QStringLiteral("ggml-vocab-gpt-2.gguf")}) {
            auto tokenizer = load(vocab);
            QVERIFY(tokenizer);
            for (const std::string& text : {std::string("Hello world"), std::string("  two  spaces\n\nand\ttabs"),
                                           std::string("Ünïcödé 日本語 🦙 emoji"), std::string("3.14159 + 2^10 = 1024"),
                                           std::string("code: if (x) { return y; }")}) {
                const auto ids = tokenizer->tokenize(text, false, false);
                QCOMPARE(tokenizer->detokenize(ids, false), text);
            }
        }
    }

    void spmHandChecked()
    {
        if (!fixturesAvailable())
            QSKIP("../shared/fixtures is not present");
        auto t = load(QStringLiteral("ggml-vocab-llama-spm.gguf"));
        QVERIFY(t);
        // "Hello world" with BOS: 1 15043 3186 (as in the model references).
        QCOMPARE(t->tokenize("Hello world", true, false), (std::vector<TokenId>{1, 15043, 3186}));
        // A character outside the vocabulary falls back to its UTF-8 bytes (<0xXX> tokens = byte + 3).
        const auto ids = t->tokenize("\xF0\x9F\xA6\x99", false, false); // 🦙
        QVERIFY(ids.size() >= 4);
        QCOMPARE(ids.back(), TokenId(0x99 + 3));
        // Control tokens are text unless parseSpecial.
        QCOMPARE(t->tokenize("</s>", false, true), (std::vector<TokenId>{2}));
        QVERIFY(t->tokenize("</s>", false, false).size() > 1);
        QCOMPARE(t->piece(2, false), std::string());
        QCOMPARE(t->piece(2, true), std::string("</s>"));
        QCOMPARE(t->vocab().bos, 1);
        QCOMPARE(t->vocab().eos, 2);
        QVERIFY(t->vocab().isEndOfGeneration(2));
    }

    void gpt2HandChecked()
    {
        if (!fixturesAvailable())
            QSKIP("../shared/fixtures is not present");
        auto t = load(QStringLiteral("ggml-vocab-gpt-2.gguf"));
        QVERIFY(t);
        // GPT-2: "Hello" = 15496, " world" = 995.
        QCOMPARE(t->tokenize("Hello world", false, false), (std::vector<TokenId>{15496, 995}));
        QCOMPARE(t->tokenize("<|endoftext|>", false, true), (std::vector<TokenId>{50256}));
        QVERIFY(t->vocab().isEndOfGeneration(50256));
    }

    void preTokenizersSplitLikeTheirExpressions()
    {
        auto words = [](const std::string& text, PreTokenizer pre) {
            std::vector<std::string> out;
            for (const std::string& w : preTokenize(text, pre)) {
                std::string decoded;
                for (uint32_t c : utf8ToCodepoints(w))
                    decoded.push_back(char(unicodeToByte(codepointToUtf8(c))));
                out.push_back(decoded);
            }
            return out;
        };
        using V = std::vector<std::string>;
        QCOMPARE(words("I'm here  now", PreTokenizer::Gpt2), (V{"I", "'m", " here", " ", " now"}));
        QCOMPARE(words("12345 abc", PreTokenizer::Llama3), (V{"123", "45", " abc"}));
        QCOMPARE(words("12345 abc", PreTokenizer::Qwen2), (V{"1", "2", "3", "4", "5", " abc"}));
        QCOMPARE(words("I'M OK\n\n  x", PreTokenizer::Llama3), (V{"I", "'M", " OK", "\n\n", " ", " x"}));
        QCOMPARE(words("x = 42;", PreTokenizer::StarCoder), (V{"x", " =", " ", "4", "2", ";"}));
        QCOMPARE(words("hello!!\n", PreTokenizer::Llama3), (V{"hello", "!!\n"}));
    }

    void unicodeClassesAreRight()
    {
        QVERIFY(codepointInfo('a').isLetter());
        QVERIFY(codepointInfo(0x65E5).isLetter());  // 日
        QVERIFY(codepointInfo('7').isNumber());
        QVERIFY(codepointInfo(0x0663).isNumber());  // Arabic-Indic three
        QVERIFY(codepointInfo(0x3000).whitespace);
        QVERIFY(codepointInfo(0x0085).whitespace);
        QCOMPARE(codepointInfo(0x1F999).cls, UnicodeClass::Symbol);   // 🦙
        QCOMPARE(codepointInfo(0x0378).cls, UnicodeClass::Undefined); // unassigned
        QCOMPARE(utf8ToCodepoints("a\xFF" "b"), (std::vector<uint32_t>{'a', 0xFFFD, 'b'}));
        QCOMPARE(byteToUnicode(' '), std::string("\xC4\xA0")); // Ġ
        QCOMPARE(unicodeToByte("\xC4\xA0"), int(' '));
    }
};

QTEST_GUILESS_MAIN(TstTokenizer)
#include "tst_tokenizer.moc"
