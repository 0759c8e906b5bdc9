// FASTA, plain or gzip (the first byte picks the name's suffix and the
// alphabet), then VirNucPro's chunker and six-frame translation on every
// record, as the viral pipeline runs them. Invariants: a record has an id and
// no white space in its sequence; chunks tile the contig in order within it;
// every kept frame's protein is non-empty, stop-free and at most a third of
// the chunk; an error names the file.

#include "fuzz_support.h"
#include "io/fasta_reader.h"
#include "sequence/chunker.h"
#include "sequence/six_frames.h"

using namespace bioforge;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    const uint8_t mode = size > 0 ? data[0] : 0;
    const QString path = fuzz::writeInput(data, size, (mode & 1) ? ".fa.gz" : ".fa");
    core::FastaLimits limits;
    limits.maxSequenceLength = 1 << 20;
    limits.alphabet = (mode & 2) ? core::SequenceAlphabet::Nucleotide : core::SequenceAlphabet::Any;
    auto reader = core::FastaReader::open(path, limits);
    if (!reader) {
        fuzz::requireNamesFile(reader.error().message(), path);
        return 0;
    }
    for (int n = 0; n < 1'000'000; ++n) {
        auto record = (*reader)->next();
        if (!record) {
            fuzz::requireNamesFile(record.error().message(), path);
            if ((*reader)->streamFailed())
                break;
            continue;
        }
        if (!*record)
            break;
        const core::FastaRecord& r = **record;
        fuzz::require(!r.id.isEmpty(), "a record without an id");
        for (char c : r.sequence)
            fuzz::require(c != ' ' && c != '\t' && c != '\n' && c != '\r', "white space in a sequence", r.id);
        const std::string sequence = r.sequence.toUpper().toStdString();
        const int64_t length = 1 + (mode >> 2) * 7; // chunk lengths 1 .. 442
        int64_t covered = 0;
        for (const viral::ChunkSpan& c : viral::chunkLayout(int64_t(sequence.size()), length)) {
            fuzz::require(c.start >= 0 && c.length > 0 && c.length <= length && c.start + c.length <= int64_t(sequence.size()), "a chunk outside its contig");
            fuzz::require(c.start <= covered, "a gap between chunks");
            covered = std::max(covered, c.start + c.length);
            const std::string_view chunk = std::string_view(sequence).substr(size_t(c.start), size_t(c.length));
            for (const viral::TranslatedFrame& f : viral::translateSixFrames(chunk))
                fuzz::require(!f.protein.empty() && f.protein.find('*') == std::string::npos && f.protein.size() * 3 <= chunk.size(), "a kept frame", QString::fromStdString(f.name));
        }
        fuzz::require(covered == int64_t(sequence.size()), "chunks that do not cover the contig");
    }
    return 0;
}
