#pragma once

// Offered at start-up when the project holds runs that a crash interrupted
// (or that were paused): the user picks which to resume now.

#include "provenance/run_record.h"

#include <QDialog>

class QListWidget;

namespace bioforge::ui {

class ResumeDialog : public QDialog {
    Q_OBJECT
public:
    ResumeDialog(const QList<core::RunRecord>& runs, QWidget* parent = nullptr);
    QStringList selectedRunIds() const;
    QListWidget* list() const { return m_list; }

private:
    QListWidget* m_list;
};

} // namespace bioforge::ui
