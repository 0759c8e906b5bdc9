#pragma once

// Offered at start-up when the project holds runs that a crash interrupted
// or that were paused (quitting pauses what runs): all are preselected, the
// user unticks what should wait; with none ticked "Resume selected" is off.
// What is not resumed now stays in the Jobs dock and on the Runs page.

#include "provenance/run_record.h"

#include <QDialog>

class QListWidget;
class QPushButton;

namespace bioforge::ui {

class ResumeDialog : public QDialog {
    Q_OBJECT
public:
    ResumeDialog(const QList<core::RunRecord>& runs, QWidget* parent = nullptr);
    QStringList selectedRunIds() const;
    QListWidget* list() const { return m_list; }
    QPushButton* resumeButton() const { return m_resume; }

private:
    QListWidget* m_list;
    QPushButton* m_resume = nullptr;
};

} // namespace bioforge::ui
