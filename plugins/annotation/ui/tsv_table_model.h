#pragma once

// A read-only table of text rows (a run's TSV files) for views: numbers sort
// as numbers (Qt::UserRole holds a double where the cell is one), and
// `status` columns are coloured by value (found / absent / failed).

#include <QAbstractTableModel>
#include <QStringList>

namespace bioforge::annotation {

class TsvTableModel final : public QAbstractTableModel {
    Q_OBJECT
public:
    using QAbstractTableModel::QAbstractTableModel;
    void reset(QStringList header, QList<QStringList> rows);
    const QStringList& header() const { return m_header; }
    const QStringList& row(int r) const { return m_rows.at(r); }

    int rowCount(const QModelIndex& parent = {}) const override { return parent.isValid() ? 0 : int(m_rows.size()); }
    int columnCount(const QModelIndex& parent = {}) const override { return parent.isValid() ? 0 : int(m_header.size()); }
    QVariant data(const QModelIndex& index, int role) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

    // Reads a tab-separated file with a header (RFC 4180 quoting); an error names the file.
    static bool readTsv(const QString& path, QStringList& header, QList<QStringList>& rows, QString* error);

private:
    QStringList m_header;
    QList<QStringList> m_rows;
};

} // namespace bioforge::annotation
