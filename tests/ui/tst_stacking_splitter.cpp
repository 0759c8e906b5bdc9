// The splitter of the plugin pages: side by side while the width holds every
// pane at its minimum, stacked (the page scrolling down) when it does not, an
// outer one stacking before an inner one; its minimum width is the widest
// pane's; `reveal` scrolls a stacked page to a pane.

#include "layout/stacking_splitter.h"

#include <QScrollArea>
#include <QScrollBar>
#include <QtTest>

using bioforge::ui::StackingSplitter;

namespace {

QWidget* pane(int minimumWidth, int minimumHeight, QWidget* parent)
{
    auto* w = new QWidget(parent);
    w->setMinimumSize(minimumWidth, minimumHeight);
    return w;
}

} // namespace

class TstStackingSplitter : public QObject {
    Q_OBJECT

private slots:
    void sideBySideWhileTheWidthHoldsThePanesElseStacked()
    {
        QScrollArea scroll;
        scroll.setWidgetResizable(true);
        auto* split = new StackingSplitter;
        split->addWidget(pane(300, 200, split));
        split->addWidget(pane(250, 150, split));
        scroll.setWidget(split);
        QCOMPARE(split->sideBySideWidth(), 300 + 250 + split->handleWidth());
        QCOMPARE(split->minimumSizeHint().width(), 300); // the widest pane: never a sideways scroll bar above it
        scroll.resize(800, 600);
        scroll.show();
        QVERIFY(QTest::qWaitForWindowExposed(&scroll));
        QTRY_COMPARE(split->orientation(), Qt::Horizontal);
        QCOMPARE(split->placeOf(1), QStringLiteral("on the right"));
        QCOMPARE(split->minimumSizeHint().height(), 200);
        scroll.resize(450, 600); // narrower than both side by side
        QTRY_COMPARE(split->orientation(), Qt::Vertical);
        QCOMPARE(split->placeOf(1), QStringLiteral("below"));
        QCOMPARE(split->minimumSizeHint().height(), 200 + 150 + split->handleWidth());
        QVERIFY(!scroll.horizontalScrollBar()->isVisible());
        // A window too short for both stacked: the page scrolls down, and `reveal` brings the second in.
        scroll.resize(450, 250);
        QTRY_VERIFY(scroll.verticalScrollBar()->maximum() > 0);
        QCOMPARE(scroll.verticalScrollBar()->value(), 0);
        split->reveal(1);
        QTRY_VERIFY(scroll.verticalScrollBar()->value() > 0); // the second pane's top at the top
        QCOMPARE(scroll.verticalScrollBar()->value(), std::min(split->widget(1)->y(), scroll.verticalScrollBar()->maximum()));
        scroll.resize(800, 600); // wide again: side by side again
        QTRY_COMPARE(split->orientation(), Qt::Horizontal);
        QCOMPARE(scroll.verticalScrollBar()->value(), 0); // side by side, reveal has nothing to do
        split->reveal(1);
        QCoreApplication::processEvents();
        QCOMPARE(scroll.verticalScrollBar()->value(), 0);
        // A pane that grows wider without a resize (a long text, a table's columns): stacked, and
        // side by side again when it narrows.
        split->widget(1)->setMinimumWidth(600);
        QTRY_COMPARE(split->orientation(), Qt::Vertical);
        split->widget(1)->setMinimumWidth(250);
        QTRY_COMPARE(split->orientation(), Qt::Horizontal);
        split->widget(1)->hide(); // one pane shown: nothing beside it
        split->widget(0)->setMinimumWidth(700);
        QTRY_COMPARE(split->orientation(), Qt::Horizontal);
    }

    // A pane that is itself a StackingSplitter is counted side by side: the outer one stacks first
    // (the chat's settings go under the conversation before the conversation list goes above it).
    void anOuterSplitterStacksBeforeAnInnerOne()
    {
        QScrollArea scroll;
        scroll.setWidgetResizable(true);
        auto* outer = new StackingSplitter;
        auto* inner = new StackingSplitter(outer);
        inner->addWidget(pane(200, 100, inner));
        inner->addWidget(pane(300, 100, inner));
        outer->addWidget(inner);
        outer->addWidget(pane(200, 100, outer));
        scroll.setWidget(outer);
        QCOMPARE(outer->sideBySideWidth(), 200 + 300 + 200 + inner->handleWidth() + outer->handleWidth());
        scroll.resize(650, 600); // the inner pair fits, the three do not
        scroll.show();
        QVERIFY(QTest::qWaitForWindowExposed(&scroll));
        QTRY_COMPARE(outer->orientation(), Qt::Vertical);
        QTRY_COMPARE(inner->orientation(), Qt::Horizontal);
        scroll.resize(400, 600); // neither
        QTRY_COMPARE(inner->orientation(), Qt::Vertical);
        QCOMPARE(outer->minimumSizeHint().width(), 300);
        // Just wide enough for the three: side by side, and the inner pair is never squeezed into
        // stacking while the outer's other pane stays beside it.
        scroll.resize(outer->sideBySideWidth() + 40, 600);
        QTRY_COMPARE(outer->orientation(), Qt::Horizontal);
        QTRY_COMPARE(inner->orientation(), Qt::Horizontal);
        QVERIFY(inner->width() >= inner->sideBySideWidth());
    }
};

QTEST_MAIN(TstStackingSplitter)
#include "tst_stacking_splitter.moc"
