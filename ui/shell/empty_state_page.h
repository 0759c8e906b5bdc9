#pragma once

// Shown in the navigation rail when no analysis plugin is loaded: where
// plugins were searched, which failed and why, and how to check the
// workbench with its self-test.

#include <QWidget>

namespace bioforge::core {
class PluginManager;
}

namespace bioforge::ui {

class EmptyStatePage : public QWidget {
    Q_OBJECT
public:
    EmptyStatePage(const core::PluginManager& plugins, QWidget* parent = nullptr);

signals:
    void selfTestRequested();
};

} // namespace bioforge::ui
