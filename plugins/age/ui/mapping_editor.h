#pragma once

// The column-mapping step of the age page: for each of our fields (id, age,
// sex, follow-up, death, every biomarker) the table's column and, for a
// biomarker, its unit; the codes that mean male / female and died. Starts
// from a mapping (shipped or saved) and the table's header; gives back the
// mapping as JSON ("bioforge-age-mapping/1").

#include "table/column_mapping.h"

#include <QJsonObject>
#include <QStringList>
#include <QWidget>

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
    QJsonObject mapping() const;
    QTableWidget* table() const { return m_table; }

signals:
    void changed();

private:
    void fillRows();
    QString columnOf(int row) const;

    QTableWidget* m_table;
    QLineEdit* m_male;
    QLineEdit* m_female;
    QLineEdit* m_died;
    QStringList m_header;
    QJsonObject m_mapping;
};

} // namespace bioforge::age
