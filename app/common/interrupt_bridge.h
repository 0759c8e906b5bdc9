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
    void interrupted(int count); // 1 = the first signal, 2 = a second Ctrl-C, … (a SIGTERM or SIGHUP after the first is not counted)

private:
    QSocketNotifier* m_notifier = nullptr;
    int m_count = 0;
    bool m_hangup = false; // SIGHUP is handled (it was not ignored: nohup)
};

} // namespace bioforge::app
