#include "run_setup_panel.h"

#include "settings/file_dialogs.h"
#include "settings/page_memory.h"

#include "model/torch_runtime.h"
#include "models/model_registry.h"
#include "plugin/model_resolver.h"
#include "settings/workbench_settings.h"

#include <QCheckBox>
#include <QComboBox>
#include <QStandardPaths>
#include <QDragEnterEvent>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QJsonArray>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QMimeData>
#include <QPushButton>
#include <QSpinBox>
#include <QThread>
#include <QVBoxLayout>

namespace bioforge::viral {

namespace {
constexpr const char* kParameterNames[3] = {"dnabert", "esm", "classifier"};
}

RunSetupPanel::RunSetupPanel(QWidget* parent) : QWidget(parent)
{
    setAcceptDrops(true);
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(new QLabel(tr("<b>FASTA files</b> (drop them here; plain or .gz)"), this));
    m_inputs = new QListWidget(this);
    m_inputs->setSelectionMode(QAbstractItemView::ExtendedSelection);
    layout->addWidget(m_inputs, 1);
    auto* fileButtons = new QHBoxLayout;
    auto* add = new QPushButton(tr("Add…"), this);
    auto* remove = new QPushButton(tr("Remove"), this);
    fileButtons->addWidget(add);
    fileButtons->addWidget(remove);
    fileButtons->addStretch();
    layout->addLayout(fileButtons);
    connect(add, &QPushButton::clicked, this, [this] {
        addInputs(ui::chooseFiles(this, QStringLiteral("fasta"), tr("FASTA files"), tr("FASTA (*.fa *.fasta *.fna *.fa.gz *.fasta.gz *.fna.gz);;All files (*)")));
    });
    connect(remove, &QPushButton::clicked, this, [this] {
        qDeleteAll(m_inputs->selectedItems());
        updateButtons();
        remember();
    });

    auto* form = new QFormLayout;
    m_chunkLength = new QComboBox(this);
    m_chunkLength->addItems({QStringLiteral("300"), QStringLiteral("500")});
    m_chunkLength->setToolTip(tr("The published VirNucPro models were trained on 300 and 500 base chunks; use the classifier that matches."));
    form->addRow(tr("Chunk length"), m_chunkLength);
    const char* labels[3] = {"DNABERT-S", "ESM-2", "Classifier"};
    for (int role = 0; role < 3; ++role)
        form->addRow(tr(labels[role]), m_models[role] = makeModelChoice(role));
    m_threads = new QSpinBox(this);
    m_threads->setRange(0, 1024);
    m_threads->setSpecialValueText(tr("all (%1)").arg(QThread::idealThreadCount()));
    form->addRow(tr("CPU threads"), m_threads);
    m_precision = new QComboBox(this);
    m_precision->setObjectName(QStringLiteral("precisionChoice"));
    m_precision->addItem(tr("fp32 — as published"), QStringLiteral("fp32"));
    m_precision->addItem(cpuHasBFloat16Tiles() ? tr("bf16 — products on AMX bfloat16 tiles, about 2× faster here") : tr("bf16 — bfloat16 results; this CPU has no AMX bfloat16 tiles, so about fp32's speed"),
                         QStringLiteral("bf16"));
    m_precision->addItem(tr("int8 — approximate: linear layers in int8 on the CPU, about 1.5× faster with VNNI"), QStringLiteral("int8"));
    // As wide as the model choices, not its longest item (that made the page wider than a 1280-px
    // window): the list opens as wide as it needs; the choice shown may be cut, each item whole in
    // the list's tooltips, the combo's own tooltip explaining the three.
    m_precision->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    m_precision->setMinimumContentsLength(24);
    for (int i = 0; i < m_precision->count(); ++i)
        m_precision->setItemData(i, m_precision->itemText(i), Qt::ToolTipRole);
    m_precision->setToolTip(tr("bf16 runs the encoders' matrix products in bfloat16 (fast on CPUs with AMX bfloat16 tiles; elsewhere about fp32's speed). Embeddings differ from fp32 by "
                               "about 0.5 % of their largest value; scores by about 0.003, so a frame within that of the threshold may change its "
                               "call. int8 runs the linear layers as dynamic int8 products on the CPU (never on a GPU): embeddings differ by 1–2 % of their largest value on "
                               "the test models, more where activations have outlier channels; not measured on the published weights — check calls against fp32 "
                               "before relying on it (docs/performance.md). Results of the precisions are kept apart."));
    form->addRow(tr("Encoder precision"), m_precision);
    m_device = new QLabel(torchHasCuda() ? tr("CPU — the GPU path of this plugin is not built yet") : tr("CPU — this LibTorch build has no CUDA"), this);
    m_device->setWordWrap(true);
    form->addRow(tr("Device"), m_device);
    m_cluster = new QCheckBox(tr("Run on the Slurm cluster (options in Settings)"), this);
    m_cluster->setObjectName(QStringLiteral("clusterCheck"));
    const bool slurm = !QStandardPaths::findExecutable(QStringLiteral("sbatch")).isEmpty();
    m_cluster->setEnabled(slurm);
    m_cluster->setToolTip(slurm ? tr("Split the run into array tasks on the cluster SLURM_CONF names; the outputs are those of a run here (docs/cluster.md)")
                                : tr("sbatch is not on this machine's PATH: install the Slurm client to send runs to a cluster"));
    form->addRow(QString(), m_cluster);
    layout->addLayout(form);

    auto* buttons = new QHBoxLayout;
    m_validate = new QPushButton(tr("Validate models"), this);
    m_validate->setToolTip(tr("Load the three models and run a tiny input through the pipeline"));
    m_run = new QPushButton(tr("Run"), this);
    m_run->setDefault(true);
    m_run->setObjectName(QStringLiteral("runButton"));
    m_validate->setObjectName(QStringLiteral("validateButton"));
    buttons->addWidget(m_validate);
    buttons->addStretch();
    buttons->addWidget(m_run);
    layout->addLayout(buttons);
    m_status = new QLabel(this);
    m_status->setWordWrap(true);
    m_status->setObjectName(QStringLiteral("status"));
    layout->addWidget(m_status);
    connect(m_run, &QPushButton::clicked, this, &RunSetupPanel::runRequested);
    connect(m_validate, &QPushButton::clicked, this, &RunSetupPanel::validateRequested);
    for (QComboBox* combo : m_models)
        connect(combo, &QComboBox::currentTextChanged, this, [this] { remember(); });
    connect(m_chunkLength, &QComboBox::currentTextChanged, this, [this] { remember(); });
    connect(m_cluster, &QCheckBox::toggled, this, [this] { remember(); });
    restore();
    updateButtons();
}

QComboBox* RunSetupPanel::makeModelChoice(int role)
{
    auto* combo = new QComboBox(this);
    combo->setEditable(true);
    combo->setInsertPolicy(QComboBox::NoInsert);
    combo->setMinimumContentsLength(24);
    combo->lineEdit()->setPlaceholderText(tr("registry name, or Browse…"));
    combo->addItem(tr("Browse…"), QStringLiteral("::browse"));
    // A long entry ("NAME — TEST model (random weights)  (model checksum …)") shows its start: the
    // line edit put its cursor, and so its view, at the end, the name scrolled out (trial 14).
    // (On the text a choice puts there: the combo writes it after currentIndexChanged; typing is left alone.)
    connect(combo, &QComboBox::currentTextChanged, combo, [combo](const QString& text) {
        if (combo->findText(text) >= 0)
            combo->lineEdit()->setCursorPosition(0);
    });
    connect(combo, &QComboBox::activated, this, [this, combo, role](int index) {
        if (combo->itemData(index).toString() != QLatin1String("::browse"))
            return;
        const QString path = role == int(ModelRole::Classifier)
                                 ? ui::chooseFile(this, QStringLiteral("viral-model"), tr("Classifier weights"), tr("safetensors (*.safetensors)"))
                                 : ui::chooseFolder(this, QStringLiteral("viral-model"), tr("Model folder (config.json, model.safetensors, …)"));
        combo->setCurrentIndex(-1);
        combo->setEditText(path);
    });
    return combo;
}

// The FASTA list, the model choices, the chunk length and the cluster tick are kept for the next start.
void RunSetupPanel::remember() const
{
    if (m_restoring)
        return;
    const ui::PageMemory memory(QStringLiteral("viral"));
    memory.setValue(QStringLiteral("inputs"), inputs());
    for (int role = 0; role < 3; ++role)
        memory.setValue(QLatin1String(kParameterNames[role]), m_models[role]->currentText());
    memory.setValue(QStringLiteral("chunk_length"), m_chunkLength->currentText());
    memory.setValue(QStringLiteral("cluster"), m_cluster->isChecked()); // a next run meant for the cluster went to this machine (trial 22)
}

void RunSetupPanel::restore()
{
    m_restoring = true;
    const ui::PageMemory memory(QStringLiteral("viral"));
    QStringList kept;
    for (const QString& f : memory.value(QStringLiteral("inputs")).toStringList())
        if (QFileInfo::exists(f)) // a file moved away since: not offered
            kept << f;
    addInputs(kept);
    if (const QString chunk = memory.value(QStringLiteral("chunk_length")).toString(); !chunk.isEmpty())
        m_chunkLength->setCurrentText(chunk);
    m_cluster->setChecked(m_cluster->isEnabled() && memory.value(QStringLiteral("cluster")).toBool());
    m_restoring = false;
}

void RunSetupPanel::setRegistry(const core::ModelRegistry* registry)
{
    const ui::PageMemory memory(QStringLiteral("viral"));
    for (int role = 0; role < 3; ++role) {
        QComboBox* combo = m_models[role];
        const QSignalBlocker block(combo);
        QString current = combo->currentText();
        if (current.isEmpty())
            current = memory.value(QLatin1String(kParameterNames[role])).toString(); // the last session's choice
        combo->clear();
        if (registry)
            for (const core::ModelEntry& m : registry->models())
                if (m.kind == QLatin1String(modelKind(ModelRole(role)))) {
                    combo->addItem(tr("%1  (model checksum %2…)").arg(m.displayName(), m.combinedSha256().left(12)), m.name);
                    combo->setItemData(combo->count() - 1, combo->itemText(combo->count() - 1), Qt::ToolTipRole);
                }
        combo->addItem(tr("Browse…"), QStringLiteral("::browse"));
        combo->setCurrentIndex(combo->count() > 1 ? 0 : -1);
        if (const int i = combo->findText(current); !current.isEmpty() && i >= 0 && current != tr("Browse…"))
            combo->setCurrentIndex(i);
        else if (!current.isEmpty() && current != tr("Browse…"))
            combo->setEditText(current);
        combo->lineEdit()->setCursorPosition(0); // the model's name in view, not the end of a long entry
    }
}

void RunSetupPanel::addInputs(const QStringList& files)
{
    for (const QString& f : files)
        if (!f.isEmpty() && m_inputs->findItems(f, Qt::MatchExactly).isEmpty())
            m_inputs->addItem(f);
    updateButtons();
    remember();
}

QStringList RunSetupPanel::inputs() const
{
    QStringList files;
    for (int i = 0; i < m_inputs->count(); ++i)
        files << m_inputs->item(i)->text();
    return files;
}

QJsonObject RunSetupPanel::parameters() const
{
    QJsonObject p{{QStringLiteral("inputs"), QJsonArray::fromStringList(inputs())},
                  {QStringLiteral("chunk_length"), m_chunkLength->currentText().toInt()},
                  {QStringLiteral("threads"), m_threads->value()},
                  {QStringLiteral("precision"), m_precision->currentData().toString()}};
    for (int role = 0; role < 3; ++role) {
        const QComboBox* combo = m_models[role];
        const QString data = combo->currentData().toString();
        const QString value = combo->currentIndex() >= 0 && combo->currentText() == combo->itemText(combo->currentIndex()) && data != QLatin1String("::browse")
                                  ? data
                                  : combo->currentText().trimmed();
        if (!value.isEmpty())
            p.insert(QLatin1String(kParameterNames[role]), value);
    }
    if (m_cluster->isEnabled() && m_cluster->isChecked())
        p.insert(QStringLiteral("cluster"), core::WorkbenchSettings().clusterOptions());
    return p;
}

void RunSetupPanel::setStatus(const QString& text) { m_status->setText(text); }

void RunSetupPanel::updateButtons() { m_run->setEnabled(m_inputs->count() > 0); }

void RunSetupPanel::dragEnterEvent(QDragEnterEvent* event)
{
    if (event->mimeData()->hasUrls())
        event->acceptProposedAction();
}

void RunSetupPanel::dropEvent(QDropEvent* event)
{
    QStringList files;
    for (const QUrl& url : event->mimeData()->urls())
        if (url.isLocalFile())
            files << url.toLocalFile();
    addInputs(files);
    event->acceptProposedAction();
}

} // namespace bioforge::viral
