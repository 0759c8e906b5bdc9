#pragma once

// The left side of the age page: the table and its column mapping (a shipped
// or saved mapping, edited against the table's header), the check of every
// value (run on a worker; problems listed by line and column), the reference
// cohorts and the settings where implementations disagree, HENAW's training
// and a trained model to apply, the evaluation's bootstrap, and the buttons
// that start the runs (clocks, evaluate, train, predict). parameters(verb)
// gives the run's parameters.

#include <QFutureWatcher>
#include <QJsonObject>
#include <QWidget>

class QComboBox;
class QFormLayout;
class QLabel;
class QLineEdit;
class QPushButton;
class QSpinBox;
class QTableWidget;

namespace bioforge::age {

class MappingEditor;

struct TableCheck {
    QStringList header;
    QString summary;               // or the error
    QList<QStringList> problems;   // line, column, problem
    bool ok = false;
};

class AgeSetupPanel final : public QWidget {
    Q_OBJECT
public:
    explicit AgeSetupPanel(QWidget* parent = nullptr);

    void setTable(const QString& path);
    QString table() const;
    // A mapping saved with the project (or empty): offered as "This project's mapping".
    void setProjectMapping(const QJsonObject& mapping);
    QJsonObject currentMapping() const;
    QJsonObject parameters(const QString& verb, const QString& mappingFile) const;
    // The trained HENAW model folder to apply (predict) or compare (evaluate); empty: none.
    QString henawModel() const;
    void setStatus(const QString& text);
    void checkTable(); // reads the header and checks every value, on a worker
    // The tables and HENAW settings a run was started with, kept for the next start (the page
    // forgot them where the Viral and Chat pages kept theirs: trial 21); restore() offers them
    // again, a file moved away since left out.
    void remember() const;
    void restore();

    MappingEditor* mappingEditor() const { return m_editor; }
    QTableWidget* problems() const { return m_problems; }
    QLabel* checkSummary() const { return m_checkSummary; }

signals:
    void runRequested(const QString& verb);
    void checked();

private:
    void chooseMapping(int index);
    // A path with its Browse… (a file, or with `folder` a folder).
    QLineEdit* pathRow(QWidget* parent, QFormLayout* form, const QString& label, const QString& name, bool folder = false);

    QLineEdit* m_table;
    QComboBox* m_mappings;
    MappingEditor* m_editor;
    QLabel* m_checkSummary;
    QTableWidget* m_problems;
    QLineEdit* m_kdmReference;
    QLineEdit* m_phenoAgeReference;
    QLineEdit* m_hdReference;
    QLineEdit* m_henawTrain;
    QLineEdit* m_henawModel;
    QComboBox* m_kdmMarkers;
    QComboBox* m_referenceMapping; // of the reference tables: the table's (empty) or a shipped one
    QComboBox* m_crp;
    QComboBox* m_divisor;
    QComboBox* m_kdmRows;
    QComboBox* m_missing;
    QSpinBox* m_epochs;
    QSpinBox* m_ensemble;
    QSpinBox* m_bootstrap;
    QSpinBox* m_seed;
    QLabel* m_status;
    QJsonObject m_projectMapping;
    QFutureWatcher<TableCheck> m_check;
    // What the check shown (or running) read: a result for another table or mapping is not shown
    // as this one's (a check stayed on screen after the table changed: trial 20).
    QString m_checkedTable;
    QJsonObject m_checkedMapping;
    bool m_checkShown = false;
    int m_mappingIndex = 0; // the mapping choice the editor holds (a cancelled file choice goes back to it)
};

} // namespace bioforge::age
