// bioforge models: list, import, verify, remove and download registered models.

#include "cli_context.h"
#include "cli_json.h"
#include "commands.h"
#include "exit_codes.h"

#include "io/path_guard.h"
#include "models/model_downloader.h"
#include "models/model_kinds.h"
#include "models/model_registry.h"
#include "runs/session.h"
#include "settings/workbench_settings.h"

#include <QDir>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QUrl>

#include <algorithm>
#include <optional>

#include <cstdio>

namespace bioforge::cli {
namespace {

// `models list --json`: {registry, models: [{name, kind, revision, root, source, added, test_model,
// sha256, model_sha256, files: [{name, path, sha256, size, bytes, url}]}]}; absent values null. The
// model's and its files' facts have the keys a run's provenance gives them (`show`: models[].sha256,
// files[].name = the path in the model, path absolute, size); model_sha256 and bytes are the same
// values under the names this listing had first.
int listModelsJson(CliContext& ctx, core::ModelRegistry& registry)
{
    QJsonArray models;
    for (const core::ModelEntry& m : registry.models()) {
        QJsonArray files;
        for (const core::ModelFile& f : m.files)
            files.append(QJsonObject{{QStringLiteral("name"), f.path},
                                     {QStringLiteral("path"), QDir::cleanPath(QDir(m.root).absoluteFilePath(f.path))},
                                     {QStringLiteral("sha256"), f.sha256},
                                     {QStringLiteral("size"), f.size},
                                     {QStringLiteral("bytes"), f.size},
                                     {QStringLiteral("url"), textOrNull(f.url)}});
        models.append(QJsonObject{{QStringLiteral("name"), m.name},
                                  {QStringLiteral("kind"), m.kind},
                                  {QStringLiteral("revision"), textOrNull(m.revision)},
                                  {QStringLiteral("root"), m.root},
                                  {QStringLiteral("source"), textOrNull(m.source)},
                                  {QStringLiteral("added"), m.added.isValid() ? QJsonValue(m.added.toUTC().toString(Qt::ISODateWithMs)) : QJsonValue()},
                                  {QStringLiteral("test_model"), m.testModel},
                                  {QStringLiteral("sha256"), m.combinedSha256()},
                                  {QStringLiteral("model_sha256"), m.combinedSha256()},
                                  {QStringLiteral("files"), files}});
    }
    ctx.out() << QJsonDocument(QJsonObject{{QStringLiteral("registry"), registry.file()}, {QStringLiteral("models"), models}}).toJson(QJsonDocument::Indented)
              << Qt::flush;
    return kOk;
}

int listModels(CliContext& ctx, core::ModelRegistry& registry)
{
    ctx.out() << "registry " << registry.file() << Qt::endl;
    if (registry.models().isEmpty()) {
        QStringList kinds;
        for (const core::ModelKind& k : core::modelKinds())
            kinds << k.name;
        ctx.out() << "no models yet: bioforge models import NAME KIND FOLDER (a gguf model: its FILE.gguf too; KIND: " << kinds.join(QStringLiteral(", ")) << ")"
                  << Qt::endl;
    }
    // One file: its own SHA-256, which a publisher's checksum is compared with (the checksum of the
    // files' checksums read as a mismatch: trial 19).
    for (const core::ModelEntry& m : registry.models())
        ctx.out() << m.displayName() << "  " << m.kind << "  rev " << (m.revision.isEmpty() ? QStringLiteral("-") : m.revision) << "  "
                  << (m.files.size() == 1 ? QStringLiteral("1 file  sha256 %1…").arg(m.files.first().sha256.left(16))
                                          : QStringLiteral("%1 files  model checksum %2…").arg(m.files.size()).arg(m.combinedSha256().left(16)))
                  << "  " << m.root << Qt::endl;
    return kOk;
}

// A name already registered for another kind or another folder is not replaced silently: the
// user removes it first. The same kind from the same folder is registered again (an update),
// and the output says what it replaces.
int refuseOtherModel(CliContext& ctx, const core::ModelRegistry& registry, const QString& name, const QString& kind, const std::optional<QString>& folder)
{
    const auto existing = registry.find(name);
    if (!existing || existing->testModel)
        return kOk;
    const bool sameFolder = folder && QFileInfo(*folder).canonicalFilePath() == existing->root;
    if (existing->kind == kind && (sameFolder || !folder))
        return kOk;
    ctx.err() << "bioforge: a model named '" << name << "' is registered already (kind " << existing->kind << ", revision "
              << (existing->revision.isEmpty() ? QStringLiteral("-") : existing->revision) << ", " << existing->root
              << "); remove it first (bioforge models remove " << name << ") or choose another name" << Qt::endl;
    return kUsage;
}

QString filesText(const core::ModelEntry& entry)
{
    if (entry.files.size() == 1)
        return QStringLiteral("1 file (%1, SHA-256 %2)").arg(entry.files.first().path, entry.files.first().sha256);
    return QStringLiteral("%1 files; model checksum %2 (the SHA-256 of the files' SHA-256s: bioforge models list)").arg(entry.files.size()).arg(entry.combinedSha256());
}

int download(CliContext& ctx, core::ModelRegistry& registry, const QStringList& args)
{
    // download <name> <kind> <url> <sha256> [<file name>]
    if (args.size() < 4 || args.size() > 5) {
        ctx.err() << "usage: bioforge models download <name> <kind> <url> <sha256> [<file name>]" << Qt::endl;
        return kUsage;
    }
    const auto kind = core::findModelKind(args[1]);
    if (!kind) {
        ctx.err() << "bioforge: " << kind.error().message() << Qt::endl;
        return kUsage;
    }
    const QUrl url(args[2]);
    if (url.scheme() != QLatin1String("http") && url.scheme() != QLatin1String("https")) {
        ctx.err() << "bioforge: " << args[2] << ": not an http(s) URL; a model file on this machine is registered with "
                  << "`bioforge models import " << args[0] << " " << args[1] << (kind->oneFile ? " <file or folder>`" : " <folder>`") << Qt::endl;
        return kUsage;
    }
    static const QRegularExpression sha256(QStringLiteral("^[0-9a-fA-F]{64}$"));
    if (!sha256.match(args[3]).hasMatch()) {
        ctx.err() << "bioforge: '" << args[3] << "' is not a SHA-256 (64 hex digits): give the checksum the model's publisher lists for the file" << Qt::endl;
        return kUsage;
    }
    if (int refused = refuseOtherModel(ctx, registry, args[0], args[1], std::nullopt); refused != kOk)
        return refused;
    const QString fileName = args.size() == 5 ? args[4] : QFileInfo(url.path()).fileName();
    // A model of one file is registered as that file: a name its kind does not read (a URL ending
    // in "get" or "model.bin") is refused before a multi-GB transfer, not after it (review 64 F5).
    if (kind->oneFile && !QDir::match(kind->requiredFiles, fileName)) {
        ctx.err() << "bioforge: a " << kind->name << " model is one file named " << kind->requiredFiles.join(QStringLiteral(" or ")) << "; '"
                  << fileName << "'" << (args.size() == 5 ? QString() : QStringLiteral(" (the URL's last part)"))
                  << " is not: give the name to save it as, e.g. bioforge models download " << args[0] << " " << args[1] << " <url> <sha256> "
                  << QString(kind->requiredFiles.value(0)).replace(QLatin1Char('*'), args[0]) << Qt::endl;
        return kUsage;
    }
    auto resolved = core::PathGuard::childOf(core::WorkbenchSettings().modelFolder(), args[0], QStringLiteral("model name"));
    if (!resolved) { // nothing is written before the name is known to stay inside the models folder
        ctx.err() << "bioforge: " << resolved.error().message() << Qt::endl;
        return kUsage;
    }
    const QString target = *resolved;
    core::ModelDownloader downloader(target);
    auto st = downloader.download({{url, fileName, args[3].toLower(), -1}}, [&](qint64 done, qint64) {
        if (!ctx.options().quiet)
            std::fprintf(stderr, "\r%s: %.1f MiB", qPrintable(fileName), double(done) / (1 << 20));
    });
    if (!ctx.options().quiet)
        std::fprintf(stderr, "\n");
    if (!st) {
        ctx.err() << "bioforge: " << st.error().message() << Qt::endl;
        return kRunFailed;
    }
    const QString revision = QStringLiteral("sha256:") + args[3].left(12).toLower();
    auto entry = kind->oneFile ? registry.importFile(args[0], args[1], QDir(target).filePath(fileName), revision)
                               : registry.importFolder(args[0], args[1], target, revision);
    if (entry) { // where it came from, for provenance and the next engineer
        entry->source = url.toString();
        for (core::ModelFile& f : entry->files)
            if (f.path == fileName)
                f.url = url.toString();
        if (core::Status st = registry.add(*entry); !st)
            entry = st.error();
    }
    if (!entry) {
        ctx.err() << "bioforge: " << entry.error().message() << Qt::endl;
        return kProjectError;
    }
    ctx.out() << "registered " << entry->name << " in " << entry->root << Qt::endl;
    // One file per download: a folder model is complete after its other files are downloaded under the same name.
    if (core::Status complete = core::checkModelFolder(*kind, target); !complete)
        ctx.err() << "note: " << complete.error().message() << " yet (download them under the same name)" << Qt::endl;
    return kOk;
}

// After `models remove`: the folder `models download` made for the model (inside the models
// folder the workbench owns) goes with it, unless --keep-files or another entry still uses it; a
// folder the user imported is never touched. Says which.
void removeDownloadedFiles(CliContext& ctx, const core::ModelRegistry& registry, const core::ModelEntry& removed, bool keepFiles)
{
    // Downloaded: registered from an http(s) URL, in exactly the folder `download` makes for the
    // name. A folder the user imported — even one placed inside the models folder — is not.
    const QString owned = QFileInfo(core::WorkbenchSettings().modelFolder()).canonicalFilePath();
    const QString root = QFileInfo(removed.root).canonicalFilePath();
    const bool fromUrl = removed.source.startsWith(QLatin1String("http://")) || removed.source.startsWith(QLatin1String("https://"));
    const bool downloaded = fromUrl && !owned.isEmpty() && !root.isEmpty() && root == QFileInfo(QDir(owned).filePath(removed.name)).canonicalFilePath();
    const QList<core::ModelEntry> others = registry.models(); // one copy: begin and end of the same list
    const bool shared = std::any_of(others.begin(), others.end(), [&](const core::ModelEntry& e) {
        const QString other = QFileInfo(e.root).canonicalFilePath();
        return other == root || other.startsWith(root + QLatin1Char('/')) || root.startsWith(other + QLatin1Char('/'));
    });
    if (root.isEmpty())
        return; // its folder is gone already
    if (!downloaded || keepFiles || shared) {
        ctx.out() << "its files stay in " << root
                  << (shared ? QStringLiteral(" (another registered model's files are in that folder)") : downloaded ? QStringLiteral(" (--keep-files)") : QString()) << Qt::endl;
        return;
    }
    if (!QDir(root).removeRecursively())
        ctx.err() << "bioforge: could not delete all of the downloaded files in " << root << "; delete the folder by hand" << Qt::endl;
    else
        ctx.out() << "its downloaded files in " << root << " were deleted" << Qt::endl;
}

} // namespace

int cmdModels(CliContext& ctx, const QStringList& argsIn)
{
    QStringList args = argsIn;
    // `models --help`, `models verify --help`: the usage with the kinds (a "--help" is never a model).
    const bool helpAsked = args.contains(QStringLiteral("--help")) || args.contains(QStringLiteral("-h"));
    const QString sub = helpAsked ? QStringLiteral("--help") : args.isEmpty() ? QStringLiteral("list") : args.takeFirst();
    core::ModelRegistry& registry = ctx.session().models();
    if (core::Status readable = helpAsked ? core::okStatus() : registry.load(); !readable) { // a broken registry is not listed as an empty one
        ctx.err() << "bioforge: " << readable.error().message() << Qt::endl;
        return kProjectError;
    }
    if (sub == QLatin1String("list")) {
        const bool json = args.removeAll(QStringLiteral("--json")) > 0;
        if (!args.isEmpty()) { // `models list --jsn`: a script asking for JSON got the text and success
            ctx.err() << "bioforge models list: " << (args[0].startsWith(QLatin1Char('-')) ? "unknown option '" : "unexpected argument '") << args[0]
                      << "' (usage: bioforge models list [--json])" << Qt::endl;
            return kUsage;
        }
        return json ? listModelsJson(ctx, registry) : listModels(ctx, registry);
    }
    // An option the subcommand does not take (`models verify X --json`) was read as a model name or,
    // by `download`, as the file to save: refused, naming it.
    const QStringList own = sub == QLatin1String("import") ? QStringList{QStringLiteral("--revision")}
                            : sub == QLatin1String("remove") ? QStringList{QStringLiteral("--keep-files")}
                                                             : QStringList{};
    for (qsizetype i = 0; !helpAsked && i < args.size(); ++i) {
        if (args[i] == QLatin1String("--revision") && own.contains(args[i])) {
            ++i; // its value
            continue;
        }
        if (args[i].startsWith(QLatin1String("--")) && !own.contains(args[i])) {
            ctx.err() << "bioforge models " << sub << ": unknown option '" << args[i] << "' (usage: bioforge models --help)" << Qt::endl;
            return kUsage;
        }
    }
    if (sub == QLatin1String("import")) {
        QString revision;
        if (const qsizetype i = args.indexOf(QStringLiteral("--revision")); i >= 0 && i + 1 < args.size()) {
            revision = args[i + 1];
            args.remove(i, 2);
        }
        if (args.size() != 3) {
            ctx.err() << "usage: bioforge models import <name> <kind> <folder | model file> [--revision R]" << Qt::endl;
            return kUsage;
        }
        if (core::Status named = core::PathGuard::checkName(args[0], QStringLiteral("model name")); !named) { // before anything else is looked at
            ctx.err() << "bioforge: " << named.error().message() << Qt::endl;
            return kUsage;
        }
        const auto kind = core::findModelKind(args[1]);
        if (!kind) {
            ctx.err() << "bioforge: " << kind.error().message() << Qt::endl;
            return kUsage;
        }
        const QFileInfo given(args[2]);
        // A model of one file (a GGUF) is imported as that file: its folder may hold anything else.
        const bool oneFile = given.isFile() && kind->oneFile && QDir::match(kind->requiredFiles, given.fileName());
        if (!given.isDir() && !oneFile) {
            if (!given.exists()) {
                ctx.err() << "bioforge: " << args[2] << ": no such file or folder" << Qt::endl;
                return kNotFound;
            }
            ctx.err() << "bioforge: " << args[2] << ": not a folder; a " << kind->name << " model is imported as "
                      << (kind->oneFile ? QStringLiteral("its %1 file or ").arg(kind->requiredFiles.join(QStringLiteral(", "))) : QString())
                      << "the folder that holds its files (" << kind->requiredFiles.join(QStringLiteral(", ")) << ")" << Qt::endl;
            return kUsage;
        }
        if (core::Status complete = oneFile ? core::okStatus() : core::checkModelFolder(*kind, args[2]); !complete) {
            ctx.err() << "bioforge: " << complete.error().message() << Qt::endl;
            return kNotFound;
        }
        const QFileInfo target(given.canonicalFilePath()); // a link's own file
        if (int refused = refuseOtherModel(ctx, registry, args[0], args[1], oneFile ? target.path() : args[2]); refused != kOk)
            return refused;
        const std::optional<core::ModelEntry> before = registry.find(args[0]);
        // Another file of the same folder under a registered one-file name is another model, not an update.
        if (oneFile && before && !before->testModel && (before->files.size() != 1 || before->files.first().path != target.fileName())) {
            ctx.err() << "bioforge: a model named '" << args[0] << "' is registered already (" << filesText(*before) << " in " << before->root
                      << "); remove it first (bioforge models remove " << args[0] << ") or choose another name" << Qt::endl;
            return kUsage;
        }
        int skipped = 0;
        auto entry = oneFile ? registry.importFile(args[0], args[1], args[2], revision) : registry.importFolder(args[0], args[1], args[2], revision, &skipped);
        if (!entry) {
            ctx.err() << "bioforge: " << entry.error().message() << Qt::endl;
            return exitCodeFor(entry.error(), kProjectError);
        }
        if (before && !before->testModel)
            ctx.out() << "registered " << entry->name << " again: " << filesText(*entry) << " (it was revision "
                      << (before->revision.isEmpty() ? QStringLiteral("-") : before->revision)
                      << (before->combinedSha256() == entry->combinedSha256() ? QStringLiteral(", the same files)") : QStringLiteral(", other files)")) << Qt::endl;
        else
            ctx.out() << "registered " << entry->displayName() << ": " << filesText(*entry) << Qt::endl;
        if (skipped > 0)
            ctx.out() << "  " << skipped << (skipped == 1 ? " other file" : " other files") << " in " << args[2] << " " << (skipped == 1 ? "is" : "are")
                      << " not the model's (" << kind->requiredFiles.join(QStringLiteral(", ")) << ") and " << (skipped == 1 ? "was" : "were") << " not registered" << Qt::endl;
        return kOk;
    }
    if (sub == QLatin1String("verify") || sub == QLatin1String("remove")) {
        const bool keepFiles = sub == QLatin1String("remove") && args.removeAll(QStringLiteral("--keep-files")) > 0;
        if (args.size() != 1) {
            ctx.err() << "usage: bioforge models " << sub << (sub == QLatin1String("remove") ? " <name> [--keep-files]" : " <name>") << Qt::endl;
            return kUsage;
        }
        const std::optional<core::ModelEntry> before = registry.find(args[0]);
        const core::Status st = sub == QLatin1String("verify") ? registry.verify(args[0]) : registry.remove(args[0]);
        if (!st) {
            ctx.err() << "bioforge: " << st.error().message() << Qt::endl;
            return registry.find(args[0]) ? kProjectError : kNotFound;
        }
        if (sub == QLatin1String("verify")) {
            ctx.out() << args[0] << ": every file verifies" << Qt::endl;
            return kOk;
        }
        ctx.out() << args[0] << ": removed from the registry" << Qt::endl;
        if (before)
            removeDownloadedFiles(ctx, registry, *before, keepFiles);
        return kOk;
    }
    if (sub == QLatin1String("download"))
        return download(ctx, registry, args);
    const bool help = sub == QLatin1String("--help") || sub == QLatin1String("help");
    if (!help)
        ctx.err() << "bioforge: unknown models command '" << sub << "'" << Qt::endl;
    (help ? ctx.out() : ctx.err())
        << "usage: bioforge models list [--json]\n"
           "       bioforge models import <name> <kind> <folder | model file> [--revision R]\n"
           "         kinds: dnabert-s, esm2 (Hugging Face folders), virnucpro-classifier, gguf\n"
           "       bioforge models verify <name>\n"
           "       bioforge models remove <name> [--keep-files]\n"
           "       bioforge models download <name> <kind> <url> <sha256> [<file name>]"
        << Qt::endl;
    return help ? kOk : kUsage;
}

} // namespace bioforge::cli
