// Checkpoint entries read back (core/checkpoint): a valid entry is saved once
// (state.json, tensors.safetensors, one blob, manifest.json) and written back
// as saved before every input, then one of its files — the first input byte
// picks which — is replaced by the rest of the input, as a crash, a full disk or a copy from another machine could leave
// it. Invariants:
//  - load() either gives the entry or an error whose message names the key;
//  - an entry that loads is the one saved: its state, tensor and blob are
//    exactly the saved ones (a manifest can only be accepted if it describes
//    the files that are there; a changed data file is never accepted);
//  - loadOrDiscard() of a bad entry removes it, so the next run recomputes it
//    (hasManifest() is false afterwards) and never loads it twice.

#include "checkpoint/checkpoint_store.h"
#include "fuzz_support.h"
#include "io/safetensors_writer.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QJsonObject>

#include <cstdio>
#include <cstdlib>

using namespace bioforge;

namespace {

const char* const kKey = "stage/shard-0003";

QString rootDir()
{
    static const QString root = QDir::temp().filePath(QStringLiteral("bioforge-fuzz-checkpoint-%1").arg(QCoreApplication::applicationPid()));
    return root;
}

const QJsonObject& savedState()
{
    static const QJsonObject state{{QStringLiteral("contigs"), 17}, {QStringLiteral("next"), QStringLiteral("contig_18")},
                                   {QStringLiteral("done"), false}};
    return state;
}

const QByteArray kBlob("frame table\n1\t2\t3\n");

void saveEntry(core::CheckpointStore& store)
{
    core::SafetensorsWriter tensors;
    (void)tensors.addF32(QStringLiteral("embedding"), {2, 3}, {0.5f, -1.0f, 2.0f, 3.5f, 0.0f, 1e-3f});
    if (auto st = store.save(QString::fromLatin1(kKey), savedState(), &tensors, {{QStringLiteral("frames.tsv"), kBlob}}); !st) {
        std::fprintf(stderr, "fuzz: cannot save the checkpoint: %s\n", qPrintable(st.error().message()));
        std::abort();
    }
}

// The saved entry's files, as save() wrote them: made once per process, then written back
// before each input (save() itself — atomic writes, fsync — is not what is fuzzed, and was most of
// the time of an input: docs/reliability.md).
struct SavedEntry {
    QString dir;
    QByteArray bytes[4];
};

const char* const kFiles[] = {core::CheckpointStore::kManifestName, core::CheckpointStore::kStateName, core::CheckpointStore::kTensorsName,
                              "frames.tsv"};

const SavedEntry& savedEntry()
{
    static const SavedEntry entry = [] {
        QDir(rootDir()).removeRecursively();
        core::CheckpointStore store(rootDir(), 3);
        saveEntry(store);
        SavedEntry e;
        e.dir = *store.entryDir(QString::fromLatin1(kKey));
        for (int i = 0; i < 4; ++i) {
            QFile in(QDir(e.dir).filePath(QString::fromLatin1(kFiles[i])));
            if (!in.open(QIODevice::ReadOnly)) {
                std::fprintf(stderr, "fuzz: cannot read back the saved %s\n", kFiles[i]);
                std::abort();
            }
            e.bytes[i] = in.readAll();
        }
        return e;
    }();
    return entry;
}

bool writeFile(const QString& path, const char* data, qint64 size)
{
    QFile out(path);
    return out.open(QIODevice::WriteOnly | QIODevice::Truncate) && out.write(data, size) == size;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    if (size == 0)
        return 0;
    const SavedEntry& saved = savedEntry();
    core::CheckpointStore store(rootDir(), 3);
    const QString& dir = saved.dir;
    // BIOFORGE_FUZZ_WRITE_SEEDS=<folder>: write the saved files as seeds (one per file) and stop.
    if (const QString seeds = qEnvironmentVariable("BIOFORGE_FUZZ_WRITE_SEEDS"); !seeds.isEmpty()) {
        for (int i = 0; i < 4; ++i) {
            const QByteArray seed = QByteArray(1, char(i)) + saved.bytes[i];
            (void)writeFile(QDir(seeds).filePath(QStringLiteral("seed_%1").arg(QString::fromLatin1(kFiles[i]))), seed.constData(), seed.size());
        }
        std::exit(0);
    }
    // The entry as saved (a previous input may have changed a file or had it discarded), with the
    // file the first byte picks replaced by the rest of the input.
    const int which = data[0] % 4;
    if (!QDir().mkpath(dir))
        return 0;
    for (int i = 0; i < 4; ++i) {
        const QString path = QDir(dir).filePath(QString::fromLatin1(kFiles[i]));
        const bool written = i == which ? writeFile(path, reinterpret_cast<const char*>(data + 1), qint64(size - 1))
                                        : writeFile(path, saved.bytes[i].constData(), saved.bytes[i].size());
        if (!written)
            return 0;
    }

    auto loaded = store.load(QString::fromLatin1(kKey));
    if (!loaded) {
        fuzz::require(loaded.error().message().contains(QString::fromLatin1(kKey)), "an error that does not name the key", loaded.error().message());
        auto discarded = store.loadOrDiscard(QString::fromLatin1(kKey));
        fuzz::require(!discarded.has_value(), "loadOrDiscard loaded an entry that load refused");
        fuzz::require(!store.hasManifest(QString::fromLatin1(kKey)), "a bad entry left in place after loadOrDiscard");
        return 0;
    }
    fuzz::require(loaded->state == savedState(), "a loaded state that is not the saved one");
    fuzz::require(loaded->blobs.value(QStringLiteral("frames.tsv")) == kBlob, "a loaded blob that is not the saved one");
    fuzz::require(loaded->tensors != nullptr, "the saved tensors missing from a loaded entry");
    auto values = loaded->tensors->toFloat(QStringLiteral("embedding"));
    fuzz::require(values.hasValue() && *values == std::vector<float>{0.5f, -1.0f, 2.0f, 3.5f, 0.0f, 1e-3f}, "loaded tensors that are not the saved ones");
    return 0;
}
