#pragma once

// Commands that answer at once (no run):
//   bioforge annotation import-bulk SOURCE FILE [--part PART] [--library FILE]
//   bioforge annotation download SOURCE [--part PART] [--url URL] [--dir DIR] [--library FILE] [--no-import]
//   bioforge annotation sources [--library FILE]
// Exit codes as the CLI's (docs/cli.md): 0 done, 1 the import failed, 2 usage, 6 no such file or source.

#include <QStringList>
#include <QTextStream>

namespace bioforge::annotation {

int importBulkCommand(const QStringList& args, const QString& defaultLibrary, QTextStream& out, QTextStream& err);
int downloadCommand(const QStringList& args, const QString& defaultLibrary, const QString& downloadDir, QTextStream& out, QTextStream& err);
int sourcesCommand(const QStringList& args, const QString& defaultLibrary, QTextStream& out, QTextStream& err);

} // namespace bioforge::annotation
