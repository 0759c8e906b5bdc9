#include "layout/stacking_splitter.h"

#include <QChildEvent>
#include <QLayout>
#include <QResizeEvent>
#include <QScrollArea>
#include <QScrollBar>
#include <QStyle>
#include <QTimer>

#include <algorithm>

namespace bioforge::ui {

QSize StackingSplitter::paneMinimum(const QWidget* pane)
{
    const auto along = [](QSizePolicy::Policy policy, int hint, int minimumHint) {
        if (policy == QSizePolicy::Ignored)
            return 0;
        return policy & QSizePolicy::ShrinkFlag ? minimumHint : std::max(hint, minimumHint);
    };
    const QSizePolicy policy = pane->sizePolicy();
    QSize size = QSize(along(policy.horizontalPolicy(), pane->sizeHint().width(), pane->minimumSizeHint().width()),
                       along(policy.verticalPolicy(), pane->sizeHint().height(), pane->minimumSizeHint().height()))
                     .boundedTo(pane->maximumSize());
    if (pane->minimumWidth() > 0)
        size.setWidth(pane->minimumWidth());
    if (pane->minimumHeight() > 0)
        size.setHeight(pane->minimumHeight());
    return size.expandedTo(QSize(0, 0));
}

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
    // Beside another pane in a StackingSplitter side by side, as wide as its panes need side by side:
    // QSplitter then never gives it less, so the outer one stacks first (else the inner stacked while
    // the outer's other pane kept its place beside it).
    if (const auto* outer = qobject_cast<const StackingSplitter*>(parentWidget()); outer && outer->orientation() == Qt::Horizontal && outer->count() > 1)
        return QSize(sideBySideWidth(), stackedMinimum().height());
    return stackedMinimum();
}

QSize StackingSplitter::stackedMinimum() const
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
    // After the pane's new content is laid out (a run's results just loaded), its top at the top of
    // the page (a pane taller than the window was centred, its first lines scrolled off).
    QTimer::singleShot(0, this, [this, index] {
        if (orientation() == Qt::Horizontal || index >= count())
            return;
        for (QWidget* up = parentWidget(); up; up = up->parentWidget())
            if (auto* scroll = qobject_cast<QScrollArea*>(up)) {
                if (scroll->widget())
                    scroll->verticalScrollBar()->setValue(widget(index)->mapTo(scroll->widget(), QPoint(0, 0)).y());
                return;
            }
    });
}

bool StackingSplitter::event(QEvent* event)
{
    if (event->type() == QEvent::ChildAdded)
        if (QObject* child = static_cast<QChildEvent*>(event)->child(); child->isWidgetType())
            child->installEventFilter(this); // its resizes and layout requests (installed once: Qt keeps one entry per filter)
    if (event->type() == QEvent::ChildRemoved)
        m_fitted.remove(static_cast<const QWidget*>(static_cast<QChildEvent*>(event)->child()));
    const bool done = QSplitter::event(event);
    if (event->type() == QEvent::LayoutRequest || event->type() == QEvent::ChildAdded || event->type() == QEvent::ChildRemoved || event->type() == QEvent::Show) {
        updateOrientation(width());
        scheduleFit();
    }
    return done;
}

bool StackingSplitter::eventFilter(QObject* watched, QEvent* event)
{
    if ((event->type() == QEvent::Resize || event->type() == QEvent::LayoutRequest) && watched->parent() == this)
        scheduleFit();
    return QSplitter::eventFilter(watched, event);
}

void StackingSplitter::resizeEvent(QResizeEvent* event)
{
    updateOrientation(event->size().width());
    QSplitter::resizeEvent(event);
    scheduleFit();
}

void StackingSplitter::scheduleFit()
{
    if (m_fitPending)
        return;
    m_fitPending = true;
    QTimer::singleShot(0, this, [this] {
        m_fitPending = false;
        fitPaneHeights();
    });
}

void StackingSplitter::fitPaneHeights()
{
    for (int i = 0; i < count(); ++i) {
        QWidget* pane = widget(i);
        if (pane->isHidden())
            continue;
        int own = pane->minimumHeight();
        if (const auto it = m_fitted.constFind(pane); it != m_fitted.constEnd() && it->set == own)
            own = it->own; // the value set here: the page's own is the one remembered
        int wanted = own;
        const int paneWidth = orientation() == Qt::Horizontal ? pane->width() : contentsRect().width();
        if (QLayout* layout = pane->layout(); layout && layout->hasHeightForWidth() && paneWidth > 0)
            wanted = std::max(wanted, layout->totalMinimumHeightForWidth(paneWidth)); // its minimum at that width: wrapped labels whole, no more
        if (pane->minimumHeight() != wanted)
            pane->setMinimumHeight(wanted);
        m_fitted.insert(pane, {own, wanted});
    }
}

void StackingSplitter::updateOrientation(int width)
{
    if (width <= 0)
        return;
    // Stacked, side by side again only with a scroll bar's width to spare: stacking makes the page
    // taller, its scroll bar takes that width, and without the margin the two states could follow
    // each other at a width between (review 64). Not for one inside another: the outer one gives it
    // the width its panes need side by side, exactly.
    const bool nested = qobject_cast<const StackingSplitter*>(parentWidget()) != nullptr;
    const int margin = orientation() == Qt::Vertical && !nested ? style()->pixelMetric(QStyle::PM_ScrollBarExtent, nullptr, this) : 0;
    const Qt::Orientation wanted = width >= sideBySideWidth() + margin ? Qt::Horizontal : Qt::Vertical;
    if (wanted == orientation())
        return;
    setOrientation(wanted);
    updateGeometry(); // stacked, the minimum height is the panes' sum
    for (int i = 0; i < count(); ++i) // an inner one's minimum width depends on this orientation
        if (auto* inner = qobject_cast<StackingSplitter*>(widget(i)))
            inner->updateGeometry();
}

} // namespace bioforge::ui
