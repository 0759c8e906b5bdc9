// Qt's own messages in the workbench's log: a warning stays a warning, and Qt's notes that say
// nothing wrong for the user are not warnings — the font engine's "OpenType support missing for …"
// (one for each string a model wrote in Cyrillic or CJK filled the Log dock: trial 19) is debug, a
// headless session's missing runtime folder is information.

#include "log/log_ring.h"
#include "log/logging.h"

#include <QtTest>

using namespace bioforge::core;

class TstQtMessages : public QObject {
    Q_OBJECT

    // The level the log gave the message, as the Log dock reads it (spdlog: 1 debug, 2 info, 3 warn).
    static int levelOf(const QString& text)
    {
        const quint64 before = Logging::ring().lastSequence();
        qWarning().noquote() << text;
        for (const LogLine& line : Logging::ring().since(before))
            if (line.text.contains(text))
                return line.level;
        return -1;
    }

private slots:
    void initTestCase() { Logging::initialize(Logging::Console::Off); }

    void qtsNotesAreNotWarnings()
    {
        QCOMPARE(levelOf(QStringLiteral("OpenType support missing for \"DejaVu Sans\", script 16")), 1);
        QCOMPARE(levelOf(QStringLiteral("OpenType support missing for \"DejaVu Sans\", script 16")), -1); // once: not again for each string drawn
        QCOMPARE(levelOf(QStringLiteral("QStandardPaths: XDG_RUNTIME_DIR not set, defaulting to '/tmp/runtime-root'")), 2);
        QCOMPARE(levelOf(QStringLiteral("QFile::open: a warning of Qt's that matters")), 3);
    }
};

QTEST_GUILESS_MAIN(TstQtMessages)
#include "tst_qt_messages.moc"
