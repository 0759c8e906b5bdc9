#pragma once

// Settings: device preference, CPU threads, concurrent jobs, model and cache
// folders, and the options of runs sent to a Slurm cluster (checked as
// sbatch would read them before they are kept). Reads and writes
// WorkbenchSettings (defaults live there).

#include <QDialog>

class QComboBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QSpinBox;

namespace bioforge::ui {

class SettingsDialog : public QDialog {
    Q_OBJECT
public:
    explicit SettingsDialog(QWidget* parent = nullptr);
    // false (and the reason shown in the dialog) when a cluster option is malformed.
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
};

} // namespace bioforge::ui
