#include "plugin/plugin_manager.h"

#include "log/log.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QJsonObject>
#include <QLibrary>
#include <QPluginLoader>
#include <QProcessEnvironment>
#include <QSet>

#include <algorithm>

namespace bioforge::core {

PluginManager::PluginManager() : m_searchPaths(defaultSearchPaths()) {}

PluginManager::~PluginManager() = default;

QStringList PluginManager::defaultSearchPaths()
{
    QStringList paths;
    const QString env = QProcessEnvironment::systemEnvironment().value(QStringLiteral("BIOFORGE_PLUGIN_PATH"));
    for (const QString& p : env.split(QLatin1Char(':'), Qt::SkipEmptyParts))
        paths << p;
    // Build tree and install tree share the layout bin/ + lib/bioforge/plugins.
    const QString appDir = QCoreApplication::applicationDirPath();
    if (!appDir.isEmpty()) {
        paths << QDir::cleanPath(appDir + QStringLiteral("/../lib/bioforge/plugins")); // build tree
        paths << QDir::cleanPath(appDir + QStringLiteral("/../" BIOFORGE_INSTALL_PLUGINDIR)); // install tree
    }
    paths.removeDuplicates();
    return paths;
}

void PluginManager::addBuiltin(QObject* object, const PluginMetadata& metadata)
{
    m_builtins.emplace_back(object);
    PluginEntry e;
    e.metadata = metadata;
    e.object = object;
    e.plugin = qobject_cast<IPlugin*>(object);
    if (!e.plugin) {
        e.state = PluginEntry::State::Failed;
        e.error = QStringLiteral("built-in object does not implement %1").arg(QLatin1String(BIOFORGE_IPLUGIN_IID));
    }
    m_entries.append(e);
}

namespace {

// The id a plugin file stands for when its metadata cannot be read (a truncated or foreign file):
// its name less "lib" and "bioforge_" (libbioforge_annotation.so: annotation), so that `bioforge
// annotation …` says why it did not load.
QString idFromFileName(const QFileInfo& info)
{
    QString id = info.completeBaseName();
    for (const char* prefix : {"lib", "bioforge_"})
        if (id.startsWith(QLatin1String(prefix)))
            id = id.mid(qsizetype(qstrlen(prefix)));
    return id;
}

// Why an ELF file is no plugin when it is one cut short (an interrupted copy or download: Qt says
// only "no embedded metadata"): its size against the end of its section headers, which the ELF
// header places (ELF64 and ELF32, either byte order). Empty when it is not so.
QString cutShort(const QString& path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    const QByteArray h = f.read(64);
    if (h.size() < 52 || !h.startsWith("\x7f" "ELF"))
        return {};
    const bool is64 = h[4] == 2, little = h[5] == 1;
    const auto number = [&](int at, int bytes) {
        quint64 v = 0;
        for (int k = 0; k < bytes; ++k)
            v |= quint64(uchar(h[at + (little ? k : bytes - 1 - k)])) << (8 * k);
        return v;
    };
    if (is64 && h.size() < 64)
        return {};
    const quint64 shoff = is64 ? number(0x28, 8) : number(0x20, 4);
    const quint64 shentsize = is64 ? number(0x3a, 2) : number(0x2e, 2), shnum = is64 ? number(0x3c, 2) : number(0x30, 2);
    const quint64 end = shoff + shentsize * shnum;
    if (shoff == 0 || end <= quint64(f.size()))
        return {};
    return QStringLiteral("the file is cut short (%1 bytes; its ELF headers say it holds at least %2): an interrupted copy or download? Copy it again")
        .arg(QString::number(f.size()), QString::number(end));
}

} // namespace

void PluginManager::discover()
{
    QSet<QString> seenFiles;
    for (const QString& dirPath : m_searchPaths) {
        const QDir dir(dirPath);
        if (!dir.exists())
            continue;
        for (const QFileInfo& info : dir.entryInfoList(QDir::Files, QDir::Name)) {
            const QString file = info.canonicalFilePath();
            if (!QLibrary::isLibrary(file) || seenFiles.contains(file))
                continue;
            seenFiles.insert(file);
            PluginEntry e;
            e.filePath = file;
            // metaData() reads the embedded JSON without loading the library.
            const QJsonObject raw = QPluginLoader(file).metaData();
            if (raw.isEmpty()) {
                e.state = PluginEntry::State::Failed;
                e.metadata.id = idFromFileName(info);
                const QString cut = cutShort(file);
                e.error = cut.isEmpty() ? QStringLiteral("%1: not a Qt plugin (no embedded metadata)").arg(file) : QStringLiteral("%1: %2").arg(file, cut);
                m_entries.append(e);
                continue;
            }
            const QString iid = raw.value(QLatin1String("IID")).toString();
            if (iid != QLatin1String(BIOFORGE_IPLUGIN_IID)) {
                e.state = PluginEntry::State::Failed;
                e.metadata.id = idFromFileName(info);
                e.error = QStringLiteral("%1: implements interface '%2', expected '%3' (built for another BioForge version?)")
                              .arg(file, iid, QLatin1String(BIOFORGE_IPLUGIN_IID));
                m_entries.append(e);
                continue;
            }
            auto meta = PluginMetadata::fromJson(raw.value(QLatin1String("MetaData")).toObject());
            if (!meta) {
                e.state = PluginEntry::State::Failed;
                e.metadata.id = idFromFileName(info);
                e.error = QStringLiteral("%1: %2").arg(file, meta.error().message());
                m_entries.append(e);
                continue;
            }
            e.metadata = *meta;
            m_discoveryOrder.insert(file, int(m_discoveryOrder.size()));
            m_entries.append(e); // a second copy of an id too: loadAll() uses the first that loads

        }
    }
}

void PluginManager::orderByDependencies()
{
    // Kahn's algorithm over the entries still in play; the rest keep their place at the end.
    QList<PluginEntry> ordered;
    QList<PluginEntry> pending;
    for (const PluginEntry& e : m_entries)
        (e.state == PluginEntry::State::Failed ? ordered : pending).append(e);
    QList<PluginEntry> failed = ordered;
    ordered.clear();
    QSet<QString> placed;
    bool progress = true;
    while (!pending.isEmpty() && progress) {
        progress = false;
        for (qsizetype i = 0; i < pending.size(); ++i) {
            PluginEntry& e = pending[i];
            bool ready = true;
            for (const QString& dep : e.metadata.dependencies) {
                bool known = false;
                for (const PluginEntry& other : pending + ordered)
                    known = known || other.metadata.id == dep;
                if (!known) {
                    e.state = PluginEntry::State::Failed;
                    e.error = QStringLiteral("depends on plugin '%1', which is not available").arg(dep);
                }
                ready = ready && placed.contains(dep);
            }
            if (e.state == PluginEntry::State::Failed) {
                failed.append(e);
                pending.removeAt(i);
                progress = true;
                break;
            }
            if (ready) {
                placed.insert(e.metadata.id);
                ordered.append(e);
                pending.removeAt(i);
                progress = true;
                break;
            }
        }
    }
    for (PluginEntry& e : pending) {
        e.state = PluginEntry::State::Failed;
        e.error = QStringLiteral("circular or failed dependency among: %1").arg(e.metadata.dependencies.join(QStringLiteral(", ")));
        failed.append(e);
    }
    m_entries = ordered + failed;
}

bool PluginManager::loadEntry(PluginEntry& e, const PluginContext& context)
{
    for (const QString& dep : e.metadata.dependencies) {
        const PluginEntry* d = entry(dep);
        if (!d || d->state != PluginEntry::State::Loaded) {
            e.state = PluginEntry::State::Failed;
            e.error = QStringLiteral("dependency '%1' failed to load").arg(dep);
            return false;
        }
    }
    if (!e.filePath.isEmpty()) {
        auto loader = std::make_unique<QPluginLoader>(e.filePath);
        loader->setLoadHints(QLibrary::ResolveAllSymbolsHint);
        if (!loader->load()) {
            e.state = PluginEntry::State::Failed;
            e.error = QStringLiteral("cannot load: %1").arg(loader->errorString());
            return false;
        }
        e.object = loader->instance();
        e.plugin = qobject_cast<IPlugin*>(e.object);
        m_loaders.push_back(std::move(loader));
        if (!e.plugin) {
            e.state = PluginEntry::State::Failed;
            e.error = QStringLiteral("the plugin object does not implement %1").arg(QLatin1String(BIOFORGE_IPLUGIN_IID));
            return false;
        }
    }
    QString error;
    PluginContext own = context;
    if (context.settingsOf)
        own.settings = context.settingsOf(e.metadata.id);
    if (!e.plugin->initialize(own, &error)) {
        e.state = PluginEntry::State::Failed;
        e.error = QStringLiteral("initialisation failed: %1").arg(error.isEmpty() ? QStringLiteral("(no reason given)") : error);
        return false;
    }
    e.state = PluginEntry::State::Loaded;
    return true;
}

void PluginManager::loadAll(const PluginContext& context)
{
    discover();
    orderByDependencies();
    const auto copyName = [](const PluginEntry& e) { return e.filePath.isEmpty() ? QStringLiteral("the built-in copy") : e.filePath; };
    for (qsizetype i = 0; i < m_entries.size(); ++i) {
        if (m_entries[i].state != PluginEntry::State::Found)
            continue;
        // This id's copies in search order (dependency order may have moved them): a broken copy
        // earlier in the path no longer hides a working one.
        const QString id = m_entries[i].metadata.id;
        QList<qsizetype> copies;
        for (qsizetype j = i; j < m_entries.size(); ++j)
            if (m_entries[j].metadata.id == id && m_entries[j].state == PluginEntry::State::Found)
                copies << j;
        std::stable_sort(copies.begin(), copies.end(), [this](qsizetype a, qsizetype b) {
            return m_discoveryOrder.value(m_entries[a].filePath, -1) < m_discoveryOrder.value(m_entries[b].filePath, -1);
        });
        qsizetype used = -1;
        for (qsizetype j : std::as_const(copies)) {
            PluginEntry& e = m_entries[j];
            if (used >= 0) {
                e.state = PluginEntry::State::Unused;
                e.error = QStringLiteral("another copy is used: %1").arg(copyName(m_entries[used]));
            } else if (loadEntry(e, context)) {
                used = j;
            }
        }
    }
    for (PluginEntry& e : m_entries)
        if (e.state == PluginEntry::State::Loaded)
            e.plugin->extensionsInitialized();
    // A copy that failed — to load, or before it could be tried (no metadata: cut short; another
    // interface) — says which copy is used instead.
    for (PluginEntry& e : m_entries)
        if (const PluginEntry* loaded = entry(e.metadata.id);
            e.state == PluginEntry::State::Failed && loaded && loaded->state == PluginEntry::State::Loaded)
            e.error += QStringLiteral("; %1 is used instead").arg(copyName(*loaded));
    for (const PluginEntry& e : m_entries) {
        if (e.state == PluginEntry::State::Failed && plugin(e.metadata.id)) // another copy of it loaded
            log::warn(QStringLiteral("plugin '%1': the copy %2 did not load: %3").arg(e.metadata.id, e.filePath, e.error));
        else if (e.state == PluginEntry::State::Failed)
            log::warn(QStringLiteral("plugin '%1' not loaded: %2").arg(e.metadata.id, e.error));
        else if (e.state == PluginEntry::State::Unused)
            log::info(QStringLiteral("plugin '%1' in %2 not used: %3").arg(e.metadata.id, e.filePath, e.error));
        else
            log::info(QStringLiteral("plugin '%1' %2 loaded").arg(e.metadata.id, e.metadata.version));
    }
}

void PluginManager::shutdown()
{
    for (auto it = m_entries.rbegin(); it != m_entries.rend(); ++it)
        if (it->state == PluginEntry::State::Loaded)
            it->plugin->aboutToShutdown();
}

QString PluginManager::notLoadedReason(const QString& id) const
{
    if (const PluginEntry* e = entry(id))
        return QStringLiteral("plugin '%1' is not loaded: %2").arg(id, e->error);
    return QStringLiteral("plugin '%1' is not loaded (none of that name was found; `bioforge plugins` lists those found and the folders searched)").arg(id);
}

const PluginEntry* PluginManager::entry(const QString& id) const
{
    for (PluginEntry::State wanted : {PluginEntry::State::Loaded, PluginEntry::State::Found, PluginEntry::State::Failed, PluginEntry::State::Unused})
        for (const PluginEntry& e : m_entries)
            if (e.metadata.id == id && e.state == wanted)
                return &e;
    return nullptr;
}

IPlugin* PluginManager::plugin(const QString& id) const
{
    const PluginEntry* e = entry(id);
    return e && e->state == PluginEntry::State::Loaded ? e->plugin : nullptr;
}

QObject* PluginManager::pluginObject(const QString& id) const
{
    const PluginEntry* e = entry(id);
    return e && e->state == PluginEntry::State::Loaded ? e->object : nullptr;
}

QList<IPlugin*> PluginManager::loadedPlugins() const
{
    QList<IPlugin*> out;
    for (const PluginEntry& e : m_entries)
        if (e.state == PluginEntry::State::Loaded)
            out.append(e.plugin);
    return out;
}

} // namespace bioforge::core
