#pragma once

// One shard of a run: whole contigs (a contig never spans two shards) and the
// frames their chunks kept after six-frame translation. It is the unit of
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
