#pragma once

// The contig table of the page: a model over ContigRow (numbers sort as
// numbers) and a filter by minimum score, call and minimum length.

#include "contig_results.h"

#include <QAbstractTableModel>
#include <QSortFilterProxyModel>

namespace bioforge::viral {

class ContigTableModel final : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column { Contig, File, Length, Chunks, Frames, Mean, Max, Fraction, Call, ColumnCount };
    using QAbstractTableModel::QAbstractTableModel;

    void setRows(QList<ContigRow> rows);
    const ContigRow& row(int r) const { return m_rows[r]; }

    int rowCount(const QModelIndex& parent = {}) const override { return parent.isValid() ? 0 : int(m_rows.size()); }
    int columnCount(const QModelIndex& parent = {}) const override { return parent.isValid() ? 0 : ColumnCount; }
    QVariant data(const QModelIndex& index, int role) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

private:
    QList<ContigRow> m_rows;
};

class ContigFilter final : public QSortFilterProxyModel {
    Q_OBJECT
public:
    using QSortFilterProxyModel::QSortFilterProxyModel;
    void setMinimumScore(double score);
    void setCall(const QString& call); // empty: any
    void setMinimumLength(qint64 length);

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex& sourceParent) const override;

private:
    double m_minScore = 0;
    QString m_call;
    qint64 m_minLength = 0;
};

} // namespace bioforge::viral
