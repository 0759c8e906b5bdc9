// VirNucPro's chunking and six-frame translation, on hand-checked cases and
// against a line-by-line port of the reference's chunking loop.

#include "sequence/chunker.h"
#include "sequence/six_frames.h"

#include <QtTest>

#include <random>

using namespace bioforge::viral;

namespace {

// The reference loop, transcribed: back-steps list, then zip with range(0, n, L).
std::vector<std::pair<int64_t, int64_t>> referenceChunks(int64_t n, int64_t L)
{
    std::vector<std::pair<int64_t, int64_t>> out;
    const int64_t numChunks = (n + L - 1) / L;
    if (numChunks == 0)
        return out;
    const int64_t repeat = numChunks * L - n;
    const auto lower = int64_t(double(repeat) / double(numChunks));
    const int64_t needUp = repeat - lower * (numChunks - 1);
    std::vector<int64_t> steps;
    for (int64_t i = 0; i < needUp; ++i)
        steps.push_back(lower + 1);
    for (int64_t i = 0; i < numChunks - 1 - needUp; ++i)
        steps.push_back(lower);
    steps.push_back(0);
    int64_t move = 0;
    size_t s = 0;
    for (int64_t a = 0; a < n && s < steps.size(); a += L, ++s) {
        const int64_t begin = a > 1 ? a - move : a;
        out.emplace_back(begin, std::min(n, begin + L) - begin);
        move += steps[s];
    }
    return out;
}

QString spans(const std::vector<ChunkSpan>& chunks)
{
    QStringList parts;
    for (const ChunkSpan& c : chunks)
        parts << QStringLiteral("%1:%2+%3").arg(c.index).arg(c.start).arg(c.length);
    return parts.join(QLatin1Char(' '));
}

} // namespace

class TstSequenceFrames : public QObject {
    Q_OBJECT

private slots:
    void chunksFollowTheReferenceRule()
    {
        QCOMPARE(spans(chunkLayout(1000, 300)), QStringLiteral("1:0+300 2:249+300 3:498+300 4:747+253"));
        QCOMPARE(spans(chunkLayout(301, 300)), QStringLiteral("1:0+300 2:150+151"));
        QCOMPARE(spans(chunkLayout(299, 300)), QStringLiteral("1:0+299"));
        QCOMPARE(spans(chunkLayout(300, 300)), QStringLiteral("1:0+300"));
        QCOMPARE(spans(chunkLayout(600, 300)), QStringLiteral("1:0+300 2:300+300"));
        QCOMPARE(spans(chunkLayout(1, 500)), QStringLiteral("1:0+1"));
        QVERIFY(chunkLayout(0, 300).empty());
        QCOMPARE(chunkId("contig7", 3), std::string("contig7_chunk_3"));
    }

    void chunksEqualTheTranscribedReferenceLoop()
    {
        std::mt19937 rng(5);
        for (int trial = 0; trial < 3000; ++trial) {
            const int64_t L = trial % 3 == 0 ? 300 : trial % 3 == 1 ? 500 : 1 + int64_t(rng() % 700);
            const int64_t n = 1 + int64_t(rng() % 5000);
            const auto expected = referenceChunks(n, L);
            const auto got = chunkLayout(n, L);
            QCOMPARE(got.size(), expected.size());
            for (size_t i = 0; i < got.size(); ++i) {
                QCOMPARE(got[i].start, expected[i].first);
                QCOMPARE(got[i].length, expected[i].second);
            }
            QCOMPARE(got.back().start + got.back().length, n); // the last chunk reaches the end
        }
    }

    void sixFramesOfAHandCheckedSequence()
    {
        const auto frames = translateSixFrames("ATGGCC");
        QCOMPARE(frames.size(), size_t(6));
        const char* expected[6][3] = {{"F1", "ATGGCC", "MA"}, {"F2", "TGGC", "W"}, {"F3", "GGCC", "G"},
                                      {"R1", "GGCCAT", "GH"}, {"R2", "GCCA", "A"}, {"R3", "CCAT", "P"}};
        for (size_t i = 0; i < 6; ++i) {
            QCOMPARE(frames[i].name, std::string(expected[i][0]));
            QCOMPARE(frames[i].nucleotide, std::string(expected[i][1])); // 3·P + 1 bases, cut at the end
            QCOMPARE(frames[i].protein, std::string(expected[i][2]));
        }
        const auto exact = translateSixFrames("ATGGCC", NucleotideSpan::CodonsOnly);
        QCOMPARE(exact[1].nucleotide, std::string("TGG"));
    }

    void framesWithAStopOrNothingAreDropped()
    {
        const auto frames = translateSixFrames("ATGTAA");
        for (const auto& f : frames)
            QVERIFY(f.protein.find('*') == std::string::npos);
        QVERIFY(std::none_of(frames.begin(), frames.end(), [](const TranslatedFrame& f) { return f.name == "F1"; }));
        QVERIFY(translateSixFrames("AC").empty());   // shorter than a codon
        QVERIFY(translateSixFrames("NNNNNN").empty()); // nothing translates
    }

    void codonsWithOtherLettersAreDroppedNotReplaced()
    {
        const auto frames = translateSixFrames("ATGNNNGCC");
        QCOMPARE(frames[0].name, std::string("F1"));
        QCOMPARE(frames[0].protein, std::string("MA"));
        QCOMPARE(frames[0].nucleotide, std::string("ATGNNNG")); // 3·2 + 1 bases from offset 0
        QCOMPARE(reverseComplement("ACGTN"), std::string("NACGT"));
        QVERIFY(translateSixFrames("atggcc").empty()); // lower case is not ACGT: the pipeline upper-cases first
    }

    void aPalindromeReadsTheSameOnBothStrands()
    {
        const auto frames = translateSixFrames("GAATTCGAATTC");
        QCOMPARE(reverseComplement("GAATTCGAATTC"), std::string("GAATTCGAATTC"));
        QCOMPARE(frames.size(), size_t(6));
        for (size_t i = 0; i < 3; ++i) {
            QCOMPARE(frames[i].protein, frames[i + 3].protein);
            QCOMPARE(frames[i].nucleotide, frames[i + 3].nucleotide);
        }
        QCOMPARE(frames[0].protein, std::string("EFEF"));
    }

    void everyCodonTranslatesAsTheReferenceTable()
    {
        // The reference's codon dictionary, in its own order.
        const QStringList table = QStringLiteral("TCA S TCC S TCG S TCT S TTC F TTT F TTA L TTG L TAC Y TAT Y TAA * TAG * TGC C TGT C TGA * TGG W CTA L CTC L CTG L CTT L CCA P CCC P CCG P CCT P CAC H CAT H CAA Q CAG Q CGA R CGC R CGG R CGT R ATA I ATC I ATT I ATG M ACA T ACC T ACG T ACT T AAC N AAT N AAA K AAG K AGC S AGT S AGA R AGG R GTA V GTC V GTG V GTT V GCA A GCC A GCG A GCT A GAC D GAT D GAA E GAG E GGA G GGC G GGG G GGT G").split(QLatin1Char(' '));
        QCOMPARE(table.size(), 128);
        for (qsizetype i = 0; i < table.size(); i += 2)
            QCOMPARE(QString::fromStdString(translateFrame(table[i].toStdString(), 0)), table[i + 1]);
    }
};

QTEST_GUILESS_MAIN(TstSequenceFrames)
#include "tst_sequence_frames.moc"
