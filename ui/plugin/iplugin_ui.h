#pragma once

// The second face of a plugin: the GUI asks the same plugin object for its
// page through this interface (the first, IPlugin, lives in core/ and knows
// no widgets). A plugin without it still runs from the Jobs dock and the CLI.

#include <QIcon>
#include <QObject>
#include <QString>

class QWidget;

namespace bioforge::core {
class Session;
}

namespace bioforge::ui {

struct PageContext {
    core::Session* session = nullptr;
};

class IPluginUi {
public:
    virtual ~IPluginUi() = default;
    virtual QString pageTitle() const = 0;
    virtual QIcon pageIcon() const { return {}; }
    virtual QWidget* createPage(const PageContext& context, QWidget* parent) = 0;
};

} // namespace bioforge::ui

#define BIOFORGE_IPLUGINUI_IID "org.bioforge.IPluginUi/1"
Q_DECLARE_INTERFACE(bioforge::ui::IPluginUi, BIOFORGE_IPLUGINUI_IID)
