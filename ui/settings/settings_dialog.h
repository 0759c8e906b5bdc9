#pragma once

// Settings: device preference, CPU threads, concurrent jobs, model and cache
// folders. Reads and writes WorkbenchSettings (defaults live there).

#include <QDialog>

class QComboBox;
class QLineEdit;
class QSpinBox;

namespace bioforge::ui {

class SettingsDialog : public QDialog {
    Q_OBJECT
public:
    explicit SettingsDialog(QWidget* parent = nullptr);
    void save();

private:
    QComboBox* m_device;
    QSpinBox* m_threads;
    QSpinBox* m_jobs;
    QLineEdit* m_models;
    QLineEdit* m_cache;
};

} // namespace bioforge::ui
