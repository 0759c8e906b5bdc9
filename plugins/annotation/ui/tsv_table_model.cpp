#include "tsv_table_model.h"

#include "io/csv_reader.h"

#include <QBrush>
#include <QColor>

namespace bioforge::annotation {

void TsvTableModel::reset(QStringList header, QList<QStringList> rows)
{
    beginResetModel();
    m_header = std::move(header);
    m_rows = std::move(rows);
    endResetModel();
}

QVariant TsvTableModel::data(const QModelIndex& index, int role) const
{
    if (!index.isValid() || index.row() >= m_rows.size())
        return {};
    const QString text = m_rows.at(index.row()).value(index.column());
    switch (role) {
    case Qt::DisplayRole:
    case Qt::ToolTipRole:
        return text;
    case Qt::UserRole: { // the sort key
        bool ok = false;
        const double v = text.toDouble(&ok);
        return ok ? QVariant(v) : QVariant(text.toLower());
    }
    case Qt::ForegroundRole:
        if (m_header.value(index.column()).endsWith(QLatin1String("status"))) {
            if (text == QLatin1String("failed"))
                return QBrush(QColor(0xb0, 0x20, 0x20));
            if (text == QLatin1String("absent") || text == QLatin1String("unknown") || text == QLatin1String("ambiguous") || text == QLatin1String("withdrawn"))
                return QBrush(QColor(0x90, 0x60, 0x00));
        }
        return {};
    default:
        return {};
    }
}

QVariant TsvTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (role != Qt::DisplayRole)
        return {};
    return orientation == Qt::Horizontal ? QVariant(m_header.value(section)) : QVariant(section + 1);
}

bool TsvTableModel::readTsv(const QString& path, QStringList& header, QList<QStringList>& rows, QString* error)
{
    auto reader = core::CsvReader::open(path, QLatin1Char('\t'));
    if (!reader) {
        *error = reader.error().message();
        return false;
    }
    if (auto st = (*reader)->readHeader(); !st) {
        *error = st.error().message();
        return false;
    }
    header = (*reader)->header();
    for (;;) {
        auto row = (*reader)->next();
        if (!row) {
            *error = row.error().message();
            return false;
        }
        if (!*row)
            return true;
        rows << **row;
    }
}

} // namespace bioforge::annotation
