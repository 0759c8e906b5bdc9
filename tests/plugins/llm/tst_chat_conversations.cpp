// Conversations on the chat page, offscreen: a context that fills while an answer is written is
// said with the answer (status, transcript, export); New, Delete and the arrow keys act on the
// conversation shown; one made with another model says so.

#include "chat_controller.h"
#include "chat_page_fixture.h"
#include "conversation_panel.h"
#include "store/chat_store.h"
#include "store/project.h"
#include "support/test_support.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QLabel>
#include <QListWidget>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QScopeGuard>
#include <QSpinBox>
#include <QTextBrowser>
#include <QTextDocument>
#include <QtTest>

using namespace bioforge;
using namespace bioforge::llm;
using namespace bioforge::test;

class TstChatConversations : public QObject {
    Q_OBJECT
    ChatPageFixture m_fixture;
    std::unique_ptr<core::Session>& m_session = m_fixture.session;
    std::unique_ptr<ChatPage>& m_page = m_fixture.page;

private slots:
    void initTestCase()
    {
        QVERIFY(m_fixture.open());
        QVERIFY(m_fixture.writeModel());
        m_page->controller().loadModel(m_fixture.modelPath());
        QTRY_VERIFY_WITH_TIMEOUT(m_page->controller().model().has_value(), 30000);
    }
    void cleanupTestCase() { m_fixture.close(); }

