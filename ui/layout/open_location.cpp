#include "layout/open_location.h"

#include <QApplication>
#include <QClipboard>
#include <QDesktopServices>
#include <QMessageBox>
#include <QPointer>
#include <QProcess>
#include <QStandardPaths>
#include <QUrl>

namespace bioforge::ui {
namespace {

void sayCannotOpen(const QString& path, QWidget* parent, const QString& why)
{
    QApplication::clipboard()->setText(path);
    auto* box = new QMessageBox(QMessageBox::Information, QObject::tr("Cannot open"),
                                QObject::tr("No file manager or viewer opened it here (%1). Its path, copied to the clipboard:\n\n%2").arg(why, path),
                                QMessageBox::Ok, parent);
    box->setObjectName(QStringLiteral("cannotOpenMessage"));
    box->setTextInteractionFlags(Qt::TextSelectableByMouse);
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->open();
}

} // namespace

void openLocation(const QString& path, QWidget* parent)
{
    const QUrl url = QUrl::fromLocalFile(path);
#ifdef Q_OS_LINUX
    if (const QString xdg = QStandardPaths::findExecutable(QStringLiteral("xdg-open")); !xdg.isEmpty()) {
        // No parent: a viewer xdg-open runs in its place must outlive the window.
        auto* process = new QProcess;
        process->setProcessChannelMode(QProcess::MergedChannels);
        const QPointer<QWidget> owner(parent);
        QObject::connect(process, &QProcess::finished, process, [process, path, owner](int code, QProcess::ExitStatus status) {
            process->deleteLater();
            if (owner && (status != QProcess::NormalExit || code != 0))
                sayCannotOpen(path, owner, QString::fromLocal8Bit(process->readAll()).trimmed().left(300));
        });
        QObject::connect(process, &QProcess::errorOccurred, process, [process, path, owner](QProcess::ProcessError error) {
            if (error != QProcess::FailedToStart)
                return;
            process->deleteLater();
            if (owner)
                sayCannotOpen(path, owner, process->errorString());
        });
        process->start(xdg, {url.toString()});
        return;
    }
#endif
    if (!QDesktopServices::openUrl(url))
        sayCannotOpen(path, parent, QObject::tr("no program to open it with"));
}

} // namespace bioforge::ui
