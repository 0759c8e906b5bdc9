#include "interrupt_bridge.h"

#include <QSocketNotifier>

#include <csignal>
#include <sys/socket.h>
#include <unistd.h>

namespace bioforge::app {
namespace {

int g_fds[2] = {-1, -1};

void onSignal(int signo)
{
    const char byte = char(signo);
    [[maybe_unused]] const ssize_t n = ::write(g_fds[0], &byte, 1); // async-signal-safe
}

} // namespace

InterruptBridge::InterruptBridge(QObject* parent) : QObject(parent)
{
    if (::socketpair(AF_UNIX, SOCK_STREAM, 0, g_fds) != 0)
        return;
    m_notifier = new QSocketNotifier(g_fds[1], QSocketNotifier::Read, this);
    connect(m_notifier, &QSocketNotifier::activated, this, [this] {
        char byte = 0;
        if (::read(g_fds[1], &byte, 1) != 1)
            return;
        // After the first, only Ctrl-C again quits at once: a logout or a dropped connection sends
        // SIGHUP and SIGTERM together, and the second had cut the pause short (review 68 R68-7).
        if (m_count > 0 && int(byte) != SIGINT)
            return;
        emit interrupted(++m_count);
    });
    struct sigaction action = {};
    action.sa_handler = onSignal;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESTART;
    sigaction(SIGINT, &action, nullptr);
    sigaction(SIGTERM, &action, nullptr);
    // An ssh connection dropped, the terminal closed: a pause, not a kill (trial 24 T24-10) — unless
    // the program was started to outlive its terminal (`nohup`: SIGHUP ignored; review 68 R68-6).
    struct sigaction hangup = {};
    if (sigaction(SIGHUP, nullptr, &hangup) == 0 && hangup.sa_handler != SIG_IGN) {
        sigaction(SIGHUP, &action, nullptr);
        m_hangup = true;
    }
}

InterruptBridge::~InterruptBridge()
{
    signal(SIGINT, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
    if (m_hangup)
        signal(SIGHUP, SIG_DFL);
    ::close(g_fds[0]);
    ::close(g_fds[1]);
    g_fds[0] = g_fds[1] = -1;
}

} // namespace bioforge::app