    // A context that fills while an answer is written is said with the answer: on the status line, in
    // the transcript under it and in the export (it showed for a moment and was gone: trial 19). The
    // page's Context setting is the size the engine reads at.
    void aFullContextIsSaidWithTheAnswer()
    {
        ChatController& c = m_page->controller();
        const ChatSettings before = c.settings();
        const QString shown = c.conversationId();
        QStringList made;
        // The later tests find the settings and the one conversation they left.
        const auto restore = qScopeGuard([&] {
            for (const QString& id : made)
                c.deleteConversation(id);
            c.openConversation(shown);
            c.setSettings(before);
        });
        m_page->controller().newConversation();
        ChatSettings s = before;
        s.maxTokens = 400;
        s.contextSize = 96;
        s.systemPrompt.clear();
        m_page->controller().setSettings(s);
        QCOMPARE(m_page->controller().contextSize(), qint64(96));
        QSignalSpy finished(&m_page->controller(), &ChatController::turnFinished);
        QSignalSpy failed(&m_page->controller(), &ChatController::failed);
        TurnStats stats;
        // A random model may end its answer before the context fills: asked again (at most 10 times,
        // each in a conversation of its own).
        for (int attempt = 0; attempt < 10 && stats.droppedTokens == 0; ++attempt) {
            finished.clear();
            if (attempt > 0)
                m_page->controller().newConversation();
            m_page->controller().send(QStringLiteral("Tell me a long story."));
            made << c.conversationId();
            QTRY_VERIFY_WITH_TIMEOUT(finished.count() == 1 || !failed.isEmpty(), 60000);
            QVERIFY2(failed.isEmpty(), failed.isEmpty() ? "" : qPrintable(failed.first().first().toString()));
            QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 60000);
            stats = finished.first().first().value<TurnStats>();
            QCOMPARE(stats.contextSize, qint64(96));
        }
        QVERIFY2(stats.droppedTokens > 0, "no answer filled a context of 96 tokens");
        QVERIFY2(m_page->status()->text().contains(QStringLiteral(", full: the oldest %1 dropped").arg(stats.droppedTokens)), qPrintable(m_page->status()->text()));
        QVERIFY2(m_page->transcript()->toPlainText().contains(QStringLiteral("The context was full: the oldest %1 tokens").arg(stats.droppedTokens)),
                 qPrintable(m_page->transcript()->toPlainText().right(400)));
        ChatStore store(m_session->project()->store());
        auto md = store.exportMarkdown(m_page->controller().conversationId());
        QVERIFY2(md && md->contains(QStringLiteral("the context was full: the oldest %1 tokens were dropped").arg(stats.droppedTokens))
                     && !md->contains(QStringLiteral("--context_dropped")),
                 md ? qPrintable(md->right(600)) : "no export");
        // In the JSON export beside the answer's generation, which holds options only (review 64 F12).
        auto json = store.exportJson(m_page->controller().conversationId());
        QVERIFY(json);
        const QJsonObject answer = json->value(QLatin1String("messages")).toArray().last().toObject();
        QCOMPARE(answer.value(QLatin1String("context_dropped")).toInteger(), qint64(stats.droppedTokens));
        QVERIFY(!answer.value(QLatin1String("generation")).toObject().contains(QLatin1String("context_dropped")));
        QCOMPARE(answer.value(QLatin1String("generation")).toObject().value(QLatin1String("ctx")).toInteger(), qint64(96));
        // The setting is on the page.
        auto* context = m_page->findChild<QSpinBox*>(QStringLiteral("contextSize"));
        QVERIFY(context && context->minimum() == 16);
    }

    // A Send refused — a template override that does not parse (before anything is stored), a context
    // the system prompt fills (refused by the engine) — leaves no question in a conversation and the
    // text in the box (the next Send made two user turns in a row: trial 22); the window's message
    // names its own setting, not the command line's --ctx.
    void aRefusedSendLeavesNoQuestionAndKeepsTheText()
    {
        ChatController& c = m_page->controller();
        const ChatSettings before = c.settings();
        const QString shown = c.conversationId();
        const auto restore = qScopeGuard([&] {
            c.openConversation(shown);
            c.setSettings(before);
        });
        ChatStore store(m_session->project()->store());
        const auto conversations = [&] { return store.list(QString())->size(); };
        const qsizetype had = conversations();
        auto* send = m_page->findChild<QPushButton*>(QStringLiteral("sendButton"));
        QSignalSpy failed(&c, &ChatController::failed);

        c.newConversation();
        ChatSettings s = before;
        s.templateOverride = QStringLiteral(R"({"sytem": "<<{content}>>"})");
        c.setSettings(s);
        m_page->input()->setPlainText(QStringLiteral("test override"));
        QTest::mouseClick(send, Qt::LeftButton);
        QCOMPARE(failed.count(), 1);
        QVERIFY2(failed.first().first().toString().contains(QStringLiteral("sytem")), qPrintable(failed.first().first().toString()));
        QCOMPARE(m_page->input()->toPlainText(), QStringLiteral("test override"));
        QCOMPARE(conversations(), had);
        QVERIFY(c.conversationId().isEmpty());

        s.templateOverride.clear();
        s.contextSize = 24; // the system prompt alone fills it
        c.setSettings(s);
        failed.clear();
        QSignalSpy returned(&c, &ChatController::questionReturned);
        QTest::mouseClick(send, Qt::LeftButton);
        QTRY_COMPARE_WITH_TIMEOUT(failed.count(), 1, 60000);
        const QString said = failed.first().first().toString();
        QVERIFY2(said.contains(QStringLiteral("leaves no room")) && said.contains(QStringLiteral("Context (tokens)")) && !said.contains(QStringLiteral("--ctx")),
                 qPrintable(said));
        QTRY_COMPARE(returned.count(), 1);
        QCOMPARE(m_page->input()->toPlainText(), QStringLiteral("test override"));
        QCOMPARE(conversations(), had); // the conversation it made holds nothing: gone
        QVERIFY(c.conversationId().isEmpty());
    }

    // What the user types is text: shown and exported as typed, never read as Markdown or HTML (a
    // pasted tag blanked the whole transcript, answer included: trial 22).
    void whatIsTypedIsShownAndExportedAsTyped()
    {
        ChatController& c = m_page->controller();
        const ChatSettings before = c.settings();
        const QString shown = c.conversationId();
        QString made;
        const auto restore = qScopeGuard([&] {
            if (!made.isEmpty())
                c.deleteConversation(made);
            c.openConversation(shown);
            c.setSettings(before);
        });
        c.newConversation();
        ChatSettings s = before;
        s.maxTokens = 4;
        c.setSettings(s);
        const QString typed = QStringLiteral("<h1>BIG</h1> **bold** <span style=\"color:red\">red</span> &amp; [link](http://example.com) "
                                             "<img src=\"/tmp/x.png\">\n    vector<int> v; // 4 spaces\n# not a heading\n1. not a list \\ end\\");
        QSignalSpy finished(&c, &ChatController::turnFinished);
        QVERIFY(c.send(typed));
        made = c.conversationId();
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 60000);
        const QString transcript = m_page->transcript()->toPlainText();
        for (const QString& line : typed.split(QLatin1Char('\n')))
            QVERIFY2(transcript.contains(line.trimmed()), qPrintable(line + QStringLiteral(" not in: ") + transcript));
        QVERIFY(!m_page->transcript()->document()->toHtml().contains(QStringLiteral("<img")));
        // The export, read back as Markdown (as a viewer does), gives the question as typed.
        auto md = ChatStore(m_session->project()->store()).exportMarkdown(made);
        QVERIFY(md);
        QTextDocument rendered;
        rendered.setMarkdown(*md);
        const QString read = rendered.toPlainText();
        for (const QString& line : typed.split(QLatin1Char('\n')))
            QVERIFY2(read.contains(line.trimmed()), qPrintable(line + QStringLiteral(" not in: ") + read));
    }

    // New leaves no row highlighted (the old one stayed highlighted, and Delete removed it rather than
    // the conversation on screen: trial 17); Delete acts on the one shown, and asks first.
    void deleteActsOnTheConversationShownAndAsksFirst()
    {
        ChatController& c = m_page->controller();
        auto* panel = m_page->findChild<ConversationPanel*>();
        QVERIFY(panel);
        const auto button = [panel](const QString& text) {
            for (QPushButton* b : panel->findChildren<QPushButton*>())
                if (b->text() == text)
                    return b;
            return static_cast<QPushButton*>(nullptr);
        };
        QPushButton* add = button(QStringLiteral("New"));
        QPushButton* remove = button(QStringLiteral("Delete"));
        QVERIFY(add && remove);
        QSignalSpy finished(&c, &ChatController::turnFinished);
        add->click();
        c.send(QStringLiteral("first question"));
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 60000);
        const QString first = c.conversationId();
        QVERIFY(!first.isEmpty() && panel->list()->currentItem());
        QCOMPARE(panel->list()->currentItem()->data(Qt::UserRole).toString(), first);
        QVERIFY(!m_page->findChild<QLabel*>(QStringLiteral("chatStatus"))->text().isEmpty()); // the answer's figures
        add->click();
        QVERIFY(!panel->list()->currentItem());
        QVERIFY(!remove->isEnabled());
        QVERIFY(m_page->findChild<QLabel*>(QStringLiteral("chatStatus"))->text().isEmpty()); // not the other conversation's
        c.send(QStringLiteral("second question"));
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 2, 60000);
        const QString second = c.conversationId();
        QVERIFY(!second.isEmpty() && second != first);
        QTRY_VERIFY(panel->list()->currentItem() && panel->list()->currentItem()->data(Qt::UserRole).toString() == second);
        QVERIFY(remove->isEnabled());
        // The arrow keys open the row they highlight (they moved the highlight alone).
        panel->list()->setFocus();
        const int row = panel->list()->currentRow();
        QTest::keyClick(panel->list(), row == 0 ? Qt::Key_Down : Qt::Key_Up);
        QCOMPARE(c.conversationId(), first);
        QTest::keyClick(panel->list(), row == 0 ? Qt::Key_Up : Qt::Key_Down);
        QCOMPARE(c.conversationId(), second);
        QStringList asked;
        panel->setDeleteQuestion([&](const QString& title, int messages) {
            asked << QStringLiteral("%1 (%2)").arg(title).arg(messages);
            return false;
        });
        remove->click();
        QCOMPARE(asked.size(), 1);
        QVERIFY2(asked.first().startsWith(QStringLiteral("second question")) && asked.first().endsWith(QStringLiteral("(2)")), qPrintable(asked.first()));
        QCOMPARE(c.conversations().size(), 2); // refused: both kept
        panel->setDeleteQuestion([](const QString&, int) { return true; });
        remove->click();
        const QList<ConversationSummary> left = c.conversations();
        QCOMPARE(left.size(), 1);
        QCOMPARE(left.first().id, first);
        QVERIFY(c.conversationId().isEmpty() && !panel->list()->currentItem());

        // Opened, a conversation made with another model says so: the loaded one would answer.
        ChatStore store(m_session->project()->store());
        auto other = store.create(QStringLiteral("made elsewhere"), QStringLiteral("/models/other-7b.gguf"), QString(64, QLatin1Char('a')), QJsonObject{});
        QVERIFY(other);
        c.openConversation(*other);
        const QString said = m_page->findChild<QLabel*>(QStringLiteral("chatStatus"))->text();
        QVERIFY2(said.startsWith(QStringLiteral("This conversation was made with other-7b.gguf; the model loaded is ")), qPrintable(said));
        c.openConversation(first); // made with the loaded model: nothing to say
        QVERIFY(m_page->findChild<QLabel*>(QStringLiteral("chatStatus"))->text().isEmpty());
    }
};

QTEST_MAIN(TstChatConversations)
#include "tst_chat_conversations.moc"
