// The chat store under kill -9 (issue 13): chat_store_writer replays a chat
// session (appends, regenerations, a rename) into a project and is killed
// with SIGKILL after a seeded random number of further stored messages, then
// run again, until it finishes; the conversation must then hold exactly the
// uninterrupted session's messages (role, text, tokens, time, stop reason, in
// order), its title and nothing else, and the database must pass
// PRAGMA integrity_check. BIOFORGE_KILL_ROUNDS rounds, 3 by default.

#include "store/chat_store.h"
#include "store/project.h"
#include "store/project_store.h"
#include "support/kill_resume.h"
#include "support/test_support.h"

#include <QCoreApplication>
#include <QDir>
#include <QProcess>
#include <QRandomGenerator>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QtTest>

#include <csignal>

using namespace bioforge;
using namespace bioforge::test;

namespace {

constexpr int kMessages = 60;

QString writer() { return QDir(QCoreApplication::applicationDirPath()).filePath(QStringLiteral("chat_store_writer")); }

// The stored conversation as text: title, then one line per message (no timestamps: they are the clock's).
QString snapshot(const QString& projectDir)
{
    auto project = core::Project::open(projectDir, false);
    if (!project)
        return QStringLiteral("cannot open: ") + project.error().message();
    llm::ChatStore store((*project)->store());
    auto list = store.list();
    if (!list || list->size() != 1)
        return QStringLiteral("not exactly one conversation");
    QString out = list->first().title + QLatin1Char('\n');
    auto messages = store.messages(list->first().id);
    if (!messages)
        return messages.error().message();
    for (const llm::StoredMessage& m : *messages)
        out += QStringLiteral("%1|%2|%3|%4|%5|%6\n").arg(m.ordinal).arg(m.role, m.content).arg(m.tokens).arg(m.seconds).arg(m.stop);
    return out;
}

int storedMessages(const QString& projectDir)
{
    QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("count"));
    int n = 0;
    {
        db.setDatabaseName(QDir(projectDir).filePath(QStringLiteral("project.sqlite")));
        db.setConnectOptions(QStringLiteral("QSQLITE_OPEN_READONLY"));
        if (db.open()) {
            QSqlQuery q(db);
            if (q.exec(QStringLiteral("SELECT count(*) FROM llm_messages")) && q.next())
                n = q.value(0).toInt();
        }
        db.close();
    }
    db = {};
    QSqlDatabase::removeDatabase(QStringLiteral("count"));
    return n;
}

} // namespace

class TstChatStoreKill : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;

private slots:
    // The one gap a random kill rarely hits (CI did, once): the tenth message stored, the
    // rename not yet. Made here by storing ten messages and undoing the rename; the next run
    // must do the rename and end in the same conversation.
    void aKillBetweenTheTenthMessageAndTheRenameIsMadeGood()
    {
        const QString reference = m_dir.filePath(QStringLiteral("gap-reference")), project = m_dir.filePath(QStringLiteral("gap"));
        QCOMPARE(QProcess::execute(writer(), {reference, QString::number(kMessages)}), 0);
        QCOMPARE(QProcess::execute(writer(), {project, QStringLiteral("10")}), 0);
        {
            auto opened = core::Project::open(project, false);
            QVERIFY(opened);
            QSqlQuery q((*opened)->store().database());
            QVERIFY(q.exec(QStringLiteral("UPDATE llm_conversations SET title = 'kill -9 session'")));
        }
        QCOMPARE(QProcess::execute(writer(), {project, QString::number(kMessages)}), 0);
        QCOMPARE(snapshot(project), snapshot(reference));
    }

    // A read-only project whose chat tables an earlier version made (no `generation` column, plugin
    // schema 1): its conversations are read as they are (the page showed none, silently).
    void aReadOnlyProjectOfAnEarlierVersionShowsItsConversations()
    {
        const QString project = m_dir.filePath(QStringLiteral("earlier"));
        QCOMPARE(QProcess::execute(writer(), {project, QStringLiteral("10")}), 0);
        {
            auto opened = core::Project::open(project, false);
            QVERIFY(opened);
            QSqlQuery q((*opened)->store().database());
            QVERIFY(q.exec(QStringLiteral("ALTER TABLE llm_messages DROP COLUMN generation")));
            QVERIFY(q.exec(QStringLiteral("UPDATE plugin_schema SET version = 1 WHERE plugin_id = 'llm'")));
        }
        auto readOnly = core::ProjectStore::open(QDir(project).filePath(QStringLiteral("project.sqlite")), true);
        QVERIFY2(readOnly, readOnly ? "" : qPrintable(readOnly.error().message()));
        llm::ChatStore store(**readOnly);
        QVERIFY2(store.ensureSchema(), "an earlier version's tables are read where they cannot be updated");
        auto list = store.list();
        QVERIFY(list && list->size() == 1);
        auto messages = store.messages(list->first().id);
        QVERIFY2(messages, messages ? "" : qPrintable(messages.error().message()));
        QCOMPARE(messages->size(), 10);
        QVERIFY(messages->first().generation.isEmpty());
    }

    void killDashNineAtRandomPointsLeavesTheSameConversation()
    {
        const QString reference = m_dir.filePath(QStringLiteral("reference"));
        QCOMPARE(QProcess::execute(writer(), {reference, QString::number(kMessages)}), 0);
        const QString expected = snapshot(reference);
        QVERIFY2(expected.count(QLatin1Char('\n')) == kMessages + 1, qPrintable(expected.left(200)));
        const int rounds = qEnvironmentVariableIntValue("BIOFORGE_KILL_ROUNDS") > 0 ? qEnvironmentVariableIntValue("BIOFORGE_KILL_ROUNDS") : 3;
        QRandomGenerator rng(20261201);
        int kills = 0;
        for (int round = 0; round < rounds; ++round) {
            const QString project = m_dir.filePath(QStringLiteral("kill-%1").arg(round));
            bool finished = false;
            for (int attempt = 0; attempt < 500 && !finished; ++attempt) {
                QProcess p;
                p.start(writer(), {project, QString::number(kMessages)});
                QVERIFY(p.waitForStarted());
                const int target = storedMessages(project) + int(rng.bounded(12u));
                while (!p.waitForFinished(2))
                    if (storedMessages(project) >= target) {
                        ::kill(pid_t(p.processId()), SIGKILL);
                        ++kills;
                        QVERIFY(p.waitForFinished(30000));
                        break;
                    }
                if (p.exitStatus() == QProcess::NormalExit) {
                    QVERIFY2(p.exitCode() == 0, p.readAllStandardError().constData());
                    finished = true;
                }
            }
            QVERIFY2(finished, qPrintable(project));
            QCOMPARE(snapshot(project), expected);
            QCOMPARE(sqliteIntegrity(QDir(project).filePath(QStringLiteral("project.sqlite"))), QStringLiteral("ok"));
            QDir(project).removeRecursively();
        }
        QVERIFY(kills >= rounds);
        qInfo("kill -9 property, chat store: %d rounds, %d kills, every conversation identical", rounds, kills);
    }
};

QTEST_GUILESS_MAIN(TstChatStoreKill)
#include "tst_chat_store_kill.moc"
