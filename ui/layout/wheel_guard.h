#pragma once

// Keeps the mouse wheel for scrolling where a form scrolls: a combo box or
// spin box inside a scroll area takes the wheel only once it has the focus
// (a click, Tab); before that the wheel scrolls the page under it. Without
// it, scrolling down a form changed each setting that passed under the
// pointer (a clock's CRP transform, the chunk length; trial 16). Installed on
// the application by the main window; it also gives those boxes
// Qt::StrongFocus, as Qt's Qt::WheelFocus would focus them on the first wheel.

#include <QObject>

namespace bioforge::ui {

class WheelGuard final : public QObject {
    Q_OBJECT
public:
    using QObject::QObject;

protected:
    bool eventFilter(QObject* watched, QEvent* event) override;
};

} // namespace bioforge::ui
