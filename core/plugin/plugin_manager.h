#pragma once

// Finds plugins (MODULE libraries with JSON metadata) in the build tree, the
// install tree and BIOFORGE_PLUGIN_PATH, checks their metadata and interface
// version, orders them by dependencies and loads them. A plugin that fails
// (bad metadata, wrong interface, missing symbol, missing dependency, failed
// initialize) is listed with the reason; the others load and the app starts.

#include "plugin/iplugin.h"
#include "plugin/plugin_metadata.h"

#include <QHash>
#include <QList>
#include <QObject>
#include <QString>
#include <QStringList>

#include <memory>

class QPluginLoader;

namespace bioforge::core {

struct PluginEntry {
    // Unused: another copy of the same id (found earlier in the search paths, or one that loaded
    // where this one's predecessors failed) is the one loaded; listed, never warned about.
    enum class State { Found, Loaded, Failed, Unused };
    PluginMetadata metadata;
    QString filePath; // empty for built-in plugins
    State state = State::Found;
    QString error;
    QObject* object = nullptr;
    IPlugin* plugin = nullptr;
};

class PluginManager {
public:
    PluginManager();
    ~PluginManager();
    PluginManager(const PluginManager&) = delete;
    PluginManager& operator=(const PluginManager&) = delete;

    static QStringList defaultSearchPaths();
    void setSearchPaths(const QStringList& paths) { m_searchPaths = paths; }
    const QStringList& searchPaths() const { return m_searchPaths; }

    // A plugin compiled into the application (the workbench's own jobs).
    void addBuiltin(QObject* object, const PluginMetadata& metadata);

    // Discovers the plugins in the search paths and loads them in dependency order. Copies of one
    // id (a folder in BIOFORGE_PLUGIN_PATH before the installed one) are tried in search order: the
    // first that loads is used, a failed one says which copy is used instead, the rest are Unused.
    void loadAll(const PluginContext& context);
    void shutdown();

    const QList<PluginEntry>& entries() const { return m_entries; }
    IPlugin* plugin(const QString& id) const;
    QObject* pluginObject(const QString& id) const;
    QList<IPlugin*> loadedPlugins() const;
    // The entry of `id`: its loaded copy, else one still to load, else a failed one, else an unused one.
    const PluginEntry* entry(const QString& id) const;
    // Why `id` is not loaded, in words: its load error, or that none of that name was found.
    QString notLoadedReason(const QString& id) const;

private:
    void discover();
    QHash<QString, int> m_discoveryOrder; // a plugin file -> its place in the search (folders in order, names within)
    // Loads one found entry (its dependencies, the library, initialize()); false with e.error set.
    bool loadEntry(PluginEntry& e, const PluginContext& context);
    void orderByDependencies();

    QStringList m_searchPaths;
    QList<PluginEntry> m_entries;
    std::vector<std::unique_ptr<QPluginLoader>> m_loaders;
    std::vector<std::unique_ptr<QObject>> m_builtins;
};

} // namespace bioforge::core
