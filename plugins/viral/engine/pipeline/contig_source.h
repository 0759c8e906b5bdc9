#pragma once

// The contigs of a run's FASTA files, one after the other, upper-cased as the
// reference does. A bad record (an empty sequence, an over-long id, a broken
// gzip member) is reported as a warning naming the file and line, and
// reading goes on with the next record: one bad record never loses the rest.
// A file that cannot be opened at all is an error.

#include "io/fasta_reader.h"
#include "util/expected.h"

#include <QString>
#include <QStringList>

#include <memory>
#include <optional>
#include <string>

namespace bioforge::viral {

struct SourceContig {
    int file = 0;
    std::string id;
    std::string sequence; // upper case
};

class ContigSource {
public:
    explicit ContigSource(QStringList files) : m_files(std::move(files)) {}

    // The next contig, nullopt at the end of the last file.
    core::Expected<std::optional<SourceContig>> next();
    const QStringList& warnings() const { return m_warnings; }
    // Bytes read so far over all files, and their total size (for progress).
    qint64 bytesRead() const;
    qint64 totalBytes() const;

private:
    QStringList m_files;
    int m_current = -1;
    std::unique_ptr<core::FastaReader> m_reader;
    qint64 m_doneBytes = 0;
    QStringList m_warnings;
};

} // namespace bioforge::viral
