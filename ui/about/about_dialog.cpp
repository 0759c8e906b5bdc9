#include "about/about_dialog.h"

#include "compute/device_discovery.h"
#include "plugin/plugin_manager.h"
#include "provenance/environment_info.h"

#include <QDialogButtonBox>
#include <QHeaderView>
#include <QLabel>
#include <QTableWidget>
#include <QVBoxLayout>

namespace bioforge::ui {

AboutDialog::AboutDialog(const core::PluginManager* plugins, QWidget* parent) : QDialog(parent)
{
    setWindowTitle(tr("About BioForge Workbench"));
    // What this build does is what its loaded plugins do: named from their
    // metadata, never from a fixed sentence.
    QString what;
    QList<QPair<QString, QString>> rows;
    if (plugins) {
        QStringList loaded;
        for (const core::PluginEntry& e : plugins->entries()) {
            if (e.state == core::PluginEntry::State::Loaded) {
                loaded << e.metadata.name.toHtmlEscaped();
                rows.append({tr("plugin %1").arg(e.metadata.id), QStringLiteral("%1 %2 — %3").arg(e.metadata.name, e.metadata.version, e.metadata.description)});
            } else if (e.state == core::PluginEntry::State::Failed) {
                rows.append({tr("plugin %1").arg(e.metadata.id.isEmpty() ? e.filePath : e.metadata.id), tr("not loaded: %1").arg(e.error)});
            }
        }
        what = loaded.isEmpty() ? tr("No analysis plugin is loaded in this build.") : tr("Plugins in this build: %1.").arg(loaded.join(QStringLiteral(", ")));
    }
    auto* title = new QLabel(QStringLiteral("<h2>BioForge Workbench %1</h2><p>%2</p>").arg(core::EnvironmentInfo::applicationVersion(), what), this);
    title->setObjectName(QStringLiteral("aboutTitle"));
    title->setWordWrap(true);
    rows.append(core::EnvironmentInfo::libraryVersions());
    const core::DeviceReport& devices = core::DeviceDiscovery::report();
    for (const core::DeviceInfo& d : devices.devices)
        rows.append({QStringLiteral("device %1").arg(d.id), d.name});
    for (const QString& note : devices.notes)
        rows.append({QStringLiteral("note"), note});
    auto* table = new QTableWidget(int(rows.size()), 2, this);
    table->setObjectName(QStringLiteral("versionsTable"));
    table->setHorizontalHeaderLabels({tr("Component"), tr("Version")});
    table->horizontalHeader()->setStretchLastSection(true);
    table->setWordWrap(true);
    table->verticalHeader()->hide();
    table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    for (int i = 0; i < rows.size(); ++i) {
        table->setItem(i, 0, new QTableWidgetItem(rows[i].first));
        auto* value = new QTableWidgetItem(rows[i].second);
        value->setToolTip(rows[i].second);
        table->setItem(i, 1, value);
    }
    table->resizeColumnToContents(0);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(title);
    layout->addWidget(table);
    layout->addWidget(buttons);
    resize(560, 420);
}

} // namespace bioforge::ui
