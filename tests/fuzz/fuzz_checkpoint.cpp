// Checkpoint entries read back (core/checkpoint): a valid entry is saved
// (state.json, tensors.safetensors, one blob, manifest.json), then one of its
// files — the first input byte picks which — is replaced by the rest of the
// input, as a crash, a full disk or a copy from another machine could leave
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

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    if (size == 0)
        return 0;
    QDir(rootDir()).removeRecursively();
    core::CheckpointStore store(rootDir(), 3);
    saveEntry(store);
    const QString dir = *store.entryDir(QString::fromLatin1(kKey));
    static const char* const files[] = {core::CheckpointStore::kManifestName, core::CheckpointStore::kStateName,
                                        core::CheckpointStore::kTensorsName, "frames.tsv"};
    const int which = data[0] % 4;
    const QString path = QDir(dir).filePath(QString::fromLatin1(files[which]));
    // BIOFORGE_FUZZ_WRITE_SEEDS=<folder>: write the saved files as seeds (one per file) and stop.
    if (const QString seeds = qEnvironmentVariable("BIOFORGE_FUZZ_WRITE_SEEDS"); !seeds.isEmpty()) {
        for (int i = 0; i < 4; ++i) {
            QFile in(QDir(dir).filePath(QString::fromLatin1(files[i])));
            QFile seed(QDir(seeds).filePath(QStringLiteral("seed_%1").arg(QString::fromLatin1(files[i]))));
            if (in.open(QIODevice::ReadOnly) && seed.open(QIODevice::WriteOnly))
                seed.write(QByteArray(1, char(i)) + in.readAll());
        }
        std::exit(0);
    }
    QFile out(path);
    if (!out.open(QIODevice::WriteOnly | QIODevice::Truncate))
        return 0;
    out.write(reinterpret_cast<const char*>(data + 1), qint64(size - 1));
    out.close();

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
