#pragma once

// About: the application's version, every library version, and the devices.

#include <QDialog>

namespace bioforge::ui {

class AboutDialog : public QDialog {
    Q_OBJECT
public:
    explicit AboutDialog(QWidget* parent = nullptr);
};

} // namespace bioforge::ui
