// The wheel over a combo box on a scrolling form scrolls the form until the
// box has the focus; over a box inside a table that has reached its end, the
// wheel goes on to the page (it went dead there); a spin box the same.

#include "layout/wheel_guard.h"

#include <QApplication>
#include <QComboBox>
#include <QLineEdit>
#include <QScrollArea>
#include <QScrollBar>
#include <QSpinBox>
#include <QTableWidget>
#include <QVBoxLayout>
#include <QWheelEvent>
#include <QtTest>

using bioforge::ui::WheelGuard;

namespace {

void wheelDown(QWidget* over)
{
    QWheelEvent down(QPointF(5, 5), over->mapToGlobal(QPointF(5, 5)), QPoint(), QPoint(0, -120), Qt::NoButton, Qt::NoModifier, Qt::NoScrollPhase, false);
    QApplication::sendEvent(over, &down);
}

// A page taller than its window holding `widgets` under a line edit that has the focus (as while
// the user scrolls); false where the window did not show.
bool showPage(QScrollArea& page, const QList<QWidget*>& widgets)
{
    page.setWidgetResizable(true);
    auto* form = new QWidget;
    auto* layout = new QVBoxLayout(form);
    auto* focused = new QLineEdit(form);
    layout->addWidget(focused);
    for (QWidget* w : widgets)
        layout->addWidget(w);
    layout->addSpacing(2000);
    page.setWidget(form);
    page.resize(300, 300);
    page.show();
    if (!QTest::qWaitForWindowExposed(&page))
        return false;
    focused->setFocus();
    return QTest::qWaitFor([focused] { return focused->hasFocus(); });
}

} // namespace

class TstWheelGuard : public QObject {
    Q_OBJECT
    WheelGuard m_guard;

private slots:
    void initTestCase() { qApp->installEventFilter(&m_guard); }

    void theFormScrollsUntilTheBoxHasTheFocus()
    {
        QScrollArea page;
        auto* box = new QComboBox;
        box->addItems({QStringLiteral("a"), QStringLiteral("b"), QStringLiteral("c")});
        auto* spin = new QSpinBox;
        QVERIFY(showPage(page, {box, spin}));
        QCOMPARE(box->focusPolicy(), Qt::StrongFocus); // polished: a wheel does not focus it
        QCOMPARE(spin->focusPolicy(), Qt::StrongFocus);
        wheelDown(box);
        QCOMPARE(box->currentIndex(), 0);
        QVERIFY(page.verticalScrollBar()->value() > 0);
        const int scrolled = page.verticalScrollBar()->value();
        wheelDown(spin); // over its line edit, as the pointer would be
        QCOMPARE(spin->value(), 0);
        QVERIFY(page.verticalScrollBar()->value() > scrolled);
        box->setFocus();
        QTRY_VERIFY(box->hasFocus());
        wheelDown(box);
        QCOMPARE(box->currentIndex(), 1);
    }

    void aTableAtItsEndPassesTheWheelToThePage()
    {
        QScrollArea page;
        auto* table = new QTableWidget(20, 1);
        table->setFixedHeight(120);
        for (int r = 0; r < 20; ++r) {
            auto* cell = new QComboBox;
            cell->addItems({QStringLiteral("x"), QStringLiteral("y")});
            table->setCellWidget(r, 0, cell);
        }
        QVERIFY(showPage(page, {table}));
        QVERIFY(table->verticalScrollBar()->maximum() > 0);
        table->verticalScrollBar()->setValue(table->verticalScrollBar()->maximum()); // at its end
        auto* cell = qobject_cast<QComboBox*>(table->cellWidget(19, 0));
        table->scrollToBottom();
        wheelDown(cell);
        QCOMPARE(cell->currentIndex(), 0);
        QVERIFY(page.verticalScrollBar()->value() > 0); // on to the page
        table->verticalScrollBar()->setValue(0); // not at its end: the table scrolls first
        const int pageAt = page.verticalScrollBar()->value();
        wheelDown(qobject_cast<QComboBox*>(table->cellWidget(0, 0)));
        QVERIFY(table->verticalScrollBar()->value() > 0);
        QCOMPARE(page.verticalScrollBar()->value(), pageAt);
    }
};

QTEST_MAIN(TstWheelGuard)
#include "tst_wheel_guard.moc"
