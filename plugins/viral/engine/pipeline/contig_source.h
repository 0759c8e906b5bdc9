#pragma once

// The contigs of a run's FASTA files, one after the other, upper-cased as the
// reference does, an RNA sequence's U read as T (one warning a file). What it
// takes and what it refuses:
//  - a file that is not nucleotide FASTA (empty, FASTQ, BAM, bzip2, …: see
//    core::FastaReader) or in which no record is usable (e.g. a protein FASTA)
//    is skipped with a warning naming it, and the other files are read; when
//    every file is skipped, the end is an error naming each;
//  - a file that cannot be opened, and a damaged compressed stream (a
//    truncated gzip never yields a shorter contig), are errors;
//  - a bad record (an empty sequence, an over-long id, protein letters, bytes
//    that are not text) is a warning naming the file and line, and reading
//    goes on with the next record: one bad record never loses the rest;
//  - a record holding both T and U, and a contig at least half N (its call
//    rests on few bases), are warnings;
//  - a contig id seen before in the run (ids are the header up to the first
//    white space) is renamed "<id>#<n>", with a warning, so that every output
//    row names one record.
// Warnings are collected in order; takeWarnings() hands over the new ones.

#include "io/fasta_reader.h"
#include "util/expected.h"

#include <QHash>
#include <QString>
#include <QStringList>

#include <memory>
#include <optional>
#include <string>

namespace bioforge::viral {

struct SourceContig {
    int file = 0;
    std::string id;       // unique within the run
    std::string sequence; // upper case, U as T
};

class ContigSource {
public:
    explicit ContigSource(QStringList files) : m_files(std::move(files)) {}

    // The next contig, nullopt at the end of the last file.
    core::Expected<std::optional<SourceContig>> next();
    // Warnings since the last call, each naming its file and line.
    QStringList takeWarnings() { return std::exchange(m_warnings, {}); }
    // After next() returned an error: whether the cause is what a file holds (empty, not nucleotide
    // FASTA, a damaged compressed stream, no usable record), which a resume would read the same way
    // (core::JobFailure::needingNewRun), rather than a file that could not be opened (missing,
    // unreadable), which may be mended outside the run.
    bool inputAtFault() const { return m_inputAtFault; }
    // Bytes read so far over all files, and their total size (for progress).
    qint64 bytesRead() const;
    qint64 totalBytes() const;

private:
    core::Status finishFile();
    void skipFile(const QString& why);
    QString uniqueId(const QString& id, qint64 line);

    QStringList m_files;
    int m_current = -1;
    std::unique_ptr<core::FastaReader> m_reader;
    qint64 m_doneBytes = 0;
    QStringList m_warnings;
    int m_fileRecords = 0;       // usable records of the current file
    qint64 m_contigs = 0;        // contigs given, over all files
    QStringList m_skippedFiles;  // why each file skipped was
    QStringList m_fileProblems;  // skipped records of the current file
    QHash<QString, QString> m_seen; // id -> "file:line" of its first record
    // Repeated ids: the first kNamedRepeats named one by one, the rest counted and said once at
    // the end (two assemblies of one sample repeat every NODE_i: thousands of lines).
    static constexpr int kNamedRepeats = 10;
    qint64 m_repeats = 0;
    int m_uracilWarnedFile = -1;    // the file whose U -> T was said
    int m_mixedWarnedFile = -1;     // the file whose record of both T and U was said
    // Contigs at least half N: the first kNamedMostlyN named, the rest counted and said at the end.
    static constexpr int kNamedMostlyN = 10;
    qint64 m_mostlyN = 0;
    // Records read otherwise than written (FastaRecord::notes: a Latin-1 description, a header
    // joined to a sequence line): the first kNamedNotes named, the rest counted and said at the end.
    static constexpr int kNamedNotes = 10;
    qint64 m_notes = 0;
    bool m_countsSummarised = false; // the three counts past their named ones, said once at the end
    int m_gapWarnedFile = -1;       // the file whose removed gaps were said
    bool m_inputAtFault = false;    // inputAtFault()
};

} // namespace bioforge::viral
