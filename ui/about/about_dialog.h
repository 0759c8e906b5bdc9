#pragma once

// About: the application's version, the plugins this build loaded (and any
// that failed, with why), every library version, and the devices.

#include <QDialog>

namespace bioforge::core {
class PluginManager;
}

namespace bioforge::ui {

class AboutDialog : public QDialog {
    Q_OBJECT
public:
    explicit AboutDialog(const core::PluginManager* plugins = nullptr, QWidget* parent = nullptr);
};

} // namespace bioforge::ui
