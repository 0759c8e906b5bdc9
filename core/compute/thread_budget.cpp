#include "compute/thread_budget.h"

#include <QThread>

#include <algorithm>

namespace bioforge::core {

int usableThreads(int asked, QString* note)
{
    const int hardware = std::max(1, QThread::idealThreadCount());
    if (note)
        note->clear();
    if (asked <= hardware)
        return std::max(1, asked);
    if (note)
        *note = QStringLiteral("%1 threads asked for, this machine has %2 hardware threads: using %2 (more would only wait for each other)")
                    .arg(QString::number(asked), QString::number(hardware));
    return hardware;
}

} // namespace bioforge::core
