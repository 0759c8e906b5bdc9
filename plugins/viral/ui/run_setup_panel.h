#pragma once

// The left side of the viral page: the FASTA files (drop them on the list or
// add them), the chunk length, the three models (from the registry, with
// their checksums, or a folder / file), the device, and Run / Validate. It
// only collects choices; the page starts the runs.

#include <QJsonObject>
#include <QWidget>

class QCheckBox;

class QComboBox;
class QLabel;
class QListWidget;
class QPushButton;
class QSpinBox;

namespace bioforge::core {
class ModelRegistry;
}

namespace bioforge::viral {

class RunSetupPanel final : public QWidget {
    Q_OBJECT
public:
    explicit RunSetupPanel(QWidget* parent = nullptr);

    void setRegistry(const core::ModelRegistry* registry); // fills the model choices
    void addInputs(const QStringList& files);
    QStringList inputs() const;
    // The parameters of a `predict` run (validate takes the model part).
    QJsonObject parameters() const;
    void setStatus(const QString& text);
    QListWidget* inputList() const { return m_inputs; }
    QComboBox* modelChoice(int role) const { return m_models[role]; }

signals:
    void runRequested();
    void validateRequested();

protected:
    void dragEnterEvent(QDragEnterEvent* event) override;
    void dropEvent(QDropEvent* event) override;

private:
    QComboBox* makeModelChoice(int role);
    void updateButtons();
    void remember() const;
    void restore();

    QListWidget* m_inputs;
    QComboBox* m_chunkLength;
    QComboBox* m_models[3];
    QSpinBox* m_threads;
    QComboBox* m_precision;
    QLabel* m_device;
    QCheckBox* m_cluster; // run on the Slurm cluster, with the options in Settings
    QLabel* m_status;
    QPushButton* m_run;
    QPushButton* m_validate;
    bool m_restoring = false;
};

} // namespace bioforge::viral
