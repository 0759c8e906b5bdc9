// Benchmarks of the annotation plugin's offline path (figures in
// docs/performance.md). Prints figures; asserts nothing. Provider files are
// synthesized in their real layouts for G genes (SYN1…, with HGNC, Ensembl,
// NCBI and UniProt ids) in $BIOFORGE_BENCH_DIR/annotation-G/.
//
//   bench_annotation import [--genes 20000] [--clinvar-rows 4000000]
//       writes the files (once), imports each into a fresh library:
//       seconds, MB/s of the file as stored and decompressed, rows, peak RSS.
//   bench_annotation annotate --genes N [--library-genes 20000]
//       annotates the first N genes against every source from that library
//       (run `import` first): seconds, genes/s, peak RSS. Run it for 2000
//       and 20000 in separate processes (peak RSS is per process).
//   bench_annotation online --genes N [--rate 50]
//       gnomAD's constraint for N genes from its GraphQL API, served on
//       loopback with the host limited to `rate` requests/s (the identities
//       from the `import` library): genes/s as a fraction of that ceiling.

#include "checkpoint/checkpoint_store.h"
#include "jobs/clock.h"
#include "jobs/job_context.h"
#include "log/logging.h"
#include "pipeline/annotate_job.h"
#include "pipeline/bulk_import.h"
#include "provenance/provenance_recorder.h"
#include "provider_server.h"

#include "bench_support.h"

#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>

#include <zlib.h>

#include <cstdio>
#include <functional>
#include <random>

using namespace bioforge;
using namespace bioforge::annotation;
using namespace bioforge::bench;

