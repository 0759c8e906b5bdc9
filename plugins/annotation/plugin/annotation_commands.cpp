#include "annotation_commands.h"

#include "identity/orgdb.h"
#include "models/model_downloader.h"
#include "pipeline/bulk_import.h"
#include "sources/annotation_source.h"
#include "store/bulk_library.h"
#include "store/sqlite_read_only.h"

#include <QDir>
#include <QFile>
#include <QElapsedTimer>
#include <QFileInfo>

namespace bioforge::annotation {
namespace {

// docs/cli.md: 1 a transfer failed, 5 the library or a file could not be opened, read or written.
constexpr int kOk = 0, kFailed = 1, kUsage = 2, kFileError = 5, kNotFound = 6;

// "--name value" options out of `args`; the rest stay positional.
QString takeOption(QStringList& args, const QString& name)
{
    for (int i = 0; i < args.size(); ++i) {
        if (args[i] == name && i + 1 < args.size()) {
            const QString v = args[i + 1];
            args.remove(i, 2);
            return v;
        }
        if (args[i].startsWith(name + QLatin1Char('='))) {
            const QString v = args[i].mid(name.size() + 1);
            args.remove(i);
            return v;
        }
    }
    return {};
}

QString sourceIds()
{
    QStringList ids;
    for (const auto& s : allSources())
        ids << s->id();
    return ids.join(QStringLiteral(", "));
}

// Imports one file (streamed) into the library and prints its release.
int importFile(const QString& library, const QString& source, const QString& file, const QString& part, QTextStream& out, QTextStream& err)
{
    auto lib = BulkLibrary::open(library);
    if (!lib) {
        err << "bioforge: " << lib.error().message() << Qt::endl;
        return kFileError;
    }
    QElapsedTimer timer, lastReport;
    timer.start();
    lastReport.start();
    StreamControl control;
    control.progress = [&](qint64 done, qint64 total) {
        if (lastReport.elapsed() < 2000 || total <= 0)
            return;
        lastReport.restart();
        err << "  " << QString::number(100.0 * double(std::min(done, total)) / double(total), 'f', 1) << " % of " << QFileInfo(file).fileName() << Qt::endl;
    };
    auto release = importBulkFile(**lib, {source, file, part, {}, {}, {}}, control);
    if (!release) {
        err << "bioforge: " << release.error().message() << Qt::endl;
        return release.error().kind() == core::Error::Kind::Invalid ? kUsage : kFileError; // a part the source does not have: 2
    }
    const double seconds = double(timer.elapsed()) / 1000.0;
    out << release->source << " " << release->part << ": " << release->release << "\n  " << release->rows << " rows from " << release->fileName << " ("
        << QString::number(double(release->size) / 1e6, 'f', 1) << " MB, sha256 " << release->sha256.left(16) << "…) in " << QString::number(seconds, 'f', 1)
        << " s\n  library: " << (*lib)->path() << Qt::endl;
    if (const QString shrink = release->shrinkWarning(); !shrink.isEmpty())
        err << "warning: " << shrink << Qt::endl;
    if (const QString extract = extractWarning(*release); !extract.isEmpty())
        err << "warning: " << extract << Qt::endl;
    return kOk;
}

} // namespace

int importBulkCommand(const QStringList& given, const QString& defaultLibrary, QTextStream& out, QTextStream& err)
{
    QStringList args = given;
    if (args.contains(QStringLiteral("--help")) || args.contains(QStringLiteral("-h"))) {
        out << "usage: bioforge annotation import-bulk SOURCE FILE [--part PART] [--library FILE]\n"
               "  imports a provider's bulk file into the annotation library (one-time, streamed);\n"
               "  the part is recognised from the file unless given. orgdb's FILE may be left out: Debian's\n"
               "  r-bioc-org.hs.eg.db is found where R installs it.\n  sources: "
            << sourceIds() << "\n  bioforge annotation sources lists each source's files and what is imported" << Qt::endl;
        return kOk;
    }
    const QString part = takeOption(args, QStringLiteral("--part"));
    QString library = takeOption(args, QStringLiteral("--library"));
    if (library.isEmpty())
        library = defaultLibrary;
    if (args.size() == 1 && args[0] == QLatin1String("orgdb"))
        args << OrgDb::findInstalled();
    if (args.size() != 2 || args[1].isEmpty()) {
        err << "usage: bioforge annotation import-bulk SOURCE FILE [--part PART] [--library FILE]  (sources: " << sourceIds() << ")" << Qt::endl;
        return args.size() == 1 && args[0] == QLatin1String("orgdb") ? kNotFound : kUsage;
    }
    if (!sourceById(args[0])) {
        err << "bioforge: no annotation source '" << args[0] << "'; sources: " << sourceIds() << Qt::endl;
        return kNotFound;
    }
    if (!QFileInfo(args[1]).isFile()) {
        err << "bioforge: " << args[1] << ": no such file" << Qt::endl;
        return kNotFound;
    }
    return importFile(library, args[0], args[1], part, out, err);
}

namespace {

// Whether the library's active release of (source, part) is the file with `sha256` (said on `out`).
bool isActiveRelease(const QString& library, const QString& source, const QString& part, const QString& sha256, QTextStream& out)
{
    auto lib = BulkLibrary::open(library);
    if (!lib || sha256.isEmpty())
        return false;
    auto active = (*lib)->activeRelease(source, part);
    if (!active || !*active || (*active)->sha256 != sha256)
        return false;
    out << "  already the library's " << source << " " << part << " release (" << (*active)->release << ", " << (*active)->rows << " rows): not imported again"
        << Qt::endl;
    return true;
}

} // namespace

int downloadCommand(const QStringList& given, const QString& defaultLibrary, const QString& downloadDir, QTextStream& out, QTextStream& err)
{
    QStringList args = given;
    const char* usage = "usage: bioforge annotation download SOURCE [--part PART] [--url URL] [--dir DIR] [--library FILE] [--no-import]";
    if (args.contains(QStringLiteral("--help")) || args.contains(QStringLiteral("-h"))) {
        out << usage << "\n"
               "  downloads the provider's published files of SOURCE (or one part; --url for a mirror) with resume:\n"
               "  a broken transfer continues where it stopped, and only the same version of the file (If-Range);\n"
               "  a file is kept when its size is the one the server declared; it is then imported (streamed).\n"
               "  A second call asks the provider whether the file changed (If-None-Match / If-Modified-Since) and\n"
               "  downloads it again only then (ClinVar replaces its file weekly at the same URL); a server that\n"
               "  cannot be asked leaves the copy in use, said. A file the library holds already is not imported again.\n"
               "  Sources and their files: bioforge annotation sources"
            << Qt::endl;
        return kOk;
    }
    const QString part = takeOption(args, QStringLiteral("--part"));
    const QString url = takeOption(args, QStringLiteral("--url"));
    QString dir = takeOption(args, QStringLiteral("--dir"));
    QString library = takeOption(args, QStringLiteral("--library"));
    const bool import = !args.removeAll(QStringLiteral("--no-import"));
    if (library.isEmpty())
        library = defaultLibrary;
    if (args.size() != 1) {
        err << usage << Qt::endl;
        return kUsage;
    }
    const auto source = sourceById(args[0]);
    if (!source) {
        err << "bioforge: no annotation source '" << args[0] << "'; sources: " << sourceIds() << Qt::endl;
        return kNotFound;
    }
    QList<BulkPart> parts;
    for (const BulkPart& p : source->parts())
        if (part.isEmpty() ? !p.url.isEmpty() : p.id == part)
            parts << p;
    if (parts.isEmpty() || (!url.isEmpty() && parts.size() != 1)) {
        err << "bioforge: " << (parts.isEmpty() ? QStringLiteral("%1 has no published file%2 to download; import it with `bioforge annotation import-bulk`")
                                                      .arg(source->id(), part.isEmpty() ? QString() : QStringLiteral(" for part '%1'").arg(part))
                                                : QStringLiteral("--url names one file: give --part too"))
            << Qt::endl;
        return parts.isEmpty() ? kNotFound : kUsage;
    }
    // A library read-only here takes no import: said before a download of hundreds of MB, not after it.
    if (import && core::readOnlyFile(library)) {
        err << "bioforge: " << BulkLibrary::readOnlyError(library, QStringLiteral("%1 (downloaded)").arg(source->title())).message()
            << "; or download only: --no-import" << Qt::endl;
        return kFileError;
    }
    if (dir.isEmpty())
        dir = QDir(downloadDir).filePath(source->id());
    for (const BulkPart& p : parts) {
        const QUrl from(url.isEmpty() ? p.url : url);
        if (!from.isValid() || from.scheme().isEmpty()) {
            err << "bioforge: " << (url.isEmpty() ? p.url : url) << ": not a URL" << Qt::endl;
            return kUsage;
        }
        QString name = from.fileName();
        if (!name.contains(QLatin1Char('.')))
            name = QStringLiteral("%1_%2.tsv").arg(source->id(), p.id); // a query URL (UniProt's stream)
        core::ModelDownloader downloader(dir);
        QElapsedTimer lastReport;
        lastReport.start();
        core::DownloadItem item{from, name, {}, -1, true};
        item.revalidate = true;
        const core::Status st = downloader.download({item}, [&](qint64 done, qint64) {
            if (lastReport.elapsed() < 2000)
                return;
            lastReport.restart();
            err << "  " << QString::number(double(done) / 1e6, 'f', 1) << " MB of " << name << Qt::endl;
        });
        if (!st) {
            err << "bioforge: " << st.error().message() << Qt::endl;
            return kFailed;
        }
        const core::DownloadedFile& file = downloader.downloaded().first();
        out << source->id() << " " << p.id << ": " << file.path << (file.reused ? " (already downloaded)" : "") << "\n  " << file.size << " bytes, sha256 "
            << file.sha256.left(16) << "…" << (file.etag.isEmpty() ? QString() : QStringLiteral(", ETag ") + file.etag)
            << (file.lastModified.isValid() ? QStringLiteral(", Last-Modified ") + file.lastModified.toString(Qt::ISODate) : QString()) << Qt::endl;
        if (!file.note.isEmpty())
            (file.note.startsWith(QLatin1String("unchanged")) ? out : err) << "  " << file.note << Qt::endl;
        if (import && isActiveRelease(library, source->id(), p.id, file.sha256, out)) // also a file fetched again unchanged (a server that ignores conditional requests)
            continue;
        if (import)
            if (const int code = importFile(library, source->id(), file.path, p.id, out, err); code != kOk) {
                // Not a file of this part at all (a wrong URL: the source takes it for another part, or
                // for none of its own): not kept, or the next download would take it for the copy to
                // revalidate. A file that could not be read, or is this part's, stays for the next try.
                const auto part = source->detectPart(file.path);
                if (part ? *part != p.id : isUnknownPart(part.error())) {
                    QFile::remove(file.path + QStringLiteral(".download.json"));
                    if (QFile::remove(file.path))
                        err << "bioforge: " << file.path << " is not " << source->id() << "'s " << p.id << " file; it was deleted" << Qt::endl;
                }
                return code;
            }
    }
    return kOk;
}

int sourcesCommand(const QStringList& given, const QString& defaultLibrary, QTextStream& out, QTextStream& err)
{
    QStringList args = given;
    if (args.contains(QStringLiteral("--help")) || args.contains(QStringLiteral("-h"))) {
        out << "usage: bioforge annotation sources [--library FILE]\n"
               "  lists each source, the files (parts) it takes and what of them the library holds" << Qt::endl;
        return kOk;
    }
    QString library = takeOption(args, QStringLiteral("--library"));
    if (library.isEmpty())
        library = defaultLibrary;
    if (!args.isEmpty()) {
        err << "usage: bioforge annotation sources [--library FILE]" << Qt::endl;
        return kUsage;
    }
    // A library named that is not there (a typo) is not made, listed empty, and its folders left behind.
    if (library != defaultLibrary && !QFileInfo::exists(library)) {
        err << "bioforge: " << library << ": no such annotation library (one is made by the first import into it: bioforge annotation import-bulk "
            << "SOURCE FILE --library " << library << ")" << Qt::endl;
        return kNotFound;
    }
    // The default library (or the annotation.library setting's) not made yet: listed as empty, and
    // not made by a listing (it was, with its folders).
    std::unique_ptr<BulkLibrary> opened;
    if (QFileInfo::exists(library)) {
        auto lib = BulkLibrary::open(library);
        if (!lib) {
            err << "bioforge: " << lib.error().message() << Qt::endl;
            return kFileError;
        }
        opened = std::move(*lib);
        out << "annotation library: " << opened->path() << "\n";
    } else {
        out << "annotation library: " << library << " (not made yet: the first import makes it)\n";
    }
    for (const auto& s : allSources()) {
        out << "\n" << s->id() << " (" << s->title() << ")\n";
        for (const BulkPart& p : s->parts()) {
            auto r = opened ? opened->activeRelease(s->id(), p.id) : core::Expected<std::optional<ReleaseInfo>>(std::nullopt);
            if (!r) {
                err << "bioforge: " << r.error().message() << Qt::endl;
                return kFileError;
            }
            out << "  " << p.id << (p.required ? "" : " (optional)") << ": ";
            if (*r)
                out << (*r)->release << "; " << (*r)->rows << " rows from " << (*r)->fileName << ", imported " << (*r)->importedAt.toString(Qt::ISODate) << "\n";
            else
                out << "not imported — " << p.description << "\n";
            if (!p.url.isEmpty())
                out << "    published at " << p.url << " (bioforge annotation download " << s->id() << " --part " << p.id << ")\n";
        }
        if (s->hasApi())
            out << "  API: " << s->apiHost() << " (with --offline false)\n";
    }
    out.flush();
    return kOk;
}

} // namespace bioforge::annotation
