// The chat page, offscreen: loading a model is a job, a question streams an
// answer into the transcript, the conversation persists in the project store
// and exports; regenerate and stop work.

#include "chat_controller.h"
#include "chat_page_fixture.h"
#include "chat_page.h"
#include "conversation_panel.h"
#include "compute/device_discovery.h"
#include "jobs/job_scheduler.h"
#include "models/model_registry.h"
#include "runs/session.h"
#include "store/chat_store.h"
#include "store/project.h"
#include "support/test_support.h"

#include <QComboBox>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QLabel>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QTextBrowser>
#include <QtTest>

using namespace bioforge;
using namespace bioforge::llm;
using namespace bioforge::test;

class TstChatPage : public QObject {
    Q_OBJECT
    ChatPageFixture m_fixture;
    QTemporaryDir& m_dir = m_fixture.dir;
    std::unique_ptr<core::Session>& m_session = m_fixture.session;
    std::unique_ptr<ChatPage>& m_page = m_fixture.page;

private slots:
    void initTestCase() { QVERIFY(m_fixture.open()); }
    void cleanupTestCase() { m_fixture.close(); }

    void loadingAModelIsAJobAndFillsTheCard()
    {
        QVERIFY(m_fixture.writeModel());
        const QString model = m_fixture.modelPath();
        QSignalSpy submitted(&m_session->scheduler(), &core::JobScheduler::jobSubmitted);
        m_page->controller().loadModel(model);
        QCOMPARE(submitted.count(), 1);
        QTRY_VERIFY_WITH_TIMEOUT(m_page->controller().model().has_value(), 30000);
        QCOMPARE(m_page->controller().model()->sha256.size(), 64);
        QTRY_VERIFY(m_page->findChild<QLabel*>(QStringLiteral("modelCard"))->text().contains(QStringLiteral("SHA-256")));
    }

    // A registered model whose file changed since its import: the card says its SHA-256 is not the
    // registry's (trial 22 T22-16). The Context box goes no higher than the model's own context,
    // and the page's seed is the command line's 42 (T22-15).
    void aRegisteredModelThatChangedIsSaidAndTheContextIsCapped()
    {
        QTRY_VERIFY(m_page->controller().model().has_value());
        QCOMPARE(ChatSettings{}.sampling.seed, uint64_t(42));
        const QString changed = m_dir.filePath(QStringLiteral("changed/tq.gguf"));
        QVERIFY(QDir().mkpath(QFileInfo(changed).absolutePath()) && QFile::copy(m_fixture.modelPath(), changed));
        QVERIFY(m_session->models().importFile(QStringLiteral("tq-changed"), QStringLiteral("gguf"), changed));
        {
            QFile file(changed); // the last byte of the last tensor's data: it still loads
            QVERIFY(file.open(QIODevice::ReadWrite) && file.seek(file.size() - 1));
            char c = 0;
            QVERIFY(file.getChar(&c) && file.seek(file.size() - 1) && file.putChar(char(c ^ 1)));
        }
        auto* card = m_page->findChild<QLabel*>(QStringLiteral("modelCard"));
        m_page->controller().loadModel(changed);
        QTRY_VERIFY_WITH_TIMEOUT(card->text().contains(QStringLiteral("Not the file registered as 'tq-changed'")), 30000);
        QVERIFY2(card->text().contains(QStringLiteral("bioforge models verify tq-changed")), qPrintable(card->text()));
        auto* context = m_page->findChild<QSpinBox*>(QStringLiteral("contextSize"));
        const int own = int(m_page->controller().model()->summary.contextLength);
        QCOMPARE(context->maximum(), own);
        QVERIFY(context->value() <= own);
        QTRY_COMPARE(m_page->controller().settings().contextSize, context->value()); // what the page's answers and exports use
        m_page->controller().loadModel(m_fixture.modelPath()); // the later tests' model
        QTRY_VERIFY_WITH_TIMEOUT(m_page->controller().model() && m_page->controller().model()->summary.path == m_fixture.modelPath(), 30000);
        QVERIFY(!card->text().contains(QStringLiteral("Not the file registered")));
    }

