#pragma once

// The Log dock: the log lines of this session (from the ring buffer the
// logging back end fills), with a level filter. Polls; never blocks.

#include <QDockWidget>
#include <QTimer>

class QComboBox;
class QPlainTextEdit;

namespace bioforge::ui {

class LogDock : public QDockWidget {
    Q_OBJECT
public:
    explicit LogDock(QWidget* parent = nullptr);
    QPlainTextEdit* view() const { return m_view; }
    void poll();

private:
    QPlainTextEdit* m_view;
    QComboBox* m_level;
    QTimer m_timer;
    quint64 m_seen = 0;
};

} // namespace bioforge::ui
