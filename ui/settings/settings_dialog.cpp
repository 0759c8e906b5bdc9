#include "settings/settings_dialog.h"

#include "compute/device_discovery.h"
#include "settings/workbench_settings.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QFileDialog>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLineEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QThread>

namespace bioforge::ui {
namespace {

QWidget* folderRow(QLineEdit* edit, QWidget* parent)
{
    auto* row = new QWidget(parent);
    auto* layout = new QHBoxLayout(row);
    layout->setContentsMargins(0, 0, 0, 0);
    auto* browse = new QPushButton(QObject::tr("Browse…"), row);
    layout->addWidget(edit);
    layout->addWidget(browse);
    QObject::connect(browse, &QPushButton::clicked, row, [edit, row] {
        const QString dir = QFileDialog::getExistingDirectory(row, QObject::tr("Choose a folder"), edit->text());
        if (!dir.isEmpty())
            edit->setText(dir);
    });
    return row;
}

} // namespace

SettingsDialog::SettingsDialog(QWidget* parent) : QDialog(parent)
{
    setWindowTitle(tr("Settings"));
    const core::WorkbenchSettings settings;
    m_device = new QComboBox(this);
    m_device->addItem(tr("Automatic (a free GPU, else the CPU)"), QStringLiteral("auto"));
    for (const core::DeviceInfo& d : core::DeviceDiscovery::report().devices)
        m_device->addItem(QStringLiteral("%1 — %2").arg(d.id, d.name), d.id);
    m_device->setCurrentIndex(qMax(0, m_device->findData(settings.preferredDevice())));
    m_threads = new QSpinBox(this);
    m_threads->setRange(1, qMax(1, QThread::idealThreadCount() * 2));
    m_threads->setValue(settings.cpuThreads());
    m_jobs = new QSpinBox(this);
    m_jobs->setRange(1, 64);
    m_jobs->setValue(settings.maxConcurrentJobs());
    m_models = new QLineEdit(settings.modelFolder(), this);
    m_cache = new QLineEdit(settings.cacheFolder(), this);
    auto* form = new QFormLayout(this);
    form->addRow(tr("Device"), m_device);
    form->addRow(tr("CPU threads per job"), m_threads);
    form->addRow(tr("Jobs at once"), m_jobs);
    form->addRow(tr("Model folder"), folderRow(m_models, this));
    form->addRow(tr("Cache folder"), folderRow(m_cache, this));
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    form->addRow(buttons);
    connect(buttons, &QDialogButtonBox::accepted, this, [this] {
        save();
        accept();
    });
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
}

void SettingsDialog::save()
{
    core::WorkbenchSettings settings;
    settings.setPreferredDevice(m_device->currentData().toString());
    settings.setCpuThreads(m_threads->value());
    settings.setMaxConcurrentJobs(m_jobs->value());
    settings.setModelFolder(m_models->text());
    settings.setCacheFolder(m_cache->text());
}

} // namespace bioforge::ui
