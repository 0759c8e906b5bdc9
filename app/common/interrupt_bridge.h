#pragma once

// Turns SIGINT/SIGTERM/SIGHUP into a Qt signal on the main thread (self-pipe),
// so Ctrl-C, a `kill` or a dropped ssh connection pauses the runs (checkpoint
// and stop) instead of killing them: used by bioforge and bioforge-workbench alike.

#include <QObject>

class QSocketNotifier;

namespace bioforge::app {

class InterruptBridge : public QObject {
    Q_OBJECT
public:
    explicit InterruptBridge(QObject* parent = nullptr);
    ~InterruptBridge() override;

signals:
    void interrupted(int count); // 1 = first Ctrl-C, 2 = second, …

private:
    QSocketNotifier* m_notifier = nullptr;
    int m_count = 0;
};

} // namespace bioforge::app