namespace {

QString genesDir(long genes) { return QDir(benchDir()).filePath(QStringLiteral("annotation-%1").arg(genes)); }

// Writes a file line by line (gzip when the name ends in .gz) unless it exists; returns the decompressed size.
qint64 writeFile(const QString& path, const std::function<bool(QByteArray&)>& nextLine)
{
    if (QFileInfo::exists(path + QStringLiteral(".size")))
        return QString::fromLatin1([&] {
                   QFile f(path + QStringLiteral(".size"));
                   f.open(QIODevice::ReadOnly);
                   return f.readAll();
               }())
            .toLongLong();
    const bool gz = path.endsWith(QLatin1String(".gz"));
    gzFile z = gz ? gzopen(QFile::encodeName(path).constData(), "wb6") : nullptr;
    QFile plain(path);
    if (!gz)
        plain.open(QIODevice::WriteOnly);
    qint64 bytes = 0;
    QByteArray buffer, line;
    for (;;) {
        line.clear();
        const bool more = nextLine(line);
        if (!line.isEmpty()) {
            buffer += line;
            buffer += '\n';
        }
        if (buffer.size() > (1 << 20) || !more) {
            bytes += buffer.size();
            if (gz)
                gzwrite(z, buffer.constData(), unsigned(buffer.size()));
            else
                plain.write(buffer);
            buffer.clear();
        }
        if (!more)
            break;
    }
    if (gz)
        gzclose(z);
    QFile size(path + QStringLiteral(".size"));
    size.open(QIODevice::WriteOnly);
    size.write(QByteArray::number(bytes));
    return bytes;
}

QByteArray sym(long i) { return "SYN" + QByteArray::number(i); }
QByteArray ensg(long i) { return "ENSG" + QByteArray::number(10000000000LL + i); }
QByteArray ncbi(long i) { return QByteArray::number(200000 + i); }

struct File {
    QString source, name;
    qint64 plainBytes = 0;
};

QList<File> synthesize(const QString& dir, long genes, long clinvarRows)
{
    QDir().mkpath(dir);
    std::mt19937_64 rng(7);
    std::uniform_real_distribution<double> u(0, 1);
    QList<File> files;
    auto add = [&](const char* source, const char* name, const std::function<bool(QByteArray&)>& gen) {
        files.append({QLatin1String(source), QDir(dir).filePath(QLatin1String(name)), writeFile(QDir(dir).filePath(QLatin1String(name)), gen)});
    };
    long i = -1;
    add("hgnc", "hgnc_complete_set.txt", [&](QByteArray& l) {
        if (i < 0)
            l = "hgnc_id\tsymbol\tname\tlocus_group\tlocus_type\tstatus\tlocation\talias_symbol\tprev_symbol\tentrez_id\tensembl_gene_id\tuniprot_ids\tmane_select\tdate_modified";
        else
            l = "HGNC:" + QByteArray::number(100000 + i) + '\t' + sym(i) + "\tsynthetic gene " + QByteArray::number(i) + "\tprotein-coding gene\tgene with protein product\tApproved\t1p36\t\"" +
                sym(i) + "A|" + sym(i) + "B\"\t" + sym(i) + "OLD\t" + ncbi(i) + '\t' + ensg(i) + "\tQ" + QByteArray::number(10000 + i) + "\t\"ENST" +
                QByteArray::number(20000000000LL + i) + ".1|NM_" + QByteArray::number(100000 + i) + ".1\"\t2025-01-01";
        return ++i < genes;
    });
    i = -1;
    add("gnomad", "gnomad.v4.1.constraint_metrics.tsv", [&](QByteArray& l) {
        if (i < 0)
            l = "gene\tgene_id\ttranscript\tcanonical\tmane_select\tlof.obs\tlof.exp\tlof.oe\tlof.pLI\tlof.oe_ci.lower\tlof.oe_ci.upper\tlof.z_score\tmis.obs\tmis.exp\tmis.oe\t"
                "mis.oe_ci.lower\tmis.oe_ci.upper\tmis.z_score\tsyn.obs\tsyn.exp\tsyn.oe\tsyn.oe_ci.lower\tsyn.oe_ci.upper\tsyn.z_score\tconstraint_flags";
        else
            for (int k = 0; k < 3; ++k) // Ensembl canonical, RefSeq canonical, a non-canonical transcript
                l += (k ? "\n" : "") + sym(i) + '\t' + (k == 1 ? ncbi(i) : ensg(i)) + "\tENST" + QByteArray::number(k) + '\t' + (k < 2 ? "true" : "false") + '\t' +
                     (k == 0 ? "true" : "false") + "\t3\t20.5\t" + QByteArray::number(u(rng), 'f', 3) + "\t0.9\t0.1\t0.5\t3.2\t100\t120\t0.83\t0.7\t0.9\t1.2\t50\t48\t1.04\t0.9\t1.2\t-0.3\t[]";
        return ++i < genes;
    });
    i = -1;
    add("gtex", "GTEx_Analysis_2017-06-05_v8_RNASeQCv1.1.9_gene_median_tpm.gct.gz", [&](QByteArray& l) {
        if (i < 0) {
            l = "#1.2\n" + QByteArray::number(genes) + "\t54\nName\tDescription";
            for (int t = 0; t < 54; ++t)
                l += "\tTissue - " + QByteArray::number(t);
        } else {
            l = ensg(i) + ".5\t" + sym(i);
            for (int t = 0; t < 54; ++t)
                l += '\t' + QByteArray::number(100 * u(rng), 'f', 3);
        }
        return ++i < genes;
    });
    long row = -1;
    add("clinvar", "variant_summary.txt.gz", [&](QByteArray& l) {
        static const char* sig[] = {"Pathogenic", "Likely pathogenic", "Uncertain significance", "Benign", "Conflicting classifications of pathogenicity"};
        if (row < 0)
            l = "#AlleleID\tType\tName\tGeneID\tGeneSymbol\tHGNC_ID\tClinicalSignificance\tClinSigSimple\tLastEvaluated\tRS# (dbSNP)\tnsv/esv (dbVar)\tRCVaccession\t"
                "PhenotypeIDS\tPhenotypeList\tOrigin\tOriginSimple\tAssembly\tChromosomeAccession\tChromosome\tStart\tStop\tReferenceAllele\tAlternateAllele\t"
                "Cytogenetic\tReviewStatus\tNumberSubmitters\tGuidelines\tTestedInGTR\tOtherIDs\tSubmitterCategories\tVariationID\tPositionVCF\tReferenceAlleleVCF\tAlternateAlleleVCF";
        else {
            const long g = long(u(rng) * double(genes));
            const long variation = row / 2; // each variation on both assemblies
            l = QByteArray::number(row) + "\tsingle nucleotide variant\tNM_" + QByteArray::number(100000 + g) + ".1(" + sym(g) + "):c." + QByteArray::number(row % 5000) +
                "C>T (p.Arg" + QByteArray::number(row % 1500) + "Trp)\t" + ncbi(g) + '\t' + sym(g) + "\tHGNC:" + QByteArray::number(100000 + g) + '\t' + sig[row % 5] +
                "\t1\tJan 01, 2025\t-1\t-\tRCV000000001\tMedGen:C0000001\tSynthetic disease " + QByteArray::number(g % 300) + "\tgermline\tgermline\t" +
                (row % 2 ? "GRCh38" : "GRCh37") + "\tNC_000001.11\t1\t1000\t1000\tna\tna\t1p36\tcriteria provided, single submitter\t1\t-\tN\t-\t1\t" +
                QByteArray::number(variation) + "\t1000\tC\tT";
        }
        return ++row < clinvarRows;
    });
    i = -1;
    add("hpo", "genes_to_phenotype.txt", [&](QByteArray& l) {
        if (i < 0)
            l = "ncbi_gene_id\tgene_symbol\thpo_id\thpo_name\tfrequency\tdisease_id";
        else
            for (int k = 0; k < 15; ++k)
                l += (k ? "\n" : "") + ncbi(i) + '\t' + sym(i) + "\tHP:" + QByteArray::number(1000000 + (i * 7 + k) % 9000).mid(1) + "\tPhenotype " + QByteArray::number(k) +
                     "\t-\tOMIM:" + QByteArray::number(100000 + i % 5000);
        return ++i < genes;
    });
    i = -1;
    add("ensembl", "Homo_sapiens.GRCh38.115.chr.gtf.gz", [&](QByteArray& l) {
        if (i < 0) {
            l = "#!genome-build GRCh38.p14";
            return ++i < genes;
        }
        const qint64 start = 1000000 + qint64(i) * 50000;
        l = "1\tensembl\tgene\t" + QByteArray::number(start) + '\t' + QByteArray::number(start + 40000) + "\t.\t-\t.\tgene_id \"" + ensg(i) + "\"; gene_name \"" + sym(i) +
            "\"; gene_biotype \"protein_coding\";";
        for (int t = 0; t < 4; ++t) {
            const QByteArray tx = "ENST" + QByteArray::number(20000000000LL + i * 4 + t);
            l += "\n1\tensembl\ttranscript\t" + QByteArray::number(start) + '\t' + QByteArray::number(start + 40000 - t * 1000) + "\t.\t-\t.\tgene_id \"" + ensg(i) +
                 "\"; transcript_id \"" + tx + "\"; transcript_biotype \"protein_coding\";" + (t == 0 ? " tag \"Ensembl_canonical\";" : "");
            for (int e = 0; e < 10; ++e)
                l += "\n1\tensembl\texon\t" + QByteArray::number(start + 40000 - (e + 1) * 3000) + '\t' + QByteArray::number(start + 40000 - (e + 1) * 3000 + 200) +
                     "\t.\t-\t.\tgene_id \"" + ensg(i) + "\"; transcript_id \"" + tx + "\"; exon_number \"" + QByteArray::number(e + 1) + "\"; exon_id \"ENSE" +
                     QByteArray::number(i * 40 + t * 10 + e) + "\";";
        }
        return ++i < genes;
    });
    i = -1;
    add("string", "9606.protein.info.v12.0.txt.gz", [&](QByteArray& l) {
        l = i < 0 ? QByteArray("#string_protein_id\tpreferred_name\tprotein_size\tannotation")
                  : "9606.ENSP" + QByteArray::number(30000000000LL + i) + '\t' + sym(i) + "\t500\tSynthetic protein";
        return ++i < genes;
    });
    long link = -1;
    const long links = genes * 60;
    add("string", "9606.protein.physical.links.v12.0.txt.gz", [&](QByteArray& l) {
        if (link < 0)
            l = "protein1 protein2 combined_score";
        else
            l = "9606.ENSP" + QByteArray::number(30000000000LL + link / 60) + " 9606.ENSP" + QByteArray::number(30000000000LL + long(u(rng) * double(genes))) + ' ' +
                QByteArray::number(150 + int(850 * u(rng)));
        return ++link < links;
    });
    i = -1;
    add("uniprot", "uniprotkb_human.tsv", [&](QByteArray& l) {
        l = i < 0 ? QByteArray("Entry\tEntry Name\tReviewed\tProtein names\tGene Names\tLength\tFunction [CC]\tDomain [FT]\tPfam")
                  : "Q" + QByteArray::number(10000 + i) + '\t' + sym(i) + "_HUMAN\treviewed\tSynthetic protein\t" + sym(i) +
                        "\t500\tFUNCTION: Synthetic.\tDOMAIN 10..80; /note=\"Domain\"; DOMAIN 100..180; /note=\"Other\"\tPF00001;PF00002;";
        return ++i < genes;
    });
    i = 0;
    add("mgi", "HMD_HumanPhenotype.rpt", [&](QByteArray& l) {
        l = sym(i) + '\t' + ncbi(i) + "\tSyn" + QByteArray::number(i) + "\tMGI:" + QByteArray::number(9000000 + i) + "\tMP:0005367 MP:0005385\t";
        return ++i < genes;
    });
    i = 0;
    add("descartes", "kidney_tpm.csv", [&](QByteArray& l) {
        l = sym(i) + ',' + QByteArray::number(100 * u(rng), 'f', 3);
        return ++i < genes;
    });
    i = -1;
    add("string", "9606.protein.aliases.v12.0.txt.gz", [&](QByteArray& l) {
        if (i < 0)
            l = "#string_protein_id\talias\tsource";
        else
            l = "9606.ENSP" + QByteArray::number(30000000000LL + i) + '\t' + ensg(i) + "\tEnsembl_gene\n9606.ENSP" + QByteArray::number(30000000000LL + i) + '\t' +
                sym(i) + "\tBioMart_HUGO";
        return ++i < genes;
    });
    long pub = 0;
    const long pubs = genes * 100;
    add("pubtator", "gene2pubtator3.gz", [&](QByteArray& l) {
        l = QByteArray::number(30000000 + pub) + "\tGene\t" + ncbi(long(u(rng) * double(genes))) + "\tSYN|synthetic\tGNorm2";
        return ++pub < pubs;
    });
    return files;
}

int import(const QStringList& args)
{
    const long genes = option(args, QStringLiteral("--genes"), 20000);
    const QString dir = genesDir(genes);
    const QList<File> files = synthesize(dir, genes, option(args, QStringLiteral("--clinvar-rows"), 4000000));
    const QString libraryPath = QDir(dir).filePath(QStringLiteral("library.sqlite"));
    QFile::remove(libraryPath);
    auto library = BulkLibrary::open(libraryPath);
    if (!library)
        return 1;
    std::printf("%-10s %-60s %9s %9s %8s %9s %10s %8s\n", "source", "file", "MB", "MB plain", "s", "MB/s", "MB/s plain", "rows");
    for (const File& f : files) {
        QElapsedTimer t;
        t.start();
        auto r = importBulkFile(**library, {f.source, f.name, {}, {}, {}, {}});
        const double s = double(t.nsecsElapsed()) / 1e9;
        if (!r) {
            std::printf("%s: %s\n", qPrintable(f.name), qPrintable(r.error().message()));
            return 1;
        }
        const double mb = double(QFileInfo(f.name).size()) / 1e6, plain = double(f.plainBytes) / 1e6;
        std::printf("%-10s %-60s %9.1f %9.1f %8.2f %9.1f %10.1f %8lld\n", qPrintable(f.source), qPrintable(QFileInfo(f.name).fileName()), mb, plain, s, mb / s,
                    plain / s, (long long)r->rows);
    }
    std::printf("peak RSS %ld MiB; library %.0f MB\n", peakRssKiB() / 1024, double(QFileInfo(libraryPath).size()) / 1e6);
    return 0;
}

// Runs an annotate job in `runDir` with parameters `p`; seconds, or a negative number when it failed.
double timeAnnotateJob(const QString& runDir, const QJsonObject& p, const std::shared_ptr<HostLimits>& limits = {})
{
    core::CheckpointStore checkpoints(QDir(runDir).filePath(QStringLiteral("checkpoints")), 1);
    core::ProvenanceRecorder provenance(runDir);
    core::JobContext ctx(QStringLiteral("bench"), core::SteadyClock::instance(), {&checkpoints, &provenance, nullptr, runDir, QString()}, p);
    auto settings = AnnotateSettings::fromParameters(*annotateVerb().validate(p));
    if (!settings)
        return -1;
    if (limits)
        settings->hostLimits = limits;
    AnnotateJob job(*settings);
    QElapsedTimer t;
    t.start();
    try {
        if (job.run(ctx) != core::JobOutcome::Finished)
            return -1;
    } catch (const core::JobFailure& e) {
        std::printf("%s\n", qPrintable(e.message()));
        return -1;
    }
    return double(t.nsecsElapsed()) / 1e9;
}

int annotate(const QStringList& args)
{
    const long n = option(args, QStringLiteral("--genes"), 2000), libraryGenes = option(args, QStringLiteral("--library-genes"), 20000);
    const QString dir = genesDir(libraryGenes);
    QByteArray list;
    for (long i = 0; i < n; ++i)
        list += sym(i % libraryGenes) + '\n';
    QTemporaryDir run(QDir(dir).filePath(QStringLiteral("run-XXXXXX")));
    QJsonObject p{{QStringLiteral("genes_text"), QString::fromLatin1(list)}, {QStringLiteral("library"), QDir(dir).filePath(QStringLiteral("library.sqlite"))}};
    const QString only = textOption(args, QStringLiteral("--sources"), QString());
    if (!only.isEmpty())
        p.insert(QStringLiteral("sources"), only);
    const double s = timeAnnotateJob(run.path(), p);
    if (s < 0)
        return 1;
    const QJsonObject summary = QJsonDocument::fromJson([&] {
                                    QFile f(run.filePath(QStringLiteral("summary.json")));
                                    f.open(QIODevice::ReadOnly);
                                    return f.readAll();
                                }()).object();
    const QStringList used = summary.value(QStringLiteral("sources")).toObject().keys();
    std::printf("annotate %ld genes x %lld sources (%s; offline): %.2f s, %.0f genes/s, %.0f genes/hour; peak RSS %ld MiB\n", n, (long long)used.size(),
                qPrintable(used.join(QLatin1Char(','))), s, double(n) / s, 3600.0 * double(n) / s, peakRssKiB() / 1024);
    return 0;
}

int online(const QStringList& args)
{
    const long n = option(args, QStringLiteral("--genes"), 2000), libraryGenes = option(args, QStringLiteral("--library-genes"), 20000);
    const double rate = double(option(args, QStringLiteral("--rate"), 50));
    const QString dir = genesDir(libraryGenes);
    // A library with the identities only: every gene goes to the API.
    const QString libraryPath = QDir(dir).filePath(QStringLiteral("identities.sqlite"));
    if (!QFileInfo::exists(libraryPath)) {
        auto lib = BulkLibrary::open(libraryPath);
        if (!lib || !importBulkFile(**lib, {QStringLiteral("hgnc"), QDir(dir).filePath(QStringLiteral("hgnc_complete_set.txt")), {}, {}, {}, {}}))
            return 1;
    }
    test::ProviderServer server;
    server.route(QStringLiteral("/api"), [](const test::ProviderServer::Request& r) {
        const QString id = QJsonDocument::fromJson(r.body).object().value(QStringLiteral("variables")).toObject().value(QStringLiteral("id")).toString();
        return test::ProviderServer::json("{\"data\":{\"gene\":{\"gene_id\":\"" + id.toLatin1() +
                                          "\",\"symbol\":\"S\",\"canonical_transcript_id\":\"ENST1\",\"gnomad_constraint\":{\"pLI\":0.5,\"oe_lof_upper\":0.7,\"flags\":[]}}}}");
    });
    auto limits = std::make_shared<HostLimits>();
    limits->setPolicy(HostLimits::authority(server.url(QStringLiteral("/"))), {rate, 1, 4, QStringLiteral("bench")});
    QByteArray list;
    for (long i = 0; i < n; ++i)
        list += sym(i % libraryGenes) + '\n';
    QTemporaryDir run(QDir(dir).filePath(QStringLiteral("run-XXXXXX")));
    const QJsonObject p{{QStringLiteral("genes_text"), QString::fromLatin1(list)}, {QStringLiteral("library"), libraryPath},
                        {QStringLiteral("sources"), QStringLiteral("gnomad")}, {QStringLiteral("offline"), false},
                        {QStringLiteral("api_urls"), QStringLiteral("gnomad=") + server.url(QString()).toString()},
                        {QStringLiteral("cache"), run.filePath(QStringLiteral("cache.sqlite"))}};
    const double s = timeAnnotateJob(run.path(), p, limits);
    if (s < 0)
        return 1;
    const qsizetype requests = server.requests(QStringLiteral("/api")).size();
    std::printf("online gnomAD API, %ld genes at %.0f requests/s: %.1f s, %lld requests, %.1f genes/s = %.1f %% of the ceiling (%.0f genes/hour); peak RSS %ld MiB\n",
                n, rate, s, (long long)requests, double(n) / s, 100.0 * double(n) / s / rate, 3600.0 * double(n) / s, peakRssKiB() / 1024);
    return 0;
}

} // namespace

int main(int argc, char** argv)
{
    QCoreApplication app(argc, argv);
    core::Logging::initialize(core::Logging::Console::Off);
    const QStringList args = app.arguments();
    if (args.value(1) == QLatin1String("import"))
        return import(args);
    if (args.value(1) == QLatin1String("annotate"))
        return annotate(args);
    if (args.value(1) == QLatin1String("online"))
        return online(args);
    std::fprintf(stderr, "usage: bench_annotation import|annotate [options] (see the comment at the top of bench_annotation.cpp)\n");
    return 2;
}
