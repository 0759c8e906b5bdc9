// Test tool for the chat store's kill -9 property (tst_chat_store_kill): a
// chat session as the chat page stores it, replayed from a fixed script and
// continued from whatever the project's store already holds. Script step i
// stores message i (user and assistant in turn, each with its tokens, time
// and stop reason); every seventh assistant reply is regenerated as the page
// does it (truncate, then append the reply again); the conversation is
// renamed once its tenth message is stored. Killing it anywhere and running it
// again must end in the same conversation: every step is done again when the
// store does not show it done (a kill between the tenth message and the rename
// leaves the rename to the next run — the writer once skipped it, and the
// property test failed when a kill landed in that gap).
// Usage: chat_store_writer PROJECT_DIR MESSAGES

#include "store/chat_store.h"
#include "store/project.h"

#include <QCoreApplication>

#include <cstdio>

using namespace bioforge;

namespace {

llm::StoredMessage scripted(int i)
{
    llm::StoredMessage m;
    m.ordinal = i;
    m.role = i % 2 == 0 ? QStringLiteral("user") : QStringLiteral("assistant");
    m.content = QStringLiteral("message %1: ").arg(i) + QString(200 + 37 * (i % 11), QChar(u'a' + i % 26));
    m.tokens = i % 2 == 0 ? 0 : 40 + i;
    m.seconds = i % 2 == 0 ? 0 : 0.25 * i;
    m.stop = i % 2 == 0 ? QString() : QStringLiteral("eos");
    return m;
}

int fail(const QString& what)
{
    std::fprintf(stderr, "chat_store_writer: %s\n", qPrintable(what));
    return 1;
}

} // namespace

int main(int argc, char** argv)
{
    QCoreApplication app(argc, argv);
    if (argc != 3)
        return fail(QStringLiteral("usage: chat_store_writer PROJECT_DIR MESSAGES"));
    const int total = QString::fromLocal8Bit(argv[2]).toInt();
    auto project = core::Project::open(QString::fromLocal8Bit(argv[1]), true);
    if (!project)
        return fail(project.error().message());
    llm::ChatStore store((*project)->store());
    if (auto st = store.ensureSchema(); !st)
        return fail(st.error().message());
    auto conversations = store.list();
    if (!conversations)
        return fail(conversations.error().message());
    const QString renamedTitle = QStringLiteral("kill -9 session (renamed)");
    QString id;
    bool renamed = false;
    if (conversations->isEmpty()) {
        auto created = store.create(QStringLiteral("kill -9 session"), QStringLiteral("/models/tiny.gguf"), QStringLiteral("00ff"),
                                    QJsonObject{{QStringLiteral("temp"), 0.7}});
        if (!created)
            return fail(created.error().message());
        id = *created;
    } else if (conversations->size() == 1) {
        id = conversations->first().id;
        renamed = conversations->first().title == renamedTitle;
    } else {
        return fail(QStringLiteral("%1 conversations, expected one").arg(conversations->size()));
    }
    auto stored = store.messages(id);
    if (!stored)
        return fail(stored.error().message());
    // The rename is due once ten messages are stored, whichever run stored them.
    auto renameWhenDue = [&](qsizetype storedCount) -> core::Status {
        if (renamed || storedCount < 10)
            return core::okStatus();
        renamed = true;
        return store.rename(id, renamedTitle);
    };
    if (auto st = renameWhenDue(stored->size()); !st)
        return fail(st.error().message());
    for (int i = int(stored->size()); i < total; ++i) {
        if (auto st = store.append(id, scripted(i)); !st)
            return fail(st.error().message());
        if (i % 14 == 13) { // regenerate this reply: drop it and store it again
            if (auto st = store.truncate(id, i); !st)
                return fail(st.error().message());
            if (auto st = store.append(id, scripted(i)); !st)
                return fail(st.error().message());
        }
        if (auto st = renameWhenDue(i + 1); !st)
            return fail(st.error().message());
    }
    std::printf("done %d\n", total);
    return 0;
}
