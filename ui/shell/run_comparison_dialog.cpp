#include "shell/run_comparison_dialog.h"

#include "provenance/run_comparison.h"

#include <QDialogButtonBox>
#include <QHeaderView>
#include <QLabel>
#include <QTableWidget>
#include <QVBoxLayout>

namespace bioforge::ui {

namespace {

QString took(qint64 seconds)
{
    if (seconds < 0)
        return RunComparisonDialog::tr("time not known");
    return seconds < 120 ? RunComparisonDialog::tr("took %1 s").arg(seconds)
                         : RunComparisonDialog::tr("took %1 min %2 s").arg(seconds / 60).arg(seconds % 60);
}

} // namespace

RunComparisonDialog::RunComparisonDialog(const core::RunRecord& a, const core::RunRecord& b, QWidget* parent)
    : QDialog(parent), m_table(new QTableWidget(this))
{
    setWindowTitle(tr("Compare runs"));
    const core::RunComparison c = core::compareRuns(a, b);
    auto* heading = new QLabel(this);
    heading->setTextFormat(Qt::PlainText);
    heading->setWordWrap(true);
    heading->setText(tr("A: %1 — %2 (%3, %4)\nB: %5 — %6 (%7, %8)")
                         .arg(a.runId, a.title, core::runStateName(a.state), took(c.secondsA), b.runId, b.title, core::runStateName(b.state),
                              took(c.secondsB)));
    m_table->setObjectName(QStringLiteral("runDifferences"));
    m_table->setColumnCount(4);
    m_table->setHorizontalHeaderLabels({tr("Part"), tr("Value"), tr("A"), tr("B")});
    m_table->setRowCount(int(c.differences.size()));
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->verticalHeader()->hide();
    m_table->setWordWrap(false);
    m_table->setTextElideMode(Qt::ElideMiddle); // a path's end names the file
    m_table->setTabKeyNavigation(false);
    for (int row = 0; row < c.differences.size(); ++row) {
        const core::RunDifference& d = c.differences[row];
        int column = 0;
        for (const QString& text : {d.section, d.key, d.a.isEmpty() ? tr("(none)") : d.a, d.b.isEmpty() ? tr("(none)") : d.b}) {
            auto* item = new QTableWidgetItem(text);
            item->setToolTip(text);
            m_table->setItem(row, column++, item);
        }
    }
    m_table->resizeColumnsToContents();
    m_table->horizontalHeader()->setStretchLastSection(true);
    QStringList same;
    for (const auto& [section, count] : c.same)
        same << QStringLiteral("%1 %2").arg(section).arg(count);
    auto* summary = new QLabel(this);
    summary->setWordWrap(true);
    summary->setTextFormat(Qt::PlainText);
    summary->setText((c.differences.isEmpty() ? tr("No recorded value differs.") : tr("%n value(s) differ.", nullptr, int(c.differences.size())))
                     + (same.isEmpty() ? QString() : QLatin1Char(' ') + tr("The same in both: %1.").arg(same.join(QStringLiteral(", ")))));
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(heading);
    layout->addWidget(m_table);
    layout->addWidget(summary);
    layout->addWidget(buttons);
    resize(900, 520);
}

} // namespace bioforge::ui
