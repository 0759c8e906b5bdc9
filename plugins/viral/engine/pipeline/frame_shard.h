#pragma once

// One shard of a run: at most the configured number of frames (whatever the
// contig lengths) and the contigs they belong to. A contig with more frames
// than fit goes on in the next shard: its entry is repeated there, marked as
// continued, and its entry here is marked as continuing. It is the unit of
// work and of checkpointing for every later stage. Stored in a checkpoint as
// state (the contigs) plus a blob (the frames, one TSV line each).

#include "util/expected.h"

#include <QByteArray>
#include <QJsonObject>
#include <QString>

#include <string>
#include <vector>

namespace bioforge::viral {

struct ShardContig {
    int file = 0;           // index into the run's inputs
    std::string id;
    int64_t length = 0;
    QString sha256;         // of the upper-cased sequence
    int chunks = 0;
    bool reused = false;    // its result comes from an earlier run (no frames here)
    bool continued = false; // its first frames are in an earlier shard
    bool continues = false; // more of its frames follow in the next shard
};

struct ShardFrame {
    int contig = 0;         // index into FrameShard::contigs
    int chunk = 0;          // 1-based
    std::string frame;      // "F1" … "R3"
    std::string nucleotide;
    std::string protein;
};

struct FrameShard {
    std::vector<ShardContig> contigs;
    std::vector<ShardFrame> frames;

    // "<contig>_chunk_<i><frame>", the reference's frame id.
    std::string frameId(size_t frame) const;
    // A digest of the frame ids and sequences: later stages check they worked on the same frames.
    QString digest() const;

    QJsonObject state() const;
    QByteArray framesBlob() const;
    static core::Expected<FrameShard> fromCheckpoint(const QJsonObject& state, const QByteArray& framesBlob, const QString& key);
};

} // namespace bioforge::viral
