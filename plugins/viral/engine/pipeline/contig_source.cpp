#include "pipeline/contig_source.h"

#include <QFile>
#include <QFileInfo>

#include <algorithm>
#include <cctype>

namespace bioforge::viral {

using core::Error;

core::Status ContigSource::finishFile()
{
    const QString path = m_reader->path();
    m_doneBytes += m_reader->fileSize();
    m_reader.reset();
    if (m_fileRecords > 0)
        return core::okStatus();
    return Error(QStringLiteral("%1: no usable nucleotide record (%2 skipped; the first: %3)")
                     .arg(path, QString::number(m_fileProblems.size()), m_fileProblems.value(0)));
}

void ContigSource::skipFile(const QString& why)
{
    m_skippedFiles << why;
    m_warnings << why + QStringLiteral(" (file skipped: the run goes on with the other inputs)");
}

QString ContigSource::uniqueId(const QString& id, qint64 line)
{
    const QString here = QStringLiteral("%1:%2").arg(m_files[m_current], QString::number(line));
    if (!m_seen.contains(id)) {
        m_seen.insert(id, here);
        return id;
    }
    QString renamed;
    for (int n = 2;; ++n) {
        renamed = QStringLiteral("%1#%2").arg(id, QString::number(n));
        if (!m_seen.contains(renamed))
            break;
    }
    m_seen.insert(renamed, here);
    if (++m_repeats <= kNamedRepeats)
        m_warnings << QStringLiteral("%1: contig id '%2' was already used by the record at %3 (ids end at the first space); "
                                     "this record is reported as '%4'")
                          .arg(here, id, m_seen.value(id), renamed);
    return renamed;
}

core::Expected<std::optional<SourceContig>> ContigSource::next()
{
    m_inputAtFault = false; // said of the error this call returns
    for (;;) {
        if (!m_reader) {
            if (m_current + 1 >= m_files.size()) {
                if (!m_countsSummarised) { // past the first few named, the rest counted once, at the end
                    m_countsSummarised = true;
                    const auto more = [this](qint64 count, int named, const QString& what, const QString& why) {
                        if (count > named)
                            m_warnings << QStringLiteral("%1 more %2 (%3 in all; the first %4 are named above): %5").arg(count - named).arg(what).arg(count).arg(named).arg(why);
                    };
                    more(m_mostlyN, kNamedMostlyN, QStringLiteral("contigs are at least half N"), QStringLiteral("their calls rest on few bases"));
                    more(m_notes, kNamedNotes, QStringLiteral("records were read otherwise than written"),
                         QStringLiteral("descriptions that are not UTF-8 read as Latin-1, headers joined to a sequence line"));
                    more(m_repeats, kNamedRepeats, QStringLiteral("records repeat the id of an earlier record"),
                         QStringLiteral("each is reported as ID#2, ID#3, … — input files of one sample's assemblies often number their contigs alike "
                                        "(NODE_1, …); rename them per file to tell them apart"));
                }
                // Every file skipped: the run has nothing to work on, and says why of each.
                if (m_contigs == 0 && !m_skippedFiles.isEmpty()) {
                    m_inputAtFault = true;
                    return Error(m_skippedFiles.size() == 1 ? m_skippedFiles.first()
                                                            : QStringLiteral("no input holds a usable contig: %1").arg(m_skippedFiles.join(QStringLiteral("; "))));
                }
                return std::optional<SourceContig>();
            }
            ++m_current;
            core::FastaLimits limits;
            limits.alphabet = core::SequenceAlphabet::Nucleotide;
            auto reader = core::FastaReader::open(m_files[m_current], limits);
            if (!reader) {
                // Refused for what it holds where the file opens now (not a missing or unreadable file,
                // nor one the system would not open: too many open files, a stale network handle):
                // skipped, the other inputs read (one empty assembly stopped a batch of 50: trial 24
                // T24-4). One that cannot be opened may be mended outside the run: it fails the run.
                // A damaged compressed stream (Kind::Io) fails the run, as one met later does.
                QFile probe(m_files[m_current]);
                const bool opens = QFileInfo(m_files[m_current]).isFile() && probe.open(QIODevice::ReadOnly);
                if (opens && reader.error().kind() == core::Error::Kind::Io) {
                    m_inputAtFault = true;
                    return reader.error();
                }
                if (opens) {
                    m_doneBytes += QFileInfo(m_files[m_current]).size();
                    skipFile(reader.error().message());
                    continue;
                }
                return reader.error();
            }
            m_reader = std::move(*reader);
            m_fileRecords = 0;
            m_fileProblems.clear();
        }
        auto record = m_reader->next();
        if (!record) {
            if (m_reader->streamFailed()) {
                m_inputAtFault = true;
                return record.error(); // a broken file is never read as a shorter one
            }
            m_warnings << record.error().message() + QStringLiteral(" (record skipped)");
            m_fileProblems << record.error().message();
            continue;
        }
        if (!*record) {
            if (core::Status st = finishFile(); !st)
                skipFile(st.error().message()); // no record of it was read: none is lost
            continue;
        }
        for (const QString& note : (*record)->notes) // read otherwise than written (a Latin-1 description, a header joined to a line)
            if (++m_notes <= kNamedNotes)
                m_warnings << note;
        // An aligned contig's gaps ('-', '.') are not bases: kept, they would shift every chunk and
        // codon after them and count in its length. Removed, said once a file.
        QByteArray& bases = (*record)->sequence;
        const qsizetype before = bases.size();
        bases.removeIf([](char ch) { return ch == '-' || ch == '.'; });
        if (bases.isEmpty()) {
            const QString why = QStringLiteral("%1:%2: record '%3' holds only gap characters ('-', '.')")
                                    .arg(m_files.at(m_current), QString::number((*record)->headerLine), (*record)->id);
            m_warnings << why + QStringLiteral(" (record skipped)");
            m_fileProblems << why;
            continue;
        }
        if (bases.size() < before && m_gapWarnedFile != m_current) {
            m_gapWarnedFile = m_current;
            m_warnings << QStringLiteral("%1:%2: record '%3' holds %4 alignment gap character(s) ('-' or '.'): removed, the contig read as its %5 bases "
                                         "(said once for this file)")
                              .arg(m_files.at(m_current), QString::number((*record)->headerLine), (*record)->id, QString::number(before - bases.size()),
                                   QString::number(bases.size()));
        }
        ++m_fileRecords;
        ++m_contigs;
        SourceContig c;
        c.file = m_current;
        const qint64 headerLine = (*record)->headerLine;
        c.id = uniqueId((*record)->id, headerLine).toStdString();
        c.sequence.assign((*record)->sequence.constData(), size_t((*record)->sequence.size()));
        record->reset(); // the file's copy goes now: one copy of a long contig, not three
        // Upper case; an RNA sequence's U read as T: the codon table, the reverse complement and
        // DNABERT-S's vocabulary are DNA's (a U would drop every codon holding it: no stop codon
        // could ever be read, and every frame would look open). Said once a file.
        int64_t uracils = 0, thymines = 0, unknown = 0;
        std::transform(c.sequence.begin(), c.sequence.end(), c.sequence.begin(), [&](unsigned char ch) {
            const char up = char(std::toupper(ch));
            uracils += up == 'U';
            thymines += up == 'T';
            unknown += up == 'N';
            return up == 'U' ? 'T' : up;
        });
        const auto here = [&] { return QStringLiteral("%1:%2").arg(m_files.at(m_current), QString::number(headerLine)); };
        if (uracils > 0 && thymines > 0 && m_mixedWarnedFile != m_current) { // RNA has no T, DNA no U
            m_mixedWarnedFile = m_current;
            m_uracilWarnedFile = m_current;
            m_warnings << QStringLiteral("%1: record '%2' holds both T (%3) and U (%4): read with each U as T, but a sequence of both may be damaged "
                                         "or two joined (said once for this file)")
                              .arg(here(), QString::fromStdString(c.id), QString::number(thymines), QString::number(uracils));
        } else if (uracils > 0 && m_uracilWarnedFile != m_current) {
            m_uracilWarnedFile = m_current;
            m_warnings << QStringLiteral("%1: record '%2' holds U (an RNA sequence): read as DNA, each U as T (said once for this file)")
                              .arg(here(), QString::fromStdString(c.id));
        }
        // Mostly N (a scaffold's gaps): a call, if it gets one, rests on the few other bases (codons
        // holding N are not read); an all-N contig has no call at all and is said with the unscored
        // ones. The share is rounded down: never "100 %" beside bases that are not N.
        const auto length = int64_t(c.sequence.size());
        if (unknown < length && 2 * unknown >= length && ++m_mostlyN <= kNamedMostlyN)
            m_warnings << QStringLiteral("%1: contig '%2' is %3 % N (%4 of %5 bases): a call rests on its %6 bases that are not N")
                              .arg(here(), QString::fromStdString(c.id), QString::number(100 * unknown / length), QString::number(unknown),
                                   QString::number(length), QString::number(length - unknown));
        return std::optional<SourceContig>(std::move(c));
    }
}

qint64 ContigSource::bytesRead() const { return m_doneBytes + (m_reader ? m_reader->bytesConsumed() : 0); }

qint64 ContigSource::totalBytes() const
{
    qint64 total = 0;
    for (const QString& f : m_files)
        total += QFileInfo(f).size();
    return total;
}

} // namespace bioforge::viral
