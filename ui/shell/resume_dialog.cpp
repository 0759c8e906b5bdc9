#include "shell/resume_dialog.h"

#include <QDialogButtonBox>
#include <QLabel>
#include <QListWidget>
#include <QPushButton>
#include <QVBoxLayout>

namespace bioforge::ui {

ResumeDialog::ResumeDialog(const QList<core::RunRecord>& runs, QWidget* parent) : QDialog(parent)
{
    setWindowTitle(tr("Resume unfinished runs"));
    auto* text = new QLabel(tr("These runs did not finish. Resuming continues each from its last checkpoint; "
                               "nothing computed so far is lost."),
                            this);
    text->setWordWrap(true);
    m_list = new QListWidget(this);
    for (const core::RunRecord& r : runs) {
        auto* item = new QListWidgetItem(QStringLiteral("%1 — %2 (%3)").arg(r.title, r.runId, core::runStateName(r.state)), m_list);
        item->setData(Qt::UserRole, r.runId);
        item->setFlags(item->flags() | Qt::ItemIsUserCheckable);
        item->setCheckState(r.state == core::RunState::Interrupted ? Qt::Checked : Qt::Unchecked);
    }
    auto* buttons = new QDialogButtonBox(this);
    buttons->addButton(tr("Resume selected"), QDialogButtonBox::AcceptRole);
    buttons->addButton(tr("Later"), QDialogButtonBox::RejectRole);
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(text);
    layout->addWidget(m_list);
    layout->addWidget(buttons);
}

QStringList ResumeDialog::selectedRunIds() const
{
    QStringList ids;
    for (int i = 0; i < m_list->count(); ++i)
        if (m_list->item(i)->checkState() == Qt::Checked)
            ids << m_list->item(i)->data(Qt::UserRole).toString();
    return ids;
}

} // namespace bioforge::ui
