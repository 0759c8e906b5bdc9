#include "shell/resume_dialog.h"

#include <QDialogButtonBox>
#include <QGuiApplication>
#include <QLabel>
#include <QListWidget>
#include <QPushButton>
#include <QScreen>
#include <QScrollBar>
#include <QVBoxLayout>

#include <algorithm>

namespace bioforge::ui {

ResumeDialog::ResumeDialog(const QList<core::RunRecord>& runs, QWidget* parent) : QDialog(parent)
{
    setWindowTitle(tr("Resume unfinished runs"));
    auto* text = new QLabel(tr("These runs did not finish. Resuming continues each from its last checkpoint: a paused run "
                               "loses nothing, an interrupted one (a crash, a kill) only the work since its last checkpoint."),
                            this);
    text->setWordWrap(true);
    m_list = new QListWidget(this);
    for (const core::RunRecord& r : runs) {
        auto* item = new QListWidgetItem(QStringLiteral("%1 — %2 (%3)").arg(r.title, r.runId, core::runStateName(r.state)), m_list);
        item->setData(Qt::UserRole, r.runId);
        item->setToolTip(item->text());
        item->setFlags(item->flags() | Qt::ItemIsUserCheckable);
        // Paused (quit with the run going) and interrupted (a crash) are both work to continue: preselected.
        item->setCheckState(r.state == core::RunState::Interrupted || r.state == core::RunState::Paused ? Qt::Checked : Qt::Unchecked);
    }
    auto* buttons = new QDialogButtonBox(this);
    m_resume = buttons->addButton(tr("Resume selected"), QDialogButtonBox::AcceptRole);
    m_resume->setObjectName(QStringLiteral("resumeSelectedButton"));
    // Nothing checked: nothing to resume, so the button cannot pretend to.
    auto update = [this] { m_resume->setEnabled(!selectedRunIds().isEmpty()); };
    connect(m_list, &QListWidget::itemChanged, this, update);
    buttons->addButton(tr("Later"), QDialogButtonBox::RejectRole);
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(text);
    layout->addWidget(m_list);
    layout->addWidget(buttons);
    update();
    // Wide enough for the longest line (titles carry the input's name), within the screen: a
    // title cut short leaves the user guessing which run is which.
    const int content = m_list->sizeHintForColumn(0) + 2 * m_list->frameWidth() + m_list->verticalScrollBar()->sizeHint().width();
    const QMargins margins = layout->contentsMargins();
    const QScreen* screen = parent ? parent->screen() : QGuiApplication::primaryScreen();
    const int most = screen ? screen->availableGeometry().width() * 9 / 10 : 1200;
    resize(std::clamp(content + margins.left() + margins.right(), 480, std::max(480, most)), sizeHint().height());
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
