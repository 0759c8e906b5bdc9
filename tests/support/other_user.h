#pragma once

// Read-only places for tests: as root nothing is read-only by permissions, so a
// program under test is run as user nobody (setpriv) where the suite runs as
// root (as CI does); a tree's write permission taken away and given back.

#include <QProcessEnvironment>
#include <QString>
#include <QStringList>

namespace bioforge::test {

// The command prefix that runs a program as another user (setpriv to nobody, 65534) when this
// process is root; empty otherwise. `*skip` is set, and the prefix is empty, when root has no setpriv.
QStringList otherUserPrefix(QString* skip);

// Makes `folder` (a test's temporary folder) readable and searchable by every user, so another user
// reaches what lies in it; its files keep their own modes.
bool openToOtherUsers(const QString& folder);

// For a test that runs programs as the other user: `*prefix` set (otherUserPrefix), `dir` opened to
// other users and `home` (made, inside it) theirs to write. Returns why the test must skip (empty
// when it can go on); `*ok` false when the folders could not be prepared.
QString prepareOtherUser(const QString& dir, const QString& home, QStringList* prefix, bool* ok);

// Every file and folder under `root`, and `root` itself, readable by all (folders searchable), and
// writable by the owner only when `writable`.
void setTreeWritable(const QString& root, bool writable);

// What a program run said and how it ended (code -1: it crashed or did not end in time).
struct ProgramRun {
    int code = -1;
    QString out, err;
};
// Runs `program` with `args` in `env`, behind `prefix` (otherUserPrefix(): as the other user), up to `timeoutMs`.
ProgramRun runProgram(const QStringList& prefix, const QString& program, const QStringList& args, const QProcessEnvironment& env,
                      int timeoutMs = 300000);

// Every file and folder under `root`, with its size and modification time, sorted: what must not change.
QStringList treeListing(const QString& root);

} // namespace bioforge::test
