#include "annotation_commands.h"

#include "identity/orgdb.h"
#include "pipeline/bulk_import.h"
#include "sources/annotation_source.h"

#include <QElapsedTimer>
#include <QFileInfo>

namespace bioforge::annotation {
namespace {

constexpr int kOk = 0, kFailed = 1, kUsage = 2, kNotFound = 6;

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
    auto lib = BulkLibrary::open(library);
    if (!lib) {
        err << "bioforge: " << lib.error().message() << Qt::endl;
        return kFailed;
    }
    QElapsedTimer timer, lastReport;
    timer.start();
    lastReport.start();
    StreamControl control;
    control.progress = [&](qint64 done, qint64 total) {
        if (lastReport.elapsed() < 2000 || total <= 0)
            return;
        lastReport.restart();
        err << "  " << QString::number(100.0 * double(std::min(done, total)) / double(total), 'f', 1) << " % of " << QFileInfo(args[1]).fileName() << Qt::endl;
    };
    auto release = importBulkFile(**lib, {args[0], args[1], part, {}, {}, {}}, control);
    if (!release) {
        err << "bioforge: " << release.error().message() << Qt::endl;
        return kFailed;
    }
    const double seconds = double(timer.elapsed()) / 1000.0;
    out << release->source << " " << release->part << ": " << release->release << "\n  " << release->rows << " rows from " << release->fileName << " ("
        << QString::number(double(release->size) / 1e6, 'f', 1) << " MB, sha256 " << release->sha256.left(16) << "…) in " << QString::number(seconds, 'f', 1)
        << " s\n  library: " << (*lib)->path() << Qt::endl;
    return kOk;
}

int sourcesCommand(const QStringList& given, const QString& defaultLibrary, QTextStream& out, QTextStream& err)
{
    QStringList args = given;
    QString library = takeOption(args, QStringLiteral("--library"));
    if (library.isEmpty())
        library = defaultLibrary;
    if (!args.isEmpty()) {
        err << "usage: bioforge annotation sources [--library FILE]" << Qt::endl;
        return kUsage;
    }
    auto lib = BulkLibrary::open(library);
    if (!lib) {
        err << "bioforge: " << lib.error().message() << Qt::endl;
        return kFailed;
    }
    out << "annotation library: " << (*lib)->path() << "\n";
    for (const auto& s : allSources()) {
        out << "\n" << s->id() << " (" << s->title() << ")\n";
        for (const BulkPart& p : s->parts()) {
            auto r = (*lib)->activeRelease(s->id(), p.id);
            if (!r) {
                err << "bioforge: " << r.error().message() << Qt::endl;
                return kFailed;
            }
            out << "  " << p.id << (p.required ? "" : " (optional)") << ": ";
            if (*r)
                out << (*r)->release << "; " << (*r)->rows << " rows from " << (*r)->fileName << ", imported " << (*r)->importedAt.toString(Qt::ISODate) << "\n";
            else
                out << "not imported — " << p.description << "\n";
        }
    }
    out.flush();
    return kOk;
}

} // namespace bioforge::annotation
