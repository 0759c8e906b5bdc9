#include "settings/settings_dialog.h"

#include "cluster/slurm_options.h"
#include "compute/device_discovery.h"
#include "plugin/plugin_manager.h"
#include "settings/plugin_settings.h"
#include "settings/workbench_settings.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QDir>
#include <QFileDialog>
#include <QFormLayout>
#include <QGroupBox>
#include <QJsonArray>
#include <QLabel>
#include <QPlainTextEdit>
#include <QHBoxLayout>
#include <QLineEdit>
#include <QPushButton>
#include <QScreen>
#include <QScrollArea>
#include <QScrollBar>
#include <QVBoxLayout>
#include <QSpinBox>
#include <QThread>

#include <map>

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
        const QString dir = QFileDialog::getExistingDirectory(row, QObject::tr("Choose a folder"), edit->text().isEmpty() ? QDir::homePath() : edit->text());
        if (!dir.isEmpty())
            edit->setText(dir);
    });
    return row;
}

} // namespace

SettingsDialog::SettingsDialog(QWidget* parent, const core::PluginManager* plugins) : QDialog(parent)
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
    // The settings in a scroll area, the error and the buttons under it: on a 1280x760 screen the
    // dialog was 747 px tall, and made shorter its rows were crushed to unreadable slivers (trial 19).
    auto* body = new QWidget(this);
    body->setObjectName(QStringLiteral("settingsBody"));
    auto* form = new QFormLayout(body);
    form->addRow(tr("Device"), m_device);
    form->addRow(tr("CPU threads per job"), m_threads);
    form->addRow(tr("Jobs at once"), m_jobs);
    form->addRow(tr("Model folder"), folderRow(m_models, this));
    form->addRow(tr("Cache folder"), folderRow(m_cache, this));

    // Cluster runs: the options "Run on the Slurm cluster" and `bioforge run … --cluster slurm` start from.
    auto cluster = core::SlurmOptions::fromJson(settings.clusterOptions());
    const core::SlurmOptions o = cluster ? *cluster : core::SlurmOptions();
    auto* group = new QGroupBox(tr("Slurm cluster (runs sent with “Run on the Slurm cluster”)"), this);
    auto* clusterForm = new QFormLayout(group);
    m_shards = new QSpinBox(group);
    m_shards->setRange(1, 10000);
    m_shards->setValue(o.shards);
    m_partition = new QLineEdit(o.partition, group);
    m_partition->setPlaceholderText(tr("the cluster's default"));
    m_account = new QLineEdit(o.account, group);
    m_time = new QLineEdit(o.timeLimit, group);
    m_time->setPlaceholderText(tr("e.g. 12:00:00 or 1-00:00:00"));
    m_cpusPerTask = new QSpinBox(group);
    m_cpusPerTask->setRange(0, 100000);
    m_cpusPerTask->setSpecialValueText(tr("Slurm's default"));
    m_cpusPerTask->setValue(o.cpusPerTask);
    m_memory = new QLineEdit(o.memory, group);
    m_memory->setPlaceholderText(tr("e.g. 64G"));
    m_gpusPerTask = new QSpinBox(group);
    m_gpusPerTask->setRange(0, 1024);
    m_gpusPerTask->setSpecialValueText(tr("none"));
    m_gpusPerTask->setValue(o.gpusPerTask);
    m_sbatchLines = new QPlainTextEdit(o.extraLines.join(QLatin1Char('\n')), group);
    m_sbatchLines->setPlaceholderText(tr("further sbatch options, one per line (e.g. --qos=long)"));
    m_sbatchLines->setTabChangesFocus(true);
    m_sbatchLines->setMaximumHeight(m_sbatchLines->fontMetrics().lineSpacing() * 4);
    clusterForm->addRow(tr("Shards (array tasks)"), m_shards);
    clusterForm->addRow(tr("Partition"), m_partition);
    clusterForm->addRow(tr("Account"), m_account);
    clusterForm->addRow(tr("Time limit"), m_time);
    clusterForm->addRow(tr("CPUs per task"), m_cpusPerTask);
    clusterForm->addRow(tr("Memory per task"), m_memory);
    clusterForm->addRow(tr("GPUs per task"), m_gpusPerTask);
    clusterForm->addRow(tr("More sbatch options"), m_sbatchLines);
    form->addRow(group);

    // Each loaded plugin's own settings; empty: not set. A secret is never shown: typing replaces
    // it, Forget removes it.
    if (plugins) {
        auto* pluginGroup = new QGroupBox(tr("Plugins"), this);
        auto* pluginForm = new QFormLayout(pluginGroup);
        for (const core::PluginEntry& e : plugins->entries()) {
            if (e.state != core::PluginEntry::State::Loaded)
                continue;
            const QJsonObject saved = settings.pluginSettings(e.metadata.id);
            for (const core::PluginSetting& spec : e.plugin->settingSpecs()) {
                PluginField field{e.metadata.id, spec, new QLineEdit(pluginGroup)};
                field.edit->setObjectName(QStringLiteral("plugin:%1.%2").arg(e.metadata.id, spec.key));
                field.edit->setToolTip(spec.description);
                const QJsonValue value = saved.value(spec.key);
                QWidget* row = field.edit;
                if (spec.secret) {
                    field.edit->setEchoMode(QLineEdit::Password);
                    field.edit->setPlaceholderText(value.isUndefined() ? tr("not set") : tr("set (hidden); type a new one to replace it"));
                    row = new QWidget(pluginGroup);
                    auto* layout = new QHBoxLayout(row);
                    layout->setContentsMargins(0, 0, 0, 0);
                    layout->addWidget(field.edit);
                    auto* forget = new QPushButton(tr("Forget"), row);
                    forget->setObjectName(QStringLiteral("forget:%1.%2").arg(e.metadata.id, spec.key));
                    forget->setEnabled(!value.isUndefined());
                    layout->addWidget(forget);
                    const size_t index = m_pluginFields.size();
                    connect(forget, &QPushButton::clicked, this, [this, index, forget] {
                        m_pluginFields[index].forget = true;
                        m_pluginFields[index].edit->clear();
                        m_pluginFields[index].edit->setPlaceholderText(tr("not set"));
                        forget->setEnabled(false);
                    });
                } else {
                    field.edit->setPlaceholderText(tr("not set"));
                    if (!value.isUndefined())
                        field.edit->setText(core::describePluginSettingValue(value, false));
                }
                pluginForm->addRow(QStringLiteral("%1.%2").arg(e.metadata.id, spec.key), row);
                m_pluginFields.push_back(field);
            }
        }
        if (!m_pluginFields.empty())
            form->addRow(pluginGroup);
        else
            delete pluginGroup;
    }
    m_error = new QLabel(this);
    m_error->setObjectName(QStringLiteral("settingsError"));
    m_error->setWordWrap(true);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    auto* scroll = new QScrollArea(this);
    scroll->setObjectName(QStringLiteral("settingsScroll"));
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    scroll->setWidget(body);
    auto* outer = new QVBoxLayout(this);
    outer->addWidget(scroll, 1);
    outer->addWidget(m_error);
    outer->addWidget(buttons);
    // As tall as its settings where the screen has the room, else the screen's available height less
    // a window manager's title bar; the rest scrolls.
    const int chrome = m_error->sizeHint().height() + buttons->sizeHint().height() + 4 * outer->spacing() + 2 * outer->contentsMargins().top();
    const int available = screen() ? screen()->availableGeometry().height() - 60 : 600;
    resize(body->sizeHint().width() + scroll->verticalScrollBar()->sizeHint().width() + 2 * outer->contentsMargins().left(),
           std::min(body->sizeHint().height() + chrome, std::max(300, available)));
    connect(buttons, &QDialogButtonBox::accepted, this, [this] {
        if (save())
            accept();
    });
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
}

