#include "models/model_registry.h"

#include "io/path_guard.h"

#include "io/atomic_file.h"
#include "io/sha256.h"
#include "models/model_downloader.h"
#include "models/model_kinds.h"

#include <QDir>
#include <QDirIterator>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLockFile>
#include <QStandardPaths>

#include <algorithm>

namespace bioforge::core {

QString ModelRegistry::defaultRegistryFile()
{
    return QDir(QStandardPaths::writableLocation(QStandardPaths::AppDataLocation)).filePath(QStringLiteral("models/registry.json"));
}

namespace {

// The models of a registry file's bytes, or why they are none.
Expected<QList<ModelEntry>> parseRegistry(const QByteArray& raw, const QString& file)
{
    QJsonParseError err;
    const QJsonDocument doc = QJsonDocument::fromJson(raw, &err);
    if (!doc.isObject())
        return Error(QStringLiteral("%1: not a model registry (%2)").arg(file, err.errorString()));
    QList<ModelEntry> models;
    for (const QJsonValue& v : doc.object().value(QLatin1String("models")).toArray()) {
        auto e = ModelEntry::fromJson(v.toObject());
        if (!e)
            return e.error().withContext(file);
        models.append(*e);
    }
    return models;
}

Expected<QList<ModelEntry>> readRegistry(const QString& file)
{
    auto raw = AtomicFile::readVerified(file);
    if (!raw)
        return raw.error();
    return parseRegistry(*raw, file);
}

} // namespace

Status ModelRegistry::load()
{
    // Read whole before it replaces what this object holds: a file that cannot be read leaves the
    // models as they were (a window keeps offering them).
    QList<ModelEntry> models;
    if (QFileInfo::exists(m_file)) {
        auto read = readRegistry(m_file);
        if (!read) {
            const QString backup = m_file + QStringLiteral(".bak");
            auto kept = QFileInfo::exists(backup) ? readRegistry(backup) : Expected<QList<ModelEntry>>(Error(QString()));
            const QString way = kept ? QStringLiteral("the copy kept before its last change (%1 models) puts it back: cp '%2' '%3' (models imported "
                                                      "since are imported again)")
                                           .arg(QString::number(kept->size()), backup, m_file)
                                     : QStringLiteral("move it away (mv '%1' '%1.damaged') and import the models again (bioforge models import …)")
                                           .arg(m_file);
            const Error error(QStringLiteral("%1; %2").arg(read.error().message(), way), read.error().kind());
            QWriteLocker write(&m_lock);
            m_loadProblem = error.message();
            return error;
        }
        models = std::move(*read);
    }
    QWriteLocker write(&m_lock);
    m_models = std::move(models);
    m_loadProblem.clear();
    return okStatus();
}

QString ModelRegistry::loadProblem() const
{
    QReadLocker read(&m_lock);
    return m_loadProblem;
}

QList<ModelEntry> ModelRegistry::models() const
{
    QReadLocker read(&m_lock);
    return m_models;
}

Status ModelRegistry::save() const
{
    // The file as it was, kept (`<file>.bak`) where it reads: the way back from one damaged later
    // (a full disk, an editor killed: trial 24 T24-11). A damaged one never replaces a good copy.
    if (QFileInfo::exists(m_file))
        if (auto raw = AtomicFile::readVerified(m_file); raw && parseRegistry(*raw, m_file)) // read once
            (void)AtomicFile::write(m_file + QStringLiteral(".bak"), *raw); // a copy not kept is no reason to refuse the change
    QJsonArray list;
    for (const ModelEntry& e : m_models)
        list.append(e.toJson());
    return AtomicFile::write(m_file, QJsonDocument(QJsonObject{{QStringLiteral("format"), QStringLiteral("bioforge-models/1")},
                                                               {QStringLiteral("models"), list}})
                                         .toJson(QJsonDocument::Indented));
}

std::optional<ModelEntry> ModelRegistry::find(const QString& name) const
{
    for (const ModelEntry& e : models())
        if (e.name == name)
            return e;
    return std::nullopt;
}

QStringList ModelRegistry::namesOfKind(const QString& kind) const
{
    QStringList names;
    for (const ModelEntry& e : models())
        if (e.kind == kind)
            names << e.name;
    return names;
}

Status ModelRegistry::change(const std::function<Status()>& edit)
{
    // Another process (a second import, a demo starting) may rewrite the file meanwhile: the change
    // is made under a lock, to the file as it is now, so neither loses the other's entry.
    if (!QDir().mkpath(QFileInfo(m_file).absolutePath()))
        return Error(QStringLiteral("%1: cannot create its folder").arg(m_file), Error::Kind::Io);
    QLockFile lock(m_file + QStringLiteral(".lock"));
    lock.setStaleLockTime(60000);
    if (!lock.tryLock(30000))
        return Error(QStringLiteral("%1: another program holds its lock (%2.lock) for more than 30 s").arg(m_file, m_file), Error::Kind::Io);
    if (Status st = load(); !st) // a file that cannot be read is never rewritten with what this process holds
        return Error(QStringLiteral("%1; the registry was not changed (repair or move the file; nothing else is lost)").arg(st.error().message()),
                     Error::Kind::Io);
    QWriteLocker write(&m_lock); // the edit and the save see one list
    if (Status st = edit(); !st)
        return st;
    return save();
}

Status ModelRegistry::add(const ModelEntry& entry)
{
    if (Status st = PathGuard::checkName(entry.name, QStringLiteral("model name")); !st)
        return st; // a name may become a folder (downloads): it is one path component
    return change([&]() -> Status {
        for (ModelEntry& e : m_models)
            if (e.name == entry.name) {
                e = entry;
                return okStatus();
            }
        m_models.append(entry);
        return okStatus();
    });
}

Status ModelRegistry::remove(const QString& name)
{
    return change([&]() -> Status {
        const qsizetype before = m_models.size();
        m_models.removeIf([&](const ModelEntry& e) { return e.name == name; });
        if (m_models.size() == before)
            return Error(QStringLiteral("no model named '%1' in %2").arg(name, m_file), Error::Kind::NotFound);
        return okStatus();
    });
}

Expected<ModelEntry> ModelRegistry::importFolder(const QString& name, const QString& kind, const QString& folder,
                                                 const QString& revision, int* skipped)
{
    const auto modelKind = findModelKind(kind);
    const QStringList only = modelKind && modelKind->oneFile ? modelKind->requiredFiles : QStringList();
    if (skipped)
        *skipped = 0;
    if (Status st = PathGuard::checkName(name, QStringLiteral("model name")); !st)
        return Error(st.error().message(), Error::Kind::Invalid);
    const QFileInfo info(folder);
    if (!info.isDir())
        return Error(QStringLiteral("%1: not a folder").arg(folder));
    ModelEntry entry;
    entry.name = name;
    entry.kind = kind;
    entry.revision = revision;
    entry.root = info.canonicalFilePath();
    entry.source = QStringLiteral("import:") + entry.root;
    entry.added = QDateTime::currentDateTimeUtc();
    const QDir root(entry.root);
    // A model of one file is looked for at the folder's top only, as checkModelFolder looks (a
    // Downloads folder's subfolders were walked, each GGUF in them hashed: review 64 F22).
    QDirIterator it(entry.root, QDir::Files, only.isEmpty() ? QDirIterator::Subdirectories : QDirIterator::NoIteratorFlags);
    while (it.hasNext()) {
        it.next();
        const QString rel = root.relativeFilePath(it.filePath());
        if (rel.startsWith(QLatin1Char('.')) || rel.contains(QLatin1String("/.")))
            continue; // .git, .cache and the like
        if (ModelDownloader::isWorkFile(rel))
            continue; // a download's unfinished .part and its notes
        if (!only.isEmpty() && !QDir::match(only, it.fileName())) {
            if (skipped)
                ++*skipped;
            continue; // not the model's: a note, a FASTA beside a GGUF in Downloads
        }
        const qint64 modified = it.fileInfo().lastModified().toMSecsSinceEpoch(); // before reading: a change while it is read shows later
        auto sha = Sha256::ofFile(it.filePath());
        if (!sha)
            return sha.error();
        entry.files.append({rel, it.fileInfo().size(), *sha, QString(), modified});
    }
    if (entry.files.isEmpty())
        return Error(QStringLiteral("%1: the folder holds no model files").arg(folder));
    std::sort(entry.files.begin(), entry.files.end(), [](const ModelFile& a, const ModelFile& b) { return a.path < b.path; });
    // A model this workbench synthesized is a TEST model whoever imports it (`models list`, run
    // titles and the chat's card say so; it was listed as a real model: trial 19).
    if (modelKind && holdsTestModelMark(*modelKind, entry.root))
        entry.testModel = true;
    if (Status st = add(entry); !st)
        return st.error();
    return entry;
}

Expected<ModelEntry> ModelRegistry::importFile(const QString& name, const QString& kind, const QString& file, const QString& revision)
{
    if (Status st = PathGuard::checkName(name, QStringLiteral("model name")); !st)
        return Error(st.error().message(), Error::Kind::Invalid);
    auto modelKind = findModelKind(kind);
    if (!modelKind)
        return modelKind.error();
    // The file itself, through any link (a Hugging Face cache's snapshot links to its blob): its
    // folder and name as they are, so the entry names a file that is there.
    const QFileInfo given(file);
    const QFileInfo info(given.canonicalFilePath().isEmpty() ? given.absoluteFilePath() : given.canonicalFilePath());
    if (!modelKind->oneFile || !QDir::match(modelKind->requiredFiles, given.fileName()))
        return Error(QStringLiteral("%1: a %2 model is imported as its folder, not as one file (the folder must hold %3)")
                         .arg(file, kind, modelKind->requiredFiles.join(QStringLiteral(", "))),
                     Error::Kind::Invalid);
    if (!info.isFile())
        return Error(QStringLiteral("%1: not a regular file").arg(file), Error::Kind::Invalid);
    ModelEntry entry;
    entry.name = name;
    entry.kind = kind;
    entry.revision = revision;
    entry.root = info.canonicalPath();
    entry.source = QStringLiteral("import:") + info.canonicalFilePath();
    entry.added = QDateTime::currentDateTimeUtc();
    const qint64 modified = info.lastModified().toMSecsSinceEpoch();
    auto sha = Sha256::ofFile(info.canonicalFilePath());
    if (!sha)
        return sha.error();
    entry.files.append({info.fileName(), info.size(), *sha, QString(), modified});
    entry.testModel = fileHoldsTestModelMark(*modelKind, info.canonicalFilePath());
    if (Status st = add(entry); !st)
        return st.error();
    return entry;
}

Expected<ModelEntry> ModelRegistry::registerTestModel(const QString& name, const QString& kind, const QString& folder)
{
    if (const auto existing = find(name); existing && existing->testModel && existing->kind == kind
                                          && existing->root == QFileInfo(folder).canonicalFilePath())
        return *existing;
    auto entry = importFolder(name, kind, folder, QStringLiteral("test"));
    if (!entry)
        return entry;
    entry->testModel = true;
    if (Status st = add(*entry); !st)
        return st.error();
    return entry;
}

std::optional<ModelEntry> ModelRegistry::testModelFor(const QString& nameOrPath) const
{
    if (nameOrPath.isEmpty())
        return std::nullopt;
    if (auto byName = find(nameOrPath); byName)
        return byName->testModel ? byName : std::nullopt;
    const QFileInfo info(nameOrPath);
    if (!info.exists())
        return std::nullopt;
    const QString path = info.canonicalFilePath();
    // The entry's folder, or one of its registered files (a TEST model imported as one file from
    // Downloads does not make the folder's other GGUFs TEST models).
    for (const ModelEntry& e : models()) {
        if (!e.testModel)
            continue;
        if (path == e.root)
            return e;
        if (path.startsWith(e.root + QLatin1Char('/'))) {
            const QString rel = QDir(e.root).relativeFilePath(path);
            if (std::any_of(e.files.begin(), e.files.end(), [&](const ModelFile& f) { return f.path == rel || rel.startsWith(f.path + QLatin1Char('/')); }))
                return e;
        }
    }
    return std::nullopt;
}

Status ModelRegistry::verify(const QString& name)
{
    const auto entry = find(name);
    if (!entry)
        return Error(QStringLiteral("no model named '%1' in %2").arg(name, m_file), Error::Kind::NotFound);
    QList<ModelFile> hashed;
    if (Status st = entry->verifyFiles(false, &hashed); !st)
        return st;
    return recordTimes(name, hashed);
}

Status ModelRegistry::recordTimes(const QString& name, const QList<ModelFile>& hashed)
{
    if (hashed.isEmpty())
        return okStatus();
    return change([&]() -> Status {
        // The entry as it is now: another process may have imported other files under the name
        // meanwhile; a time is recorded only for the file that was read (same path, size, SHA-256).
        for (ModelEntry& e : m_models)
            if (e.name == name)
                for (ModelFile& f : e.files)
                    for (const ModelFile& now : hashed)
                        if (f.path == now.path && f.size == now.size && f.sha256 == now.sha256)
                            f.modifiedMs = now.modifiedMs;
        return okStatus();
    });
}

} // namespace bioforge::core
