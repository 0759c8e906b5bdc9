#pragma once

// Settings: device preference, CPU threads, concurrent jobs, model and cache
// folders, the options of runs sent to a Slurm cluster (checked as sbatch
// would read them before they are kept), and each loaded plugin's own
// settings (IPlugin::settingSpecs: annotation's NCBI key, rate limits,
// library; a secret is never shown). Reads and writes WorkbenchSettings
// (defaults live there); `bioforge settings` is the same from a terminal.

#include "plugin/iplugin.h"

#include <QDialog>

#include <vector>

class QComboBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QSpinBox;

namespace bioforge::core {
class PluginManager;
}

namespace bioforge::ui {

class SettingsDialog : public QDialog {
    Q_OBJECT
public:
    // `plugins`: whose settings are offered (none when null).
    explicit SettingsDialog(QWidget* parent = nullptr, const core::PluginManager* plugins = nullptr);
    // false (and the reason shown in the dialog) when a cluster option or a plugin setting is
    // malformed; nothing is kept then.
    bool save();

private:
    QComboBox* m_device;
    QSpinBox* m_threads;
    QSpinBox* m_jobs;
    QLineEdit* m_models;
    QLineEdit* m_cache;
    QSpinBox* m_shards;
    QLineEdit* m_partition;
    QLineEdit* m_account;
    QLineEdit* m_time;
    QSpinBox* m_cpusPerTask;
    QLineEdit* m_memory;
    QSpinBox* m_gpusPerTask;
    QPlainTextEdit* m_sbatchLines;
    QLabel* m_error;
    struct PluginField {
        QString plugin;
        core::PluginSetting spec;
        QLineEdit* edit = nullptr;
        bool forget = false; // a secret's "Forget" was pressed
    };
    std::vector<PluginField> m_pluginFields;
};

} // namespace bioforge::ui
