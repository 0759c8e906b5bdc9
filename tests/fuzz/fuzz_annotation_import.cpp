// A provider's bulk file imported into the annotation library (every source's
// every part: HGNC, gnomAD constraint, GTEx, ClinVar, HPO and its ontology,
// MGI, Ensembl GTF and MANE, UniProt, STRING, PubTator3, Descartes, …; the
// first input byte picks the part, the rest is the file, plain text), then one
// gene annotated from what was imported. Invariants: an import either gives a
// release or an error whose message names the file; a release that imports
// is the active one of its part afterwards; annotating a gene from it gives a
// value or an error with a message, never a crash.
// BIOFORGE_FUZZ_LIST_PARTS=1 prints the parts with their first bytes;
// BIOFORGE_FUZZ_VERBOSE=1 says what each import gave (for keeping the seeds useful).

#include "fuzz_support.h"
#include "pipeline/bulk_import.h"
#include "sources/annotation_source.h"
#include "store/bulk_library.h"

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>

#include <cstdio>
#include <cstdlib>

using namespace bioforge;
using namespace bioforge::annotation;

namespace {

struct Part {
    std::shared_ptr<const AnnotationSource> source;
    QString part;
};

const QList<Part>& parts()
{
    static const QList<Part> all = [] {
        QList<Part> out;
        for (const auto& s : allSources())
            for (const BulkPart& p : s->parts())
                out << Part{s, p.id};
        return out;
    }();
    return all;
}

void removeLibrary(const QString& path)
{
    for (const char* suffix : {"", "-wal", "-shm", "-journal"})
        QFile::remove(path + QLatin1String(suffix));
}

// One library for the whole run, opened once (opening it — the schema read, the pragmas, the
// statements prepared — was most of an input's cost) and emptied before each input: every release
// deleted, its rows with it (ON DELETE CASCADE), so release ids start again at 1 (INTEGER PRIMARY KEY
// without AUTOINCREMENT) and an input sees the same library whatever ran before it. Emptying it
// begins a transaction, which also checks that the previous input's import, whatever became of it,
// left none open on the connection.
BulkLibrary& emptyLibrary()
{
    static BulkLibrary* const library = [] {
        const QString path = QDir::temp().filePath(QStringLiteral("bioforge-fuzz-annotation-%1.sqlite").arg(QCoreApplication::applicationPid()));
        removeLibrary(path);
        auto opened = BulkLibrary::open(path);
        fuzz::require(opened.hasValue(), "a fresh annotation library does not open", opened ? QString() : opened.error().message());
        return opened->release(); // lives as long as the process, as the connection's cached statements do
    }();
    SqliteDb& db = library->db();
    auto begun = db.begin();
    fuzz::require(begun.hasValue(), "an import left a transaction open on the library", begun ? QString() : begun.error().message());
    auto deleteAll = db.statement(QStringLiteral("DELETE FROM release"));
    fuzz::require(deleteAll.hasValue(), "the library cannot be emptied", deleteAll ? QString() : deleteAll.error().message());
    auto emptied = db.run(**deleteAll);
    fuzz::require(emptied.hasValue(), "the library cannot be emptied", emptied ? QString() : emptied.error().message());
    auto committed = db.commit();
    fuzz::require(committed.hasValue(), "emptying the library does not commit", committed ? QString() : committed.error().message());
    return *library;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    if (qEnvironmentVariableIsSet("BIOFORGE_FUZZ_LIST_PARTS")) {
        for (int i = 0; i < parts().size(); ++i)
            std::printf("%d\t%s\t%s\n", i, qPrintable(parts()[i].source->id()), qPrintable(parts()[i].part));
        std::exit(0);
    }
    if (size == 0)
        return 0;
    const Part& p = parts()[data[0] % parts().size()];
    const QString path = fuzz::writeInput(data + 1, size - 1, ".txt");
    BulkLibrary& library = emptyLibrary();
    auto release = importBulkFile(library, {p.source->id(), path, p.part, {}, {}, {}});
    static const bool verbose = qEnvironmentVariableIsSet("BIOFORGE_FUZZ_VERBOSE");
    if (verbose)
        std::fprintf(stderr, "%s/%s: %s\n", qPrintable(p.source->id()), qPrintable(p.part),
                     release ? qPrintable(QStringLiteral("imported %1 rows").arg(release->rows)) : qPrintable(release.error().message()));
    if (!release) {
        fuzz::requireNamesFile(release.error().message(), path);
        return 0;
    }
    auto active = library.activeRelease(p.source->id(), p.part);
    fuzz::require(active.hasValue() && active->has_value(), "an imported release that is not active");
    QHash<QString, ReleaseInfo> imported{{p.part, **active}};
    GeneRecord gene;
    gene.symbol = QStringLiteral("PKD1");
    gene.hgncId = QStringLiteral("HGNC:9008");
    gene.key = gene.hgncId;
    gene.ncbiGeneId = QStringLiteral("5310");
    gene.ensemblGeneId = QStringLiteral("ENSG00000008710");
    gene.uniprotIds = {QStringLiteral("P98161")};
    ListContext list;
    list.symbols = {gene.symbol, QStringLiteral("PKD2")};
    auto value = p.source->annotate(gene, BulkView(library, imported), list);
    if (!value)
        fuzz::require(!value.error().message().isEmpty(), "an empty error from annotate()");
    return 0;
}
