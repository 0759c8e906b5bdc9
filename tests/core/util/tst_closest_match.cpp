// "Did you mean …?": the nearest name by edit distance, a name typed without its suffix, nothing
// for a name far from every candidate.

#include "util/closest_match.h"

#include <QtTest>

using namespace bioforge::core;

class TstClosestMatch : public QObject {
    Q_OBJECT

private slots:
    void nearestNameOrNothing()
    {
        const QStringList registered{QStringLiteral("llm-test-tiny-q8_0"), QStringLiteral("viral-test-esm2"), QStringLiteral("esm2_t36_3B_UR50D")};
        QCOMPARE(closestMatch(QStringLiteral("llm-test-tiny"), registered), QStringLiteral("llm-test-tiny-q8_0")); // its suffix left out
        QCOMPARE(closestMatch(QStringLiteral("viral-tset-esm2"), registered), QStringLiteral("viral-test-esm2"));  // two letters swapped
        QCOMPARE(closestMatch(QStringLiteral("ESM2_T36_3B_UR50D"), registered), QStringLiteral("esm2_t36_3B_UR50D")); // case
        QCOMPARE(closestMatch(QStringLiteral("phage"), registered), QString());                                   // nothing near
        QCOMPARE(closestMatch(QString(), registered), QString());
        QCOMPARE(closestMatch(QStringLiteral("ab"), {QStringLiteral("xy")}), QString()); // two edits of two letters: not near
        QCOMPARE(didYouMean(QStringLiteral("llm-test-tiny"), registered), QStringLiteral(" (did you mean 'llm-test-tiny-q8_0'?)"));
        QCOMPARE(didYouMean(QStringLiteral("phage"), registered), QString());
        // The nearest of several near ones.
        QCOMPARE(closestMatch(QStringLiteral("model-b"), {QStringLiteral("model-bb"), QStringLiteral("model-c"), QStringLiteral("model-b2x")}),
                 QStringLiteral("model-bb"));
    }
};

QTEST_GUILESS_MAIN(TstClosestMatch)
#include "tst_closest_match.moc"