    // A file that fails to load (Open .gguf… on a broken one): the box names the model still loaded,
    // which answers, and the status says so (it named the broken file: trial 19).
    void aModelThatFailsToLoadLeavesTheBoxOnTheOneThatAnswers()
    {
        QTRY_VERIFY(m_page->controller().model().has_value());
        const QString broken = m_dir.filePath(QStringLiteral("broken.gguf"));
        QVERIFY(writeAll(broken, QByteArray("GGUF\x03\0\0\0", 8) + QByteArray(40, '\xff')));
        auto* models = m_page->findChild<QComboBox*>(QStringLiteral("modelChoice"));
        models->addItem(QStringLiteral("broken.gguf"), broken); // as Open .gguf… adds it
        models->setCurrentIndex(models->count() - 1);
        QSignalSpy failed(&m_page->controller(), &ChatController::failed);
        m_page->controller().loadModel(broken);
        QTRY_COMPARE_WITH_TIMEOUT(failed.count(), 1, 30000);
        QCOMPARE(models->currentData().toString(), m_page->controller().model()->summary.path);
        const QString status = m_page->findChild<QLabel*>(QStringLiteral("chatStatus"))->text();
        QVERIFY2(status.startsWith(QStringLiteral("Error: ")) && status.contains(QStringLiteral("broken.gguf"))
                     && status.endsWith(QStringLiteral("still using chat.gguf")),
                 qPrintable(status));
        // Another error (a send without a conversation's project, say) leaves the box as the user set it.
        models->setCurrentIndex(models->findData(broken));
        emit m_page->controller().failed(QStringLiteral("the conversation store is read-only"));
        QCOMPARE(models->currentData().toString(), broken);
    }

    void theCardSaysWhereTheModelRunsAndAGpuThatCannotBeHadIsRefused()
    {
        // The device choice lists the CPU first, then every GPU the workbench found.
        auto* devices = m_page->findChild<QComboBox*>(QStringLiteral("deviceChoice"));
        QVERIFY(devices);
        QCOMPARE(devices->itemData(0).toString(), QStringLiteral("cpu"));
        QCOMPARE(devices->count(), 1 + int(core::DeviceDiscovery::report().gpus().size()));
        QTRY_VERIFY(m_page->controller().model().has_value()); // the model of the test before, on the CPU
        QVERIFY2(m_page->findChild<QLabel*>(QStringLiteral("modelCard"))->text().contains(QStringLiteral("runs on: cpu ")),
                 qPrintable(m_page->findChild<QLabel*>(QStringLiteral("modelCard"))->text()));
        if (!core::DeviceDiscovery::report().gpus().isEmpty())
            QSKIP("this machine has a GPU: the refusal is checked where it has none");
        // A GPU asked for where there is none: a failure that names it, and the model loaded before stays.
        QSignalSpy failed(&m_page->controller(), &ChatController::failed);
        m_page->controller().loadModel(m_dir.filePath(QStringLiteral("chat.gguf")), *parseDevice(QStringLiteral("cuda:0")));
        QTRY_COMPARE_WITH_TIMEOUT(failed.count(), 1, 30000);
        const QString why = failed.first().first().toString();
        QVERIFY2(why.contains(QStringLiteral("cuda:0")), qPrintable(why));
        QVERIFY(m_page->controller().model().has_value()); // the model loaded before stays (the next tests chat with it)
    }

