// A project database file (SQLite) with mutated bytes, as a copy between
// workstations, a full disk or another program could leave it: opened,
// migrated, its runs listed and read, the cache read and written.
// Invariants: open() either gives a store or an error whose message names the
// file; on an open store every query gives a value or an error with a message
// (never a crash, a hang or an abort); a run read back by id is the run listed.

#include "fuzz_support.h"
#include "store/project_store.h"

#include <QFile>

using namespace bioforge;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    const QString path = fuzz::writeInput(data, size, ".db");
    for (const char* sidecar : {"-wal", "-shm", "-journal"})
        QFile::remove(path + QLatin1String(sidecar));
    auto store = core::ProjectStore::open(path);
    if (!store) {
        fuzz::requireNamesFile(store.error().message(), path);
        return 0;
    }
    auto runs = (*store)->runs();
    if (!runs) {
        fuzz::require(!runs.error().message().isEmpty(), "an empty error from runs()");
    } else {
        for (const core::RunRecord& listed : *runs) {
            auto again = (*store)->run(listed.runId);
            if (again)
                fuzz::require(again->runId == listed.runId, "a run read by id that is not the one listed");
            else
                fuzz::require(!again.error().message().isEmpty(), "an empty error from run()");
        }
    }
    if (auto orphans = (*store)->orphanedRuns(); !orphans)
        fuzz::require(!orphans.error().message().isEmpty(), "an empty error from orphanedRuns()");
    if (auto cached = (*store)->cacheGet(QStringLiteral("viral/result/abc")); !cached)
        fuzz::require(!cached.error().message().isEmpty(), "an empty error from cacheGet()");
    if (auto st = (*store)->cachePut(QStringLiteral("fuzz"), QByteArray("value")); !st)
        fuzz::require(!st.error().message().isEmpty(), "an empty error from cachePut()");
    return 0;
}