bool SettingsDialog::save()
{
    QJsonObject cluster{{QStringLiteral("backend"), QStringLiteral("slurm")}, {QStringLiteral("shards"), m_shards->value()}};
    const std::pair<const char*, QLineEdit*> texts[] = {{"partition", m_partition}, {"account", m_account}, {"time", m_time}, {"memory", m_memory}};
    for (const auto& [key, edit] : texts)
        if (!edit->text().trimmed().isEmpty())
            cluster.insert(QLatin1String(key), edit->text().trimmed());
    if (m_cpusPerTask->value() > 0)
        cluster.insert(QStringLiteral("cpus_per_task"), m_cpusPerTask->value());
    if (m_gpusPerTask->value() > 0)
        cluster.insert(QStringLiteral("gpus_per_task"), m_gpusPerTask->value());
    QJsonArray lines;
    for (const QString& line : m_sbatchLines->toPlainText().split(QLatin1Char('\n'), Qt::SkipEmptyParts))
        if (!line.trimmed().isEmpty())
            lines.append(line.trimmed());
    if (!lines.isEmpty())
        cluster.insert(QStringLiteral("sbatch_lines"), lines);
    auto checked = core::SlurmOptions::fromJson(cluster);
    if (!checked) {
        m_error->setText(checked.error().message());
        return false;
    }
    // Every plugin setting is checked before anything is kept.
    std::map<QString, QJsonObject> pluginValues;
    core::WorkbenchSettings current;
    for (const PluginField& f : m_pluginFields) {
        QJsonObject& values = pluginValues.try_emplace(f.plugin, current.pluginSettings(f.plugin)).first->second;
        const QString text = f.edit->text().trimmed();
        if (text.isEmpty()) {
            if (!f.spec.secret || f.forget)
                values.remove(f.spec.key);
            continue;
        }
        QString error;
        const QJsonValue value = core::pluginSettingValue(f.spec, text, &error);
        if (!error.isEmpty()) {
            m_error->setText(tr("%1.%2: %3").arg(f.plugin, f.spec.key, error));
            return false;
        }
        values.insert(f.spec.key, value);
    }
    m_error->clear();
    core::WorkbenchSettings settings;
    for (const auto& [plugin, values] : pluginValues)
        settings.setPluginSettings(plugin, values);
    settings.setClusterOptions(checked->toJson());
    settings.setPreferredDevice(m_device->currentData().toString());
    settings.setCpuThreads(m_threads->value());
    settings.setMaxConcurrentJobs(m_jobs->value());
    settings.setModelFolder(m_models->text());
    settings.setCacheFolder(m_cache->text());
    return true;
}

} // namespace bioforge::ui
