#pragma once

// A gene list as a user gives it: pasted text or a file (plain or gzip),
// one or several ids per line separated by commas, semicolons, tabs or
// spaces; '#' starts a comment; a first line that is a column title
// ("gene", "symbol", "hgnc_id", …) is skipped. Each entry keeps its line so
// the resolution table can point at it.

#include "util/expected.h"

#include <QList>
#include <QString>

namespace bioforge::annotation {

struct GeneListEntry {
    QString text;
    qint64 line = 0;
};

QList<GeneListEntry> parseGeneList(const QString& text);
// Read with the shared line reader: other compressions, binary and bad UTF-8 are errors naming the file.
core::Expected<QList<GeneListEntry>> readGeneList(const QString& path);

} // namespace bioforge::annotation
