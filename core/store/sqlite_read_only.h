#pragma once

// Reading an SQLite file that lies where this process cannot write (a read-only
// mount, an archive, a colleague's share). In WAL mode SQLite writes beside the
// file even to read it (its -shm index), so such a file is opened in SQLite's
// immutable mode (https://sqlite.org/uri.html: no locks, nothing written), which
// reads the database file alone: changes still in its write-ahead log would be
// missed, so a non-empty -wal is refused first. Immutable mode assumes nobody
// writes the file meanwhile. Used by the project store and the annotation
// library.

#include "util/expected.h"

#include <QString>

namespace bioforge::core {

// The folder holding `path`, or the file itself where it exists, cannot be written by this
// process (a read-only file system, or this user's permissions).
bool readOnlyPlace(const QString& path);

// Nothing can be made in `folder` here: the folder, or where it is yet to be made its nearest
// ancestor that exists, is read-only (readOnlyPlace).
bool readOnlyFolder(const QString& folder);

// `path` exists and lies at a read-only place (readOnlyPlace): a file to open in immutable mode.
bool readOnlyFile(const QString& path);

// The `file:` URI that opens `path` read-only in immutable mode, for QSQLITE with the connect
// options "QSQLITE_OPEN_READONLY;QSQLITE_OPEN_URI". Percent-encodes what a URI must (%, ?, #,
// spaces, non-ASCII).
QString sqliteImmutableUri(const QString& path);

// Whether every frame of `path`'s write-ahead log is in the database: its wal-index (-shm) is valid
// and says all of them were checkpointed (nBackfill = mxFrame), the log's salts are the index's, and
// no frame of those salts follows the last one the index knows (sqlite.org/walformat.html). False
// whenever it cannot tell (no -shm, another layout).
bool walFullyCheckpointed(const QString& path);

// An error when `path`'s write-ahead log (path + "-wal") is not empty and not fully checkpointed
// (walFullyCheckpointed): it may hold changes not yet in the database (a program has it open now,
// or one was killed before it closed it); only a writer can fold them in. `what` names the file in
// the message ("the project", "the annotation library").
Status checkNoPendingWal(const QString& path, const QString& what);

} // namespace bioforge::core
