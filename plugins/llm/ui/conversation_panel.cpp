#include "conversation_panel.h"

#include "io/path_guard.h"

#include "chat_controller.h"
#include "io/atomic_file.h"
#include "settings/page_memory.h"

#include <QDir>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QInputDialog>
#include <QJsonDocument>
#include <QLineEdit>
#include <QListWidget>
#include <QMessageBox>
#include <QPushButton>
#include <QScopedValueRollback>
#include <QVBoxLayout>

namespace bioforge::llm {

ConversationPanel::ConversationPanel(ChatController& controller, QWidget* parent) : QWidget(parent), m_controller(controller)
{
    m_search = new QLineEdit(this);
    m_search->setPlaceholderText(tr("Search conversations"));
    m_search->setClearButtonEnabled(true);
    m_list = new QListWidget(this);
    m_list->setObjectName(QStringLiteral("conversationList"));
    auto* add = new QPushButton(tr("New"), this);
    auto* rename = new QPushButton(tr("Rename"), this);
    auto* remove = new QPushButton(tr("Delete"), this);
    auto* markdown = new QPushButton(tr("Export .md"), this);
    auto* json = new QPushButton(tr("Export .json"), this);
    auto* row1 = new QHBoxLayout;
    row1->addWidget(add);
    row1->addWidget(rename);
    row1->addWidget(remove);
    auto* row2 = new QHBoxLayout;
    row2->addWidget(markdown);
    row2->addWidget(json);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_search);
    layout->addWidget(m_list);
    layout->addLayout(row1);
    layout->addLayout(row2);

    connect(m_search, &QLineEdit::textChanged, this, &ConversationPanel::reload);
    // The highlighted row is the conversation shown: a click, the arrow keys or type-ahead open it (the
    // keys moved the highlight while the buttons acted on the one shown).
    connect(m_list, &QListWidget::currentItemChanged, this, [this](QListWidgetItem* item) {
        if (!m_following && item && item->data(Qt::UserRole).toString() != shownId())
            m_controller.openConversation(item->data(Qt::UserRole).toString());
    });
    connect(add, &QPushButton::clicked, &m_controller, &ChatController::newConversation);
    connect(rename, &QPushButton::clicked, this, [this] {
        const QString id = shownId();
        if (id.isEmpty())
            return;
        bool ok = false;
        const QString title = QInputDialog::getText(this, tr("Rename conversation"), tr("Title"), QLineEdit::Normal,
                                                    m_controller.conversationSummary(id).value_or(ConversationSummary{}).title, &ok);
        if (ok && !title.trimmed().isEmpty())
            m_controller.renameConversation(id, title.trimmed());
    });
    connect(remove, &QPushButton::clicked, this, &ConversationPanel::deleteShown);
    connect(markdown, &QPushButton::clicked, this, [this] { exportShown(true); });
    connect(json, &QPushButton::clicked, this, [this] { exportShown(false); });
    m_actOnShown = {rename, remove, markdown, json};
    connect(&m_controller, &ChatController::conversationsChanged, this, &ConversationPanel::reload);
    connect(&m_controller, &ChatController::transcriptChanged, this, &ConversationPanel::followShown);
    m_askDelete = [this](const QString& title, int messages) {
        return QMessageBox::question(this, tr("Delete conversation"),
                                     tr("Delete the conversation \u201c%1\u201d (%n message(s))? It cannot be undone.", nullptr, messages).arg(title),
                                     QMessageBox::Yes | QMessageBox::No, QMessageBox::No)
               == QMessageBox::Yes;
    };
    reload();
}

QString ConversationPanel::shownId() const { return m_controller.conversationId(); }

void ConversationPanel::reload()
{
    const QScopedValueRollback following(m_following, true);
    m_list->clear();
    for (const ConversationSummary& c : m_controller.conversations(m_search->text())) {
        auto* item = new QListWidgetItem(c.title, m_list);
        item->setData(Qt::UserRole, c.id);
        item->setToolTip(tr("%1 messages, last %2").arg(QString::number(c.messageCount),
                                                        c.updatedAt.toLocalTime().toString(QStringLiteral("yyyy-MM-dd HH:mm"))));
    }
    followShown();
}

void ConversationPanel::followShown()
{
    // After New no row is highlighted (a highlighted old conversation was what Delete removed: trial 17).
    const QScopedValueRollback following(m_following, true);
    QListWidgetItem* shown = nullptr;
    for (int i = 0; i < m_list->count(); ++i)
        if (m_list->item(i)->data(Qt::UserRole).toString() == shownId())
            shown = m_list->item(i);
    m_list->setCurrentItem(shown);
    if (!shown)
        m_list->clearSelection();
    // Acting on a conversation the list shows (a search may have filtered the shown one out).
    for (QWidget* button : std::as_const(m_actOnShown))
        button->setEnabled(shown != nullptr);
}

void ConversationPanel::deleteShown()
{
    const QString id = shownId();
    if (id.isEmpty())
        return;
    const ConversationSummary shown = m_controller.conversationSummary(id).value_or(ConversationSummary{});
    if (m_askDelete(shown.title, shown.messageCount))
        m_controller.deleteConversation(id);
}

void ConversationPanel::exportShown(bool markdown)
{
    const QString id = shownId();
    if (id.isEmpty())
        return;
    // In the project's reports folder, as the run reports are; the type's filter first.
    const QString name = core::PathGuard::fileNameFrom(m_controller.conversationSummary(id).value_or(ConversationSummary{}).title, QStringLiteral("conversation")) + (markdown ? QStringLiteral(".md") : QStringLiteral(".json"));
    const QString folder = m_controller.exportFolder();
    const QString path = QFileDialog::getSaveFileName(this, tr("Export conversation"), QDir(folder.isEmpty() ? ui::PageMemory::dialogFolder(QStringLiteral("export")) : folder).filePath(name),
                                                      markdown ? tr("Markdown (*.md);;All files (*)") : tr("JSON (*.json);;All files (*)"));
    if (path.isEmpty())
        return;
    QByteArray bytes;
    if (markdown) {
        auto md = m_controller.exportMarkdown(id);
        if (!md) {
            emit message(md.error().message());
            return;
        }
        bytes = md->toUtf8();
    } else {
        auto js = m_controller.exportJson(id);
        if (!js) {
            emit message(js.error().message());
            return;
        }
        bytes = QJsonDocument(*js).toJson();
    }
    if (core::Status st = core::AtomicFile::write(path, bytes); !st)
        emit message(st.error().message());
    else
        emit message(tr("Exported to %1").arg(path));
}

} // namespace bioforge::llm
