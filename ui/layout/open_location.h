#pragma once

// Opens a run's folder or a report in the desktop's file manager or viewer. Where none opens it
// (no file manager: a workstation reached over X forwarding or VNC, a minimal desktop), a message
// says so with the path, selectable, and the path is put on the clipboard: "Open results folder"
// did nothing, and xdg-open's complaint went to a terminal nobody watched (trial 21).

#include <QString>

class QWidget;

namespace bioforge::ui {

// Asks the desktop to open `path` (a folder or a file). Returns at once: on Linux xdg-open is run
// and its exit code read as it ends (off the UI thread's way); elsewhere QDesktopServices. The
// message, when it cannot, is a non-modal box named "cannotOpenMessage" owned by `parent`.
void openLocation(const QString& path, QWidget* parent);

} // namespace bioforge::ui
