#pragma once

// The column-mapping step of the age page: for each of our fields (id, age,
// sex, follow-up, death, every biomarker) the table's column and, for age,
// follow-up and a biomarker, its unit; the codes that mean male / female,
// pregnant / not, died / alive. Starts from a mapping (shipped or saved) and
// the table's header; gives back the mapping as JSON ("bioforge-age-mapping/1").
// A unit the mapping writes otherwise than the choices (`mg/dl`, `umol/l`) is
// offered and kept as written: the run reads it as the command line does
// (BiomarkerSpec::conversionFrom), never as another unit (trial 23 T23-4).

#include "table/column_mapping.h"

#include <QJsonObject>
#include <QStringList>
#include <QWidget>

class QComboBox;
class QLineEdit;
class QTableWidget;

namespace bioforge::age {

class MappingEditor final : public QWidget {
    Q_OBJECT
public:
    explicit MappingEditor(QWidget* parent = nullptr);

    // The table's columns offered in each row's choice ("(not in the table)" first).
    void setColumns(const QStringList& header);
    void setMapping(const QJsonObject& mapping);
    // The mapping as shown; once a choice differs from the mapping set, its name says "(edited)"
    // (runs recorded an edited mapping under the shipped one's name: trial 21).
    QJsonObject mapping() const;
    QTableWidget* table() const { return m_table; }
    // The table is one Tab stop (its combos, rebuilt with each mapping, went to the end of the
    // window's Tab order: trial 23 T23-7): arrows move between cells, and F2, Space, Return or
    // Alt+Down opens the current cell's choice.
    bool eventFilter(QObject* watched, QEvent* event) override;

signals:
    void changed();

private:
    void fillRows();
    void keyedByTheTable(QComboBox* box);
    QString columnOf(int row) const;
    QJsonObject shown() const; // mapping() as the rows show it, the name as set

    QTableWidget* m_table;
    QLineEdit* m_male;
    QLineEdit* m_female;
    QLineEdit* m_pregnant;
    QLineEdit* m_notPregnant;
    QLineEdit* m_died;
    QLineEdit* m_alive;
    QStringList m_header;
    QJsonObject m_mapping;
    QJsonObject m_asSet; // shown() before any edit: for the table's header too (a column found by its case)
};

} // namespace bioforge::age
