#include "layout/stacking_splitter.h"

#include <QResizeEvent>
#include <QScrollArea>

#include <algorithm>

namespace bioforge::ui {

namespace {

QSize paneMinimum(const QWidget* pane) { return pane->minimumSizeHint().expandedTo(pane->minimumSize()); }

} // namespace

StackingSplitter::StackingSplitter(QWidget* parent) : QSplitter(Qt::Horizontal, parent) { setChildrenCollapsible(false); }

int StackingSplitter::sideBySideWidth() const
{
    int width = 0, shown = 0;
    for (int i = 0; i < count(); ++i) {
        const QWidget* pane = widget(i);
        if (pane->isHidden())
            continue;
        const auto* inner = qobject_cast<const StackingSplitter*>(pane);
        width += inner ? std::max(inner->sideBySideWidth(), pane->minimumWidth()) : paneMinimum(pane).width();
        ++shown;
    }
    return width + std::max(0, shown - 1) * handleWidth() + 2 * frameWidth();
}

QSize StackingSplitter::minimumSizeHint() const
{
    int width = 0, height = 0, shown = 0;
    for (int i = 0; i < count(); ++i) {
        const QWidget* pane = widget(i);
        if (pane->isHidden())
            continue;
        // Stacked, the panes share what height there is beyond their minimums by their stretch (a
        // page taller than its window scrolls down to the next pane).
        const QSize m = paneMinimum(pane);
        width = std::max(width, m.width());
        height = orientation() == Qt::Vertical ? height + m.height() : std::max(height, m.height());
        ++shown;
    }
    if (orientation() == Qt::Vertical)
        height += std::max(0, shown - 1) * handleWidth();
    return QSize(width, height) + QSize(2 * frameWidth(), 2 * frameWidth());
}

QString StackingSplitter::placeOf(int index) const
{
    (void)index; // the panes after the first are right of it, or below it
    return orientation() == Qt::Horizontal ? tr("on the right") : tr("below");
}

void StackingSplitter::reveal(int index)
{
    if (orientation() == Qt::Horizontal || index < 0 || index >= count())
        return;
    for (QWidget* up = parentWidget(); up; up = up->parentWidget())
        if (auto* scroll = qobject_cast<QScrollArea*>(up)) {
            scroll->ensureWidgetVisible(widget(index), 0, 0);
            return;
        }
}

void StackingSplitter::resizeEvent(QResizeEvent* event)
{
    const Qt::Orientation wanted = event->size().width() >= sideBySideWidth() ? Qt::Horizontal : Qt::Vertical;
    if (wanted != orientation()) {
        setOrientation(wanted);
        updateGeometry(); // stacked, the minimum height is the panes' sum
    }
    QSplitter::resizeEvent(event);
}

} // namespace bioforge::ui
