#pragma once

// Paints the Progress column as a progress bar.

#include <QStyledItemDelegate>

namespace bioforge::ui {

class ProgressDelegate : public QStyledItemDelegate {
public:
    using QStyledItemDelegate::QStyledItemDelegate;
    void paint(QPainter* painter, const QStyleOptionViewItem& option, const QModelIndex& index) const override;
};

} // namespace bioforge::ui
