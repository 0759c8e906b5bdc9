#include "log/log_dock.h"

#include "log/log_ring.h"
#include "log/logging.h"

#include <QComboBox>
#include <QDateTime>
#include <QPlainTextEdit>
#include <QVBoxLayout>

namespace bioforge::ui {

LogDock::LogDock(QWidget* parent) : QDockWidget(tr("Log"), parent)
{
    setObjectName(QStringLiteral("LogDock"));
    auto* body = new QWidget(this);
    m_view = new QPlainTextEdit(body);
    m_view->setTabChangesFocus(true); // Tab moves on, as everywhere else
    m_view->setReadOnly(true);
    m_view->setMaximumBlockCount(5000);
    m_view->setObjectName(QStringLiteral("logView"));
    m_level = new QComboBox(body);
    m_level->addItem(tr("Debug and above"), 1);
    m_level->addItem(tr("Info and above"), 2);
    m_level->addItem(tr("Warnings and errors"), 3);
    m_level->setCurrentIndex(1);
    auto* layout = new QVBoxLayout(body);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addWidget(m_level);
    layout->addWidget(m_view);
    setWidget(body);
    connect(&m_timer, &QTimer::timeout, this, &LogDock::poll);
    connect(m_level, &QComboBox::currentIndexChanged, this, [this] {
        m_view->clear();
        m_seen = 0;
        poll();
    });
    m_timer.start(300);
}

void LogDock::poll()
{
    static const char* levels[] = {"trace", "debug", "info", "warning", "error", "critical", "off"};
    const int minimum = m_level->currentData().toInt();
    const QList<core::LogLine> lines = core::Logging::ring().since(m_seen);
    for (const core::LogLine& l : lines) {
        m_seen = l.sequence;
        if (l.level < minimum)
            continue;
        m_view->appendPlainText(QStringLiteral("%1 [%2] %3")
                                    .arg(QDateTime::fromMSecsSinceEpoch(l.timeMs).toString(QStringLiteral("HH:mm:ss")),
                                         QLatin1String(levels[qBound(0, l.level, 6)]), l.text));
    }
}

} // namespace bioforge::ui
