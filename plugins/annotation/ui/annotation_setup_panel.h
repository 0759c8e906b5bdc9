#pragma once

// The left side of the annotation page: the gene list (pasted, opened from a
// file, or a saved panel: the shipped ones and the project's), the sources
// with what is imported for each (release, file, rows) and a check box to
// use it, importing provider files in the background with progress, and
// Run.

#include <QJsonObject>
#include <QWidget>

#include <atomic>
#include <functional>
#include <memory>

class QCheckBox;
class QComboBox;
class QLabel;
class QPlainTextEdit;
class QProgressBar;
class QPushButton;
class QTreeWidget;

namespace bioforge::annotation {

class AnnotationSetupPanel final : public QWidget {
    Q_OBJECT
public:
    // `libraryPath`: asked at each use (the Settings dialog may change it while the window is open).
    AnnotationSetupPanel(std::function<QString()> libraryPath, QWidget* parent = nullptr);
    ~AnnotationSetupPanel() override;

    void setProjectFolder(const QString& folder); // its annotation/panels/ are offered
    void setGenes(const QString& text);
    // The list read from `file` (Open list…, a saved panel), its bytes: run as that file while the box
    // holds it unedited and the file still holds those bytes (the run records its path and SHA-256,
    // and is titled by its name).
    void setGenesFromFile(const QString& file, const QByteArray& bytes);
    QString genes() const;
    QStringList checkedSources() const;
    // The annotate run's parameters for the list and sources chosen: `genes` (the file) for a list
    // opened and not edited, else `genes_text`.
    QJsonObject parameters() const;
    // The run title for `parameters`: a pasted list's "Gene annotation: annotate — 22 entries: PKD1,
    // PKD2, NPHS1, …"; empty for a file (the run is titled by its name).
    QString runTitle(const QJsonObject& parameters) const;
    void setStatus(const QString& text);
    // Re-reads what the library holds (the source list).
    void refreshSources();
    // Whether a source could be used at the last refresh (imported, or online with an API).
    bool hasUsableSources() const { return !m_usable.isEmpty(); }
    // Imports files in the background (what the Import button does after its dialog).
    void importFiles(const QStringList& paths);
    QTreeWidget* sourceList() const { return m_sources; }

signals:
    void runRequested();
    void importsFinished(int imported, int failed);

private:
    void reloadPanels();
    void savePanel();

    std::function<QString()> m_library;
    QString m_projectFolder;
    QComboBox* m_panels;
    QPlainTextEdit* m_genes;
    QString m_listFile, m_listFileText; // where the box's list was read from, and its text then
    QByteArray m_listFileBytes;         // the file's bytes then
    QLabel* m_geneCount;
    QTreeWidget* m_sources;
    QCheckBox* m_online;
    QPushButton* m_import;
    QProgressBar* m_importProgress;
    QLabel* m_status;
    std::shared_ptr<std::atomic<bool>> m_cancelImport;
    QStringList m_usable; // sources usable at the last refresh (a newly usable one starts checked)
};

} // namespace bioforge::annotation
