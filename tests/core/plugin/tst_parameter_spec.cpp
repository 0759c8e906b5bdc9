// Verb parameters: validation with defaults, and command-line parsing.

#include "plugin/parameter_spec.h"

#include <QJsonArray>
#include <QtTest>

using namespace bioforge::core;
using T = ParameterSpec::Type;

class TstParameterSpec : public QObject {
    Q_OBJECT

    static VerbSpec spec()
    {
        VerbSpec v;
        v.name = QStringLiteral("predict");
        v.parameters = {
            {QStringLiteral("inputs"), T::PathList, QStringLiteral("FASTA files"), QJsonValue::Undefined, {}, -1e300, 1e300},
            {QStringLiteral("chunk"), T::Choice, QStringLiteral("chunk length"), QStringLiteral("300"), {QStringLiteral("300"), QStringLiteral("500")}, -1e300, 1e300},
            {QStringLiteral("batch"), T::Integer, QStringLiteral("batch size"), 8, {}, 1, 4096},
            {QStringLiteral("threshold"), T::Number, QStringLiteral("call threshold"), 0.5, {}, 0, 1},
            {QStringLiteral("gzip"), T::Boolean, QStringLiteral("compress"), false, {}, -1e300, 1e300},
        };
        return v;
    }

private slots:
    void defaultsAreFilledAndTypesChecked()
    {
        auto ok = spec().validate({{QStringLiteral("inputs"), QJsonArray{QStringLiteral("a.fa")}}});
        QVERIFY(ok);
        QCOMPARE(ok->value(QStringLiteral("batch")).toInt(), 8);
        QCOMPARE(ok->value(QStringLiteral("chunk")).toString(), QStringLiteral("300"));
        QVERIFY(!spec().validate({}));                                                                          // required
        QVERIFY(!spec().validate({{QStringLiteral("inputs"), QJsonArray{}}, {QStringLiteral("batch"), 0}}));   // range
        QVERIFY(!spec().validate({{QStringLiteral("inputs"), QJsonArray{}}, {QStringLiteral("batch"), 2.5}})); // integer
        QVERIFY(!spec().validate({{QStringLiteral("inputs"), QJsonArray{}}, {QStringLiteral("chunk"), QStringLiteral("400")}}));
        auto unknown = spec().validate({{QStringLiteral("inputs"), QJsonArray{}}, {QStringLiteral("bogus"), 1}});
        QVERIFY(!unknown);
        QVERIFY(unknown.error().message().contains(QStringLiteral("bogus")));
    }

    void commandLineIsParsed()
    {
        auto p = spec().parseArguments({QStringLiteral("a.fa"), QStringLiteral("--chunk"), QStringLiteral("500"),
                                        QStringLiteral("--batch=16"), QStringLiteral("--gzip"), QStringLiteral("b.fa.gz"),
                                        QStringLiteral("--inputs"), QStringLiteral("c.fa")});
        QVERIFY2(p, p ? "" : qPrintable(p.error().message()));
        QCOMPARE(p->value(QStringLiteral("inputs")).toArray().size(), 3);
        QCOMPARE(p->value(QStringLiteral("batch")).toInt(), 16);
        QCOMPARE(p->value(QStringLiteral("gzip")).toBool(), true);
        auto neg = spec().parseArguments({QStringLiteral("a"), QStringLiteral("--no-gzip")});
        QCOMPARE(neg->value(QStringLiteral("gzip")).toBool(), false);
        QVERIFY(!spec().parseArguments({QStringLiteral("a"), QStringLiteral("--batch"), QStringLiteral("many")}));
        QVERIFY(!spec().parseArguments({QStringLiteral("a"), QStringLiteral("--batch")}));
        QVERIFY(!spec().parseArguments({QStringLiteral("a"), QStringLiteral("--unknown"), QStringLiteral("1")}));
        QVERIFY(spec().helpText().contains(QStringLiteral("--chunk")));
    }
};

QTEST_GUILESS_MAIN(TstParameterSpec)
#include "tst_parameter_spec.moc"
