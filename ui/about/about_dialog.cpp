#include "about/about_dialog.h"

#include "compute/device_discovery.h"
#include "provenance/environment_info.h"

#include <QDialogButtonBox>
#include <QHeaderView>
#include <QLabel>
#include <QTableWidget>
#include <QVBoxLayout>

namespace bioforge::ui {

AboutDialog::AboutDialog(QWidget* parent) : QDialog(parent)
{
    setWindowTitle(tr("About BioForge Workbench"));
    auto* title = new QLabel(QStringLiteral("<h2>BioForge Workbench %1</h2><p>Viral prediction, gene annotation, biological age and "
                                            "local language models on one workstation.</p>")
                                 .arg(core::EnvironmentInfo::applicationVersion()),
                             this);
    title->setWordWrap(true);
    QList<QPair<QString, QString>> rows = core::EnvironmentInfo::libraryVersions();
    const core::DeviceReport& devices = core::DeviceDiscovery::report();
    for (const core::DeviceInfo& d : devices.devices)
        rows.append({QStringLiteral("device %1").arg(d.id), d.name});
    for (const QString& note : devices.notes)
        rows.append({QStringLiteral("note"), note});
    auto* table = new QTableWidget(int(rows.size()), 2, this);
    table->setObjectName(QStringLiteral("versionsTable"));
    table->setHorizontalHeaderLabels({tr("Component"), tr("Version")});
    table->horizontalHeader()->setStretchLastSection(true);
    table->verticalHeader()->hide();
    table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    for (int i = 0; i < rows.size(); ++i) {
        table->setItem(i, 0, new QTableWidgetItem(rows[i].first));
        table->setItem(i, 1, new QTableWidgetItem(rows[i].second));
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