    void aQuestionStreamsAnAnswerAndPersists()
    {
        ChatSettings s = m_page->controller().settings();
        s.maxTokens = 12;
        s.sampling.seed = 1234567; // printed whole in the export (not 1.23457e+06)
        m_page->controller().setSettings(s);
        m_page->input()->setPlainText(QStringLiteral("What is a capsid?"));
        QSignalSpy finished(&m_page->controller(), &ChatController::turnFinished);
        // The status says the message is being read from before its first batch (nothing was said
        // until a 512-token batch was read: minutes on a big model), then after each batch.
        QList<std::pair<qint64, qint64>> read;
        QStringList statuses;
        const QMetaObject::Connection reading = connect(&m_page->controller(), &ChatController::promptProgressed, this, [&](qint64 done, qint64 toRead) {
            read.append({done, toRead});
            statuses << m_page->status()->text();
        });
        QTest::mouseClick(m_page->findChild<QPushButton*>(QStringLiteral("sendButton")), Qt::LeftButton);
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 60000);
        disconnect(reading);
        QVERIFY2(read.size() >= 2 && read.first().first == 0 && read.last().first == read.last().second && read.last().second > 0, qPrintable(statuses.join(u'|')));
        QCOMPARE(statuses.first(), QStringLiteral("Reading the message… 0 of %1 tokens").arg(read.first().second));
        QCOMPARE(statuses.last(), QStringLiteral("Reading the message… %1 of %1 tokens").arg(read.last().second));
        const QList<StoredMessage> msgs = m_page->controller().messages();
        QCOMPARE(msgs.size(), 2);
        QCOMPARE(msgs[0].content, QStringLiteral("What is a capsid?"));
        QCOMPARE(msgs[1].role, QStringLiteral("assistant"));
        QVERIFY(msgs[1].tokens > 0);
        QVERIFY(m_page->transcript()->toPlainText().contains(QStringLiteral("What is a capsid?")));
        QVERIFY(m_page->status()->text().contains(QStringLiteral("tokens/s")));
        QDir().mkpath(QStringLiteral(BIOFORGE_BUILD_DIR "/screenshots"));
        QVERIFY(m_page->grab().save(QStringLiteral(BIOFORGE_BUILD_DIR "/screenshots/chat-page.png")));
        // Persisted: a second store on the same project sees it.
        ChatStore store(m_session->project()->store());
        auto list = store.list(QStringLiteral("capsid"));
        QVERIFY(list);
        QCOMPARE(list->size(), 1);
        auto md = store.exportMarkdown(list->first().id);
        QVERIFY(md && md->contains(QStringLiteral("### Assistant")));
        QVERIFY2(md->contains(QStringLiteral("Settings at export: ")) && md->contains(QStringLiteral("temperature")), qPrintable(md->left(400))); // how it was sampled
        for (const QString& option : {QStringLiteral("--seed 1234567 "), QStringLiteral("--ctx %1 ").arg(m_page->controller().contextSize()), QStringLiteral("--n 12 ")})
            QVERIFY2(md->contains(QStringLiteral("generated with ")) && md->contains(option), qPrintable(option + QStringLiteral(" in ") + *md));
        QVERIFY(m_page->status()->text().contains(QStringLiteral("ended: ")));
        QVERIFY(!m_page->status()->text().contains(QStringLiteral("stopped by stopped")));
        // Float settings as set (0.8, not 0.800000011921), and how the answer ended.
        QVERIFY2(md->contains(QStringLiteral("--temp 0.8 ")) && md->contains(QStringLiteral("temperature 0.8,")) && md->contains(QStringLiteral(" s, ended: ")),
                 qPrintable(*md));
        auto json = store.exportJson(list->first().id);
        QVERIFY(json);
        QCOMPARE(json->value(QStringLiteral("messages")).toArray().size(), 2);
        QCOMPARE(m_page->controller().exportFolder(), m_session->project()->reportsDir()); // where the export dialog starts
    }

    // A long status line (an answer's context, seed and ending; an error) and a model's long path
    // on the card wrap at the page's width: they made the page wider than its window (trial 13).
    void longStatusAndCardDoNotWidenThePage()
    {
        auto* card = m_page->findChild<QLabel*>(QStringLiteral("modelCard"));
        const QString card0 = card->text(), status0 = m_page->status()->text();
        // The column they are in (between the conversations and the settings) keeps its minimum width.
        QWidget* column = m_page->status()->parentWidget();
        QCOMPARE(card->parentWidget(), column);
        card->setText(QStringLiteral("No model loaded."));
        m_page->status()->setText(QStringLiteral("Ready."));
        const int narrow = column->minimumSizeHint().width();
        card->setText(QStringLiteral("file: /%1/model.gguf").arg(QString(300, QLatin1Char('d'))));
        m_page->status()->setText(QStringLiteral("12 tokens in 0.4 s (30.0 tokens/s) — context 619 of 2048 tokens — seed 0 — ended: token limit ")
                                      .repeated(4));
        QCOMPARE(column->minimumSizeHint().width(), narrow);
        // The card names the SHA-256 by its first 16 digits (64 cut the card at its edge), whole in the
        // tooltip; a synthesized model is said to be a TEST model (trial 19).
        card->setText(card0);
        const QString sha = m_page->controller().model()->sha256;
        QVERIFY2(card0.contains(sha.left(16) + QStringLiteral("…")) && !card0.contains(sha), qPrintable(card0));
        QVERIFY(card->toolTip().contains(sha));
        QVERIFY2(card0.contains(QStringLiteral("<b>TEST model</b>")), qPrintable(card0));
        card->setText(card0);
        m_page->status()->setText(status0);
    }

    void regenerateReplacesTheAnswer()
    {
        // With the default seed, Regenerate must not give the same answer
        // again: each regeneration draws with the next seed (reported).
        const QString before = m_page->controller().messages().last().content;
        QSignalSpy finished(&m_page->controller(), &ChatController::turnFinished);
        m_page->controller().regenerate();
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 60000);
        QCOMPARE(m_page->controller().messages().size(), 2);
        const auto stats = finished.first().first().value<TurnStats>();
        QCOMPARE(stats.seed, m_page->controller().settings().sampling.seed + 1);
        QVERIFY2(m_page->controller().messages().last().content != before, qPrintable(before));
        QVERIFY(m_page->status()->text().contains(QStringLiteral("seed %1").arg(stats.seed)));
        // The answer keeps the seed it was drawn with (the settings still say the first): its export
        // gives the seed and context that reproduce it, and so does the JSON export.
        QCOMPARE(m_page->controller().messages().last().generation.value(QLatin1String("seed")).toInteger(), qint64(stats.seed));
        QCOMPARE(m_page->controller().messages().last().generation.value(QLatin1String("ctx")).toInteger(), qint64(stats.contextSize));
        ChatStore store(m_session->project()->store());
        auto list = store.list(QStringLiteral("capsid"));
        QVERIFY(list && list->size() == 1);
        auto md = store.exportMarkdown(list->first().id);
        QVERIFY(md);
        for (const QString& option : {QStringLiteral("--seed %1 ").arg(stats.seed), QStringLiteral("--ctx %1 ").arg(stats.contextSize)})
            QVERIFY2(md->contains(option), qPrintable(option + QStringLiteral(" in ") + *md));
        auto json = store.exportJson(list->first().id);
        QVERIFY(json);
        QCOMPARE(json->value(QLatin1String("messages")).toArray().last().toObject().value(QLatin1String("generation")).toObject().value(QLatin1String("seed")).toInteger(),
                 qint64(stats.seed));
    }

    void editAndResendReplacesTheTail()
    {
        QSignalSpy finished(&m_page->controller(), &ChatController::turnFinished);
        m_page->controller().editAndResend(0, QStringLiteral("What is a virion?"));
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 60000);
        const QList<StoredMessage> msgs = m_page->controller().messages();
        QCOMPARE(msgs.size(), 2);
        QCOMPARE(msgs[0].content, QStringLiteral("What is a virion?"));
    }

    void stopEndsAReplyEarly()
    {
        ChatSettings s = m_page->controller().settings();
        s.maxTokens = 100000;
        s.contextSize = 4096;
        m_page->controller().setSettings(s);
        QSignalSpy finished(&m_page->controller(), &ChatController::turnFinished);
        QSignalSpy streamed(&m_page->controller(), &ChatController::textStreamed);
        // Esc is Stop generation, from anywhere in the window: pressed as
        // soon as the first text arrives. A random model may end its reply by
        // itself before the key reaches the engine (the faster the engine, the
        // likelier): then the stop had nothing to do, and the question is
        // asked again — until one reply is stopped (at most 10 tries).
        m_page->window()->show();
        m_page->window()->activateWindow();
        QVERIFY(QTest::qWaitForWindowActive(m_page->window()));
        bool pressed = false;
        // Disconnected at the end: it reads this function's locals (a later test's answer streamed into them).
        const QMetaObject::Connection pressing = connect(&m_page->controller(), &ChatController::textStreamed, m_page.get(), [&] {
            if (!pressed) {
                pressed = true;
                QTest::keyClick(m_page->window(), Qt::Key_Escape);
            }
        });
        QString stop;
        for (int attempt = 0; attempt < 10 && stop != QLatin1String("stopped"); ++attempt) {
            pressed = false;
            finished.clear();
            m_page->controller().send(QStringLiteral("Tell me everything."));
            QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 60000);
            stop = finished.first().first().value<TurnStats>().stop;
            QVERIFY2(stop == QLatin1String("stopped") || stop == QLatin1String("end of generation"), qPrintable(stop));
        }
        disconnect(pressing);
        QCOMPARE(stop, QStringLiteral("stopped"));
    }

    void renameAndDelete()
    {
        ChatController& c = m_page->controller();
        const QString id = c.conversationId();
        c.renameConversation(id, QStringLiteral("Virology questions"));
        QCOMPARE(c.conversations().first().title, QStringLiteral("Virology questions"));
        c.deleteConversation(id);
        QVERIFY(c.conversations().isEmpty());
        QVERIFY(c.conversationId().isEmpty());
    }
};

QTEST_MAIN(TstChatPage)
#include "tst_chat_page.moc"
