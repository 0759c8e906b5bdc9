#include "contig_table_model.h"

namespace bioforge::viral {

void ContigTableModel::setRows(QList<ContigRow> rows)
{
    beginResetModel();
    m_rows = std::move(rows);
    endResetModel();
}

QVariant ContigTableModel::data(const QModelIndex& index, int role) const
{
    if (!index.isValid() || index.row() >= m_rows.size())
        return {};
    const ContigRow& r = m_rows[index.row()];
    auto score = [&](double x) -> QVariant {
        if (x < 0)
            return role == Qt::DisplayRole ? QVariant(QStringLiteral("—")) : QVariant(-1.0);
        return role == Qt::DisplayRole ? QVariant(QString::number(x, 'f', 4)) : QVariant(x);
    };
    if (role == Qt::DisplayRole || role == Qt::UserRole) { // UserRole: the value to sort by
        switch (index.column()) {
        case Contig: return r.contig;
        case File: return r.file;
        case Length: return r.length;
        case Chunks: return r.chunks;
        case Frames: return r.frames;
        case Mean: return score(r.meanScore);
        case Max: return score(r.maxScore);
        case Fraction: return score(r.viralFraction);
        case Call: return r.reused && role == Qt::DisplayRole ? r.call + tr(" (earlier run)") : r.call;
        default: return {};
        }
    }
    if (role == Qt::TextAlignmentRole && index.column() >= Length && index.column() <= Fraction)
        return int(Qt::AlignRight | Qt::AlignVCenter);
    return {};
}

QVariant ContigTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    static const char* names[] = {"Contig", "File", "Length", "Chunks", "Frames", "Mean score", "Max score", "Viral share", "Call"};
    return section < ColumnCount ? tr(names[section]) : QVariant();
}

void ContigFilter::setMinimumScore(double score)
{
    m_minScore = score;
    invalidateFilter();
}

void ContigFilter::setCall(const QString& call)
{
    m_call = call;
    invalidateFilter();
}

void ContigFilter::setMinimumLength(qint64 length)
{
    m_minLength = length;
    invalidateFilter();
}

bool ContigFilter::filterAcceptsRow(int sourceRow, const QModelIndex&) const
{
    const auto* model = static_cast<const ContigTableModel*>(sourceModel());
    const ContigRow& r = model->row(sourceRow);
    if (m_minScore > 0 && r.meanScore < m_minScore)
        return false;
    if (!m_call.isEmpty() && r.call != m_call)
        return false;
    return r.length >= m_minLength;
}

} // namespace bioforge::viral
