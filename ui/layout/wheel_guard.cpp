#include "layout/wheel_guard.h"

#include <QAbstractScrollArea>
#include <QAbstractSpinBox>
#include <QComboBox>
#include <QCoreApplication>
#include <QEvent>
#include <QLineEdit>
#include <QScrollBar>
#include <QWheelEvent>

namespace bioforge::ui {

namespace {

// The combo box or spin box `w` is, or whose line edit it is; null for anything else.
QWidget* valueBox(QObject* watched)
{
    auto* w = qobject_cast<QWidget*>(watched);
    if (qobject_cast<QLineEdit*>(w) && w->parentWidget())
        w = w->parentWidget();
    return qobject_cast<QComboBox*>(w) || qobject_cast<QAbstractSpinBox*>(w) ? w : nullptr;
}

// The nearest scroll area above `w` that can scroll down or up (an inner one that cannot passes the
// wheel on), else the nearest; null where there is none.
QAbstractScrollArea* scrollAreaAbove(QWidget* w)
{
    QAbstractScrollArea* nearest = nullptr;
    for (QWidget* up = w->parentWidget(); up; up = up->parentWidget())
        if (auto* area = qobject_cast<QAbstractScrollArea*>(up)) {
            if (area->verticalScrollBar()->maximum() > area->verticalScrollBar()->minimum())
                return area;
            nearest = nearest ? nearest : area;
        }
    return nearest;
}

} // namespace

bool WheelGuard::eventFilter(QObject* watched, QEvent* event)
{
    if (event->type() == QEvent::Polish) {
        if (auto* w = qobject_cast<QWidget*>(watched); w && valueBox(w) == w && w->focusPolicy() == Qt::WheelFocus)
            w->setFocusPolicy(Qt::StrongFocus);
        return false;
    }
    if (event->type() != QEvent::Wheel)
        return false;
    QWidget* box = valueBox(watched);
    if (!box || box->hasFocus())
        return false;
    QAbstractScrollArea* area = scrollAreaAbove(box);
    if (!area)
        return false;
    // The page scrolls instead: the same wheel, at the same place, given to the scroll area's viewport;
    // one at its end passes it on to the next area above (a table of boxes inside a page), as Qt does.
    const auto* wheel = static_cast<QWheelEvent*>(event);
    for (QWidget* from = area; area; area = scrollAreaAbove(from)) {
        QWheelEvent scroll(area->viewport()->mapFromGlobal(wheel->globalPosition()), wheel->globalPosition(), wheel->pixelDelta(), wheel->angleDelta(),
                           wheel->buttons(), wheel->modifiers(), wheel->phase(), wheel->inverted(), wheel->source());
        scroll.ignore();
        QCoreApplication::sendEvent(area->viewport(), &scroll);
        if (scroll.isAccepted())
            break;
        from = area;
    }
    return true; // the box does not take it either way
}

} // namespace bioforge::ui
