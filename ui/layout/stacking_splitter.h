#pragma once

// A splitter whose panes sit side by side while the width holds each at its
// minimum, and stack top to bottom when it does not (a page beside a wide
// dock, a small laptop screen): a page then scrolls down, never sideways with
// its buttons off screen. Its minimum width is that of its widest pane.

#include <QHash>
#include <QSplitter>

namespace bioforge::ui {

class StackingSplitter : public QSplitter {
    Q_OBJECT
public:
    explicit StackingSplitter(QWidget* parent = nullptr);

    // The width the panes need side by side (a pane that is itself a StackingSplitter counted side
    // by side too, so an outer one stacks first), in pixels.
    int sideBySideWidth() const;
    // Side by side, the width reported is the widest pane's, less than the panes need: the splitter
    // stacks below sideBySideWidth(), so a page never needs to be wider than one pane. (Stacking
    // transposes QSplitter's size policy too; harmless, as it is its page's only item.)
    QSize minimumSizeHint() const override;
    // The size QSplitter holds `pane` at, at least (Qt's rule for layouts, qSmartMinSize): an explicit
    // minimum where one is set, else the minimum size hint, or the size hint for a policy that cannot
    // shrink (Fixed, Minimum); nothing along an Ignored policy.
    static QSize paneMinimum(const QWidget* pane);

    // Where pane `index` (one after the first) is, for a status line: "on the right" side by side,
    // "below" stacked.
    QString placeOf(int index) const;
    // Stacked, scrolls the page around it (the nearest QScrollArea above) to pane `index`: a run's
    // results, shown below the form, come into view when it ends.
    void reveal(int index);

protected:
    bool event(QEvent* event) override;
    bool eventFilter(QObject* watched, QEvent* event) override;
    void resizeEvent(QResizeEvent* event) override;

private:
    // Each pane at least as tall as its layout needs at the width it has (wrapped labels counted:
    // QSplitter reads minimum size hints only, which a wrapped label's height is not in, and a pane
    // given less drew its widgets over each other: trial 20), besides its own minimum. Deferred to
    // the event loop after a pane's resize or layout request; idempotent.
    void scheduleFit();
    void fitPaneHeights();
    struct Fitted {
        int own = 0; // the pane's minimum height as its page set it
        int set = 0; // what fitPaneHeights set (a pane showing another value was set anew by its page)
    };
    QHash<const QWidget*, Fitted> m_fitted;
    bool m_fitPending = false;
    QSize stackedMinimum() const; // the widest pane; stacked, the panes' heights summed
    // Side by side where `width` holds the panes at their minimums, else stacked. Decided on a
    // resize and whenever a pane's minimum or visibility may have changed (a layout request).
    void updateOrientation(int width);
};

} // namespace bioforge::ui
