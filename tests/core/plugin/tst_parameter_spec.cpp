// Verb parameters: validation with defaults, and command-line parsing.

#include "plugin/parameter_spec.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QTemporaryDir>
#include <QtTest>

#include <cmath>

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
        // NaN passes every range comparison; neither it nor an infinity is a setting.
        for (const char* text : {"nan", "NaN", "inf", "-inf"}) {
            auto bad = spec().parseArguments({QStringLiteral("a"), QStringLiteral("--threshold"), QLatin1String(text)});
            QVERIFY2(!bad, text);
            QVERIFY2(bad.error().message().contains(QStringLiteral("threshold")), qPrintable(bad.error().message()));
        }
        QVERIFY(!spec().validate({{QStringLiteral("inputs"), QJsonArray{}}, {QStringLiteral("threshold"), std::nan("")}}));
    }

    // --top-k and --top_k are one option; a range error writes whole numbers in full.
    void namesTakeHyphensOrUnderscoresAndBoundsReadAsTyped()
    {
        VerbSpec v = spec();
        v.parameters.append({QStringLiteral("top_k"), T::Integer, QStringLiteral("top-k"), 40, {}, 0, 16777216});
        v.parameters.append({QStringLiteral("repeat-last-n"), T::Integer, QStringLiteral("window"), 64, {}, -1, 1e9});
        for (const QStringList& args : {QStringList{QStringLiteral("--top-k"), QStringLiteral("5"), QStringLiteral("--repeat_last_n"), QStringLiteral("7")},
                                        QStringList{QStringLiteral("--top_k=5"), QStringLiteral("--repeat-last-n=7")}}) {
            auto p = v.parseArguments(QStringList{QStringLiteral("a.fa")} + args);
            QVERIFY2(p, p ? "" : qPrintable(p.error().message()));
            QCOMPARE(p->value(QStringLiteral("top_k")).toInt(), 5);
            QCOMPARE(p->value(QStringLiteral("repeat-last-n")).toInt(), 7);
        }
        auto over = v.parseArguments({QStringLiteral("a.fa"), QStringLiteral("--top-k"), QStringLiteral("99999999")});
        QVERIFY(!over);
        QVERIFY2(over.error().message().contains(QStringLiteral("99999999 is outside [0, 16777216]")), qPrintable(over.error().message()));
        auto fraction = v.parseArguments({QStringLiteral("a.fa"), QStringLiteral("--threshold"), QStringLiteral("1.5")});
        QVERIFY2(fraction.error().message().contains(QStringLiteral("1.5 is outside [0, 1]")), qPrintable(fraction.error().message()));
    }

    // A run's title names its inputs: two by name, the rest counted.
    void inputsAreSummarisedForATitle()
    {
        VerbSpec v = spec();
        v.parameters[0].inputFiles = true;
        QCOMPARE(v.inputSummary(*v.parseArguments({QStringLiteral("/data/a.fa")})), QStringLiteral("a.fa"));
        QCOMPARE(v.inputSummary(*v.parseArguments({QStringLiteral("/data/a.fa"), QStringLiteral("b.fa.gz")})), QStringLiteral("a.fa, b.fa.gz"));
        QCOMPARE(v.inputSummary(*v.parseArguments({QStringLiteral("a.fa"), QStringLiteral("b.fa"), QStringLiteral("c.fa"), QStringLiteral("d.fa")})),
                 QStringLiteral("a.fa, b.fa and 2 more"));
        QCOMPARE(spec().inputSummary(*spec().parseArguments({QStringLiteral("a.fa")})), QString()); // no input-file parameter
    }

    void booleansTakeEverySpelling_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<bool>("value");
        QTest::newRow("bare") << QStringList{QStringLiteral("--gzip"), QStringLiteral("a.fa")} << true;
        QTest::newRow("bare at the end") << QStringList{QStringLiteral("a.fa"), QStringLiteral("--gzip")} << true;
        QTest::newRow("--flag true") << QStringList{QStringLiteral("--gzip"), QStringLiteral("true"), QStringLiteral("a.fa")} << true;
        QTest::newRow("--flag false") << QStringList{QStringLiteral("--gzip"), QStringLiteral("false"), QStringLiteral("a.fa")} << false;
        QTest::newRow("--flag no") << QStringList{QStringLiteral("a.fa"), QStringLiteral("--gzip"), QStringLiteral("no")} << false;
        QTest::newRow("--flag TRUE") << QStringList{QStringLiteral("a.fa"), QStringLiteral("--gzip"), QStringLiteral("TRUE")} << true;
        QTest::newRow("--flag=true") << QStringList{QStringLiteral("--gzip=true"), QStringLiteral("a.fa")} << true;
        QTest::newRow("--flag=false") << QStringList{QStringLiteral("--gzip=false"), QStringLiteral("a.fa")} << false;
        QTest::newRow("--no-flag") << QStringList{QStringLiteral("--no-gzip"), QStringLiteral("a.fa")} << false;
        QTest::newRow("--flag=YES") << QStringList{QStringLiteral("--gzip=YES"), QStringLiteral("a.fa")} << true; // as `--gzip YES`
        QTest::newRow("--flag=No") << QStringList{QStringLiteral("--gzip=No"), QStringLiteral("a.fa")} << false;
    }
    void booleansTakeEverySpelling()
    {
        QFETCH(QStringList, args);
        QFETCH(bool, value);
        auto p = spec().parseArguments(args);
        QVERIFY2(p, p ? "" : qPrintable(p.error().message()));
        QCOMPARE(p->value(QStringLiteral("gzip")).toBool(), value);
        QCOMPARE(p->value(QStringLiteral("inputs")).toArray(), QJsonArray{QStringLiteral("a.fa")}); // the value is not taken as a file
        QVERIFY(spec().helpText().contains(QStringLiteral("--gzip [true|false]")));
        // A word after it that is no boolean and no path is a mistyped value, not a missing input file.
        VerbSpec withFiles = spec();
        withFiles.parameters[0].inputFiles = true;
        auto typo = withFiles.parseArguments({QStringLiteral("a.fa"), QStringLiteral("--gzip"), QStringLiteral("maybe")});
        QVERIFY(!typo);
        QVERIFY2(typo.error().message().contains(QStringLiteral("--gzip: 'maybe' is not true/false/yes/no/1/0")), qPrintable(typo.error().message()));
        QCOMPARE(typo.error().kind(), bioforge::core::Error::Kind::Invalid);
        auto inlineTypo = withFiles.parseArguments({QStringLiteral("a.fa"), QStringLiteral("--gzip=maybe")}); // one message for both forms
        QVERIFY2(!inlineTypo && inlineTypo.error().message().startsWith(QStringLiteral("predict: --gzip: 'maybe' is not true/false/yes/no/1/0 (a boolean option")),
                 inlineTypo ? "" : qPrintable(inlineTypo.error().message()));
        // Where the single argument is given already (`llm info m.gguf --tensors maybe`), the word after a
        // boolean flag is a mistyped value too, not "an unexpected argument".
        VerbSpec single = spec();
        single.parameters[0].type = T::Path;
        auto mistyped = single.parseArguments({QStringLiteral("m.gguf"), QStringLiteral("--gzip"), QStringLiteral("maybe")});
        QVERIFY2(!mistyped && mistyped.error().message().contains(QStringLiteral("--gzip: 'maybe' is not true/false/yes/no/1/0")),
                 mistyped ? "" : qPrintable(mistyped.error().message()));
        // Where the argument is no input file (a model's name, an output), the word is taken as it.
        auto named = spec().parseArguments({QStringLiteral("--gzip"), QStringLiteral("tinyllama")});
        QVERIFY2(named && named->value(QStringLiteral("inputs")).toArray() == QJsonArray{QStringLiteral("tinyllama")}, named ? "" : qPrintable(named.error().message()));
    }

    void aSinglePathTakesOnePositionalArgument()
    {
        VerbSpec v;
        v.name = QStringLiteral("clocks");
        v.parameters = {{QStringLiteral("table"), T::Path, QStringLiteral("table"), QJsonValue::Undefined, {}, 0, 0},
                        {QStringLiteral("map"), T::String, QStringLiteral("mapping"), QStringLiteral("x"), {}, 0, 0}};
        auto p = v.parseArguments({QStringLiteral("people.csv"), QStringLiteral("--map"), QStringLiteral("m.json")});
        QVERIFY2(p, p ? "" : qPrintable(p.error().message()));
        QCOMPARE(p->value(QStringLiteral("table")).toString(), QStringLiteral("people.csv"));
        QVERIFY(!v.parseArguments({QStringLiteral("a.csv"), QStringLiteral("b.csv")}));
        QVERIFY(!v.parseArguments({QStringLiteral("--table"), QStringLiteral("a.csv"), QStringLiteral("b.csv")}));
        // The other order, and an option twice: refused, not the last taken silently.
        auto both = v.parseArguments({QStringLiteral("a.csv"), QStringLiteral("--table"), QStringLiteral("b.csv")});
        QVERIFY(!both);
        QVERIFY2(both.error().message().contains(QStringLiteral("--table is given twice ('a.csv' already, as the argument without an option name)")),
                 qPrintable(both.error().message()));
        QVERIFY(!v.parseArguments({QStringLiteral("--map"), QStringLiteral("x"), QStringLiteral("--map=y")}));
    }

    void aFileOrNameTakesThePositionalArgumentWhenNoPathDoes()
    {
        // `llm info NAME`: a model given as a file or a registry name.
        VerbSpec v;
        v.name = QStringLiteral("info");
        v.parameters = {{QStringLiteral("label"), T::String, QStringLiteral("a plain text"), QString(), {}, 0, 0},
                        {QStringLiteral("model"), T::String, QStringLiteral("model"), QJsonValue::Undefined, {}, 0, 0, false, true}};
        auto p = v.parseArguments({QStringLiteral("tiny"), QStringLiteral("--label"), QStringLiteral("x")});
        QVERIFY2(p, p ? "" : qPrintable(p.error().message()));
        QCOMPARE(p->value(QStringLiteral("model")).toString(), QStringLiteral("tiny"));
        const auto twice = v.parseArguments({QStringLiteral("a"), QStringLiteral("b")});
        QVERIFY(!twice && twice.error().message().contains(QStringLiteral("--model is already 'a'")));
        QVERIFY(v.helpText().contains(QStringLiteral("--model <path>"))); // its description says what else it takes
        QVERIFY(v.helpText().contains(QStringLiteral("--label <text>")));
        QCOMPARE(v.inputSummary(*p), QStringLiteral("tiny")); // a run's title names the model
        // A path parameter still comes first.
        v.parameters.prepend({QStringLiteral("table"), T::Path, QStringLiteral("table"), QJsonValue::Undefined, {}, 0, 0});
        p = v.parseArguments({QStringLiteral("t.csv"), QStringLiteral("--model"), QStringLiteral("m")});
        QVERIFY(p && p->value(QStringLiteral("table")).toString() == QStringLiteral("t.csv"));
        // …unless it is optional and the file-or-name is required (`run llm generate MODEL
        // --prompt_file F`: the bare argument was taken as the prompt file).
        v.parameters.first() = {QStringLiteral("prompt_file"), T::Path, QStringLiteral("prompt file"), QString(), {}, 0, 0, true};
        p = v.parseArguments({QStringLiteral("tiny"), QStringLiteral("--prompt_file"), QStringLiteral("p.txt")});
        QVERIFY2(p && p->value(QStringLiteral("model")).toString() == QStringLiteral("tiny"), p ? "" : qPrintable(p.error().message()));
    }

    void anOptionalPathMayStayEmpty()
    {
        VerbSpec v;
        v.name = QStringLiteral("annotate");
        v.parameters = {{QStringLiteral("genes"), T::Path, QStringLiteral("list"), QString(), {}, 0, 0, true},
                        {QStringLiteral("model"), T::Path, QStringLiteral("model"), QJsonValue::Undefined, {}, 0, 0}};
        // Defaults filled once validate again (a run's stored parameters are checked when it starts).
        auto once = v.validate({{QStringLiteral("model"), QStringLiteral("m")}});
        QVERIFY(once);
        QVERIFY(v.validate(*once));
        QCOMPARE(v.missingInputFile(*once), QString());
        // A required path is never empty.
        QVERIFY(!v.validate({{QStringLiteral("model"), QString()}}));
    }

    void missingInputFilesAreFound()
    {
        VerbSpec v = spec();
        v.parameters[0].inputFiles = true;
        QTemporaryDir dir;
        const QString present = dir.filePath(QStringLiteral("a.fa"));
        QFile f(present);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.close();
        auto p = v.parseArguments({present, dir.filePath(QStringLiteral("missing.fa"))});
        QVERIFY(p);
        QCOMPARE(v.missingInputFile(*p), dir.filePath(QStringLiteral("missing.fa")));
        QCOMPARE(v.missingInputFile(*v.parseArguments({present})), QString());
    }

    // A run keeps its paths absolute: resumed from another folder it reads the same files.
    void relativePathsAreMadeAbsolute()
    {
        QTemporaryDir dir;
        QVERIFY(QDir(dir.path()).mkpath(QStringLiteral("models/esm")));
        for (const char* name : {"a.fa", "b.fa", "map.json", "cpu"}) {
            QFile f(dir.filePath(QLatin1String(name)));
            QVERIFY(f.open(QIODevice::WriteOnly));
        }
        VerbSpec v = spec();
        v.parameters.append({QStringLiteral("model"), T::Path, QStringLiteral("a model"), QString(), {}, 0, 0});
        v.parameters.append({QStringLiteral("map"), T::String, QStringLiteral("mapping file or name"), QStringLiteral("builtin"), {}, 0, 0, false, true});
        v.parameters.append({QStringLiteral("esm"), T::String, QStringLiteral("model folder or name"), QString(), {}, 0, 0, false, true});
        v.parameters.append({QStringLiteral("device"), T::String, QStringLiteral("a device"), QStringLiteral("cpu"), {}, 0, 0});
        const QString before = QDir::currentPath();
        QVERIFY(QDir::setCurrent(dir.path()));
        auto p = v.parseArguments({QStringLiteral("a.fa"), QStringLiteral("./b.fa"), QStringLiteral("--model"), QStringLiteral("models/../x.gguf"),
                                   QStringLiteral("--map"), QStringLiteral("map.json"), QStringLiteral("--esm"), QStringLiteral("models/esm"),
                                   QStringLiteral("--device"), QStringLiteral("cpu")});
        QVERIFY(p);
        const QJsonObject absolute = v.withAbsolutePaths(*p);
        auto named = v.withAbsolutePaths(*v.parseArguments({dir.filePath(QStringLiteral("a.fa")), QStringLiteral("--map"), QStringLiteral("builtin"),
                                                            QStringLiteral("--esm"), QStringLiteral("esm2_t36_3B_UR50D")}));
        QVERIFY(QDir::setCurrent(before));
        const QDir d(dir.path());
        QCOMPARE(absolute.value(QLatin1String("inputs")).toArray(), (QJsonArray{d.filePath(QStringLiteral("a.fa")), d.filePath(QStringLiteral("b.fa"))}));
        QCOMPARE(absolute.value(QLatin1String("model")).toString(), d.filePath(QStringLiteral("x.gguf"))); // need not exist yet
        QCOMPARE(absolute.value(QLatin1String("map")).toString(), d.filePath(QStringLiteral("map.json")));
        QCOMPARE(absolute.value(QLatin1String("esm")).toString(), d.filePath(QStringLiteral("models/esm")));
        // A plain String is left alone even where a file of that name exists; names that are no
        // file stay names; the other parameters are untouched.
        QCOMPARE(absolute.value(QLatin1String("device")).toString(), QStringLiteral("cpu"));
        QCOMPARE(absolute.value(QLatin1String("batch")), p->value(QLatin1String("batch")));
        QCOMPARE(named.value(QLatin1String("map")).toString(), QStringLiteral("builtin"));
        QCOMPARE(named.value(QLatin1String("esm")).toString(), QStringLiteral("esm2_t36_3B_UR50D"));
        QCOMPARE(named.value(QLatin1String("inputs")).toArray(), (QJsonArray{d.filePath(QStringLiteral("a.fa"))}));
    }

    // A file the run writes too (an API cache, an annotation library): absolute even before it
    // exists, and never pinned as an input (a resume refused a cache the run had made).
    void aReadWriteFileIsMadeAbsoluteAndNotPinned()
    {
        QTemporaryDir dir;
        QFile library(dir.filePath(QStringLiteral("library.sqlite")));
        QVERIFY(library.open(QIODevice::WriteOnly));
        library.close();
        VerbSpec v = spec();
        v.parameters.append({QStringLiteral("cache"), T::String, QStringLiteral("a cache"), QString(), {}, 0, 0, false, true, true});
        v.parameters.append({QStringLiteral("library"), T::String, QStringLiteral("a library"), QString(), {}, 0, 0, false, true, true});
        v.parameters.append({QStringLiteral("map"), T::String, QStringLiteral("mapping file or name"), QStringLiteral("builtin"), {}, 0, 0, false, true});
        const QString before = QDir::currentPath();
        QVERIFY(QDir::setCurrent(dir.path()));
        QFile map(dir.filePath(QStringLiteral("map.json")));
        QVERIFY(map.open(QIODevice::WriteOnly));
        map.close();
        auto p = v.parseArguments({dir.filePath(QStringLiteral("a.fa")), QStringLiteral("--cache"), QStringLiteral("sub/cache.sqlite"), QStringLiteral("--library"),
                                   QStringLiteral("library.sqlite"), QStringLiteral("--map"), QStringLiteral("map.json")});
        QVERIFY(p);
        const QJsonObject absolute = v.withAbsolutePaths(*p);
        QVERIFY(QDir::setCurrent(before));
        const QDir d(dir.path());
        QCOMPARE(absolute.value(QLatin1String("cache")).toString(), d.filePath(QStringLiteral("sub/cache.sqlite")));
        QCOMPARE(absolute.value(QLatin1String("library")).toString(), d.filePath(QStringLiteral("library.sqlite")));
        const QStringList read = v.filesRead(absolute);
        QVERIFY2(!read.contains(d.filePath(QStringLiteral("library.sqlite"))) && read.contains(d.filePath(QStringLiteral("map.json"))), qPrintable(read.join(u' ')));
        // Gone since: an input and a mapping named by its path are said, as filesRead no longer lists
        // them (review 69 R69-5); a read-write file (a cache) and a name (a shipped mapping) are not.
        QVERIFY(v.pathsGone(absolute).isEmpty() || v.pathsGone(absolute) == QStringList{d.filePath(QStringLiteral("a.fa"))});
        QVERIFY(QFile::remove(d.filePath(QStringLiteral("map.json"))));
        const QStringList gone = v.pathsGone(absolute);
        QVERIFY2(gone.contains(d.filePath(QStringLiteral("map.json"))) && !gone.contains(d.filePath(QStringLiteral("sub/cache.sqlite"))), qPrintable(gone.join(u' ')));
        QJsonObject named = absolute;
        named.insert(QStringLiteral("map"), QStringLiteral("builtin"));
        QVERIFY(!v.pathsGone(named).contains(QStringLiteral("builtin")));
    }
};

QTEST_GUILESS_MAIN(TstParameterSpec)
#include "tst_parameter_spec.moc"
