#pragma once

// Two runs side by side (the Runs page's Compare, as `bioforge compare A B`): the runs named at
// the top with how long each took, then a table of what differs (part, value, A, B) and a line of
// how many values of each part are the same (core/provenance/run_comparison.h).

#include "provenance/run_record.h"

#include <QDialog>

class QTableWidget;

namespace bioforge::ui {

class RunComparisonDialog : public QDialog {
    Q_OBJECT
public:
    RunComparisonDialog(const core::RunRecord& a, const core::RunRecord& b, QWidget* parent = nullptr);
    QTableWidget* differences() const { return m_table; }

private:
    QTableWidget* m_table;
};

} // namespace bioforge::ui
