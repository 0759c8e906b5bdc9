#include "age_setup_panel.h"

#include "io/csv_reader.h"
#include "io/json_file.h"
#include "mapping_editor.h"
#include "schema/biomarker_schema.h"
#include "settings/file_dialogs.h"
#include "settings/page_memory.h"
#include "table/cohort_reader.h"

#include <QComboBox>
#include <QFile>
#include <QFileInfo>
#include <QFormLayout>
#include <QGridLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QTableWidget>
#include <QVBoxLayout>
#include <QtConcurrent>

#include <limits>

namespace bioforge::age {

namespace {

QJsonObject builtInMapping(const QString& name)
{
    QFile file(QStringLiteral(":/age/mappings/%1.json").arg(name));
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return core::parseJsonObject(file.readAll(), file.fileName()).valueOr({});
}

// The header and every value's check, off the UI thread.
TableCheck check(const QString& path, const QJsonObject& mappingJson)
{
    TableCheck result;
    auto reader = core::CsvReader::open(path);
    if (!reader) {
        result.summary = reader.error().message();
        return result;
    }
    if (auto st = (*reader)->readHeader(); !st) {
        result.summary = st.error().message();
        return result;
    }
    result.header = (*reader)->header();
    auto mapping = ColumnMapping::fromJson(mappingJson, BiomarkerSchema::builtIn(), QStringLiteral("the mapping"));
    if (!mapping) {
        result.summary = mapping.error().message();
        return result;
    }
    CohortReadReport report;
    auto cohort = readCohort(path, *mapping, BiomarkerSchema::builtIn(), &report);
    if (!cohort) {
        result.summary = cohort.error().message();
        return result;
    }
    result.ok = true;
    result.summary = report.summary() + (report.absentMarkers.isEmpty() ? QString() : QObject::tr("; mapped but absent: %1").arg(report.absentMarkers.join(QStringLiteral(", "))));
    for (const QString& line : report.notes + columnWideProblems(report, *mapping))
        result.summary += QLatin1Char('\n') + line;
    for (const TableIssue& i : report.issues)
        result.problems.append({QString::number(i.line), i.column, i.problem});
    return result;
}

} // namespace

AgeSetupPanel::AgeSetupPanel(QWidget* parent) : QWidget(parent)
{
    // No scroll area of its own: the page scrolls (down, with the results under the form where the
    // window is narrow). A form in a small scroll area of its own scrolled sideways, hiding Browse… and
    // its columns, and a wheel meant for it reached its settings.
    auto* outer = new QVBoxLayout(this);
    outer->setContentsMargins(0, 0, 0, 0);
    auto* content = new QWidget(this);
    auto* layout = new QVBoxLayout(content);
    outer->addWidget(content);

    auto* input = new QGroupBox(tr("Cohort table"), content);
    auto* form = new QFormLayout(input);
    m_table = pathRow(input, form, tr("Table"), QStringLiteral("tablePath"));
    m_mappings = new QComboBox(input);
    m_mappings->setObjectName(QStringLiteral("mappingChoice"));
    for (const QString& name : ColumnMapping::builtInNames())
        m_mappings->addItem(tr("Shipped: %1").arg(name), name);
    m_mappings->addItem(tr("From a file…"), QStringLiteral(":file"));
    form->addRow(tr("Column mapping"), m_mappings);
    auto* checkButton = new QPushButton(tr("Check the table"), input);
    checkButton->setObjectName(QStringLiteral("checkButton"));
    form->addRow(checkButton);
    layout->addWidget(input);

    m_editor = new MappingEditor(content);
    layout->addWidget(m_editor, 2);
    m_checkSummary = new QLabel(tr("Choose a table, then check it: every value is read and every problem is listed."), content);
    m_checkSummary->setWordWrap(true);
    m_checkSummary->setObjectName(QStringLiteral("checkSummary"));
    layout->addWidget(m_checkSummary);
    m_problems = new QTableWidget(0, 3, content);
    m_problems->setHorizontalHeaderLabels({tr("Line"), tr("Column"), tr("Problem")});
    m_problems->horizontalHeader()->setSectionResizeMode(2, QHeaderView::Stretch);
    m_problems->verticalHeader()->hide();
    m_problems->setTabKeyNavigation(false);
    m_problems->setMaximumHeight(140);
    layout->addWidget(m_problems);

    auto* clocks = new QGroupBox(tr("Clocks"), content);
    auto* clockForm = new QFormLayout(clocks);
    m_kdmReference = pathRow(clocks, clockForm, tr("KDM reference"), QStringLiteral("kdmReference"));
    m_kdmMarkers = new QComboBox(clocks);
    m_kdmMarkers->addItem(tr("Levine 2013 (FEV1, SBP, cholesterol, HbA1c, …)"), QStringLiteral("kdm"));
    m_kdmMarkers->addItem(tr("The PhenoAge blood markers"), QStringLiteral("kdm_blood"));
    clockForm->addRow(tr("KDM markers"), m_kdmMarkers);
    m_phenoAgeReference = pathRow(clocks, clockForm, tr("Re-train PhenoAge on"), QStringLiteral("phenoAgeReference"));
    m_hdReference = pathRow(clocks, clockForm, tr("HD reference"), QStringLiteral("hdReference"));
    m_hdReference->setToolTip(tr("The young healthy people homeostatic dysregulation is a distance from (BioAge: ages 20-30, markers in their clinical ranges); "
                                 "empty: no HD"));
    m_referenceMapping = new QComboBox(clocks);
    m_referenceMapping->setObjectName(QStringLiteral("referenceMappingChoice"));
    m_referenceMapping->addItem(tr("the table's column mapping"), QString());
    for (const QString& name : ColumnMapping::builtInNames())
        m_referenceMapping->addItem(tr("Shipped: %1 (BioAge's NHANES files)").arg(name), name);
    m_referenceMapping->setToolTip(tr("How the reference tables (KDM, PhenoAge, HENAW training) name their columns, when not as your table does"));
    clockForm->addRow(tr("References read with"), m_referenceMapping);
    m_crp = new QComboBox(clocks);
    m_crp->addItem(tr("ln(1 + CRP) — BioAge"), QStringLiteral("log1p"));
    m_crp->addItem(tr("ln(CRP) — the paper"), QStringLiteral("log"));
    clockForm->addRow(tr("CRP enters as"), m_crp);
    m_divisor = new QComboBox(clocks);
    m_divisor->addItems({QStringLiteral("0.090165"), QStringLiteral("0.09165")});
    clockForm->addRow(tr("PhenoAge divisor"), m_divisor);
    m_kdmRows = new QComboBox(clocks);
    m_kdmRows->addItem(tr("all rows — BioAge HEAD"), QStringLiteral("all"));
    m_kdmRows->addItem(tr("complete rows — BioAge's kdm0"), QStringLiteral("complete"));
    clockForm->addRow(tr("KDM s² rows"), m_kdmRows);
    m_missing = new QComboBox(clocks);
    m_missing->addItem(tr("leave the clock empty"), QStringLiteral("drop"));
    m_missing->addItem(tr("impute (median by sex and age band)"), QStringLiteral("impute"));
    clockForm->addRow(tr("Missing values"), m_missing);
    layout->addWidget(clocks);

    auto* henaw = new QGroupBox(tr("HENAW"), content);
    auto* henawForm = new QFormLayout(henaw);
    m_henawTrain = pathRow(henaw, henawForm, tr("Train on"), QStringLiteral("henawTrain"));
    m_epochs = new QSpinBox(henaw);
    m_epochs->setRange(1, 10000);
    m_epochs->setValue(40);
    m_ensemble = new QSpinBox(henaw);
    m_ensemble->setRange(1, 100);
    m_ensemble->setValue(5);
    henawForm->addRow(tr("Epochs"), m_epochs);
    henawForm->addRow(tr("Members"), m_ensemble);
    m_henawModel = pathRow(henaw, henawForm, tr("Trained model"), QStringLiteral("henawModel"), true);
    m_henawModel->setToolTip(tr("A train run's henaw-model folder: Apply the model predicts with it on the table; Evaluate compares it beside the "
                                "published clocks (unless Train on is given)"));
    layout->addWidget(henaw);

    auto* evaluation = new QGroupBox(tr("Evaluation against mortality"), content);
    auto* evaluationForm = new QFormLayout(evaluation);
    m_bootstrap = new QSpinBox(evaluation);
    m_bootstrap->setObjectName(QStringLiteral("bootstrap"));
    m_bootstrap->setRange(0, 100000);
    m_bootstrap->setValue(200);
    m_bootstrap->setToolTip(tr("Bootstrap resamples for the 95 % confidence intervals: 0 for none, else at least 50"));
    m_seed = new QSpinBox(evaluation);
    m_seed->setObjectName(QStringLiteral("seed"));
    m_seed->setRange(0, std::numeric_limits<int>::max());
    m_seed->setValue(1);
    evaluationForm->addRow(tr("Bootstrap resamples"), m_bootstrap);
    evaluationForm->addRow(tr("Bootstrap seed"), m_seed);
    layout->addWidget(evaluation);

    // Two by two: four in a row made the page wider than a 1024-px window with its docks, and it
    // scrolled sideways (trial 23 T23-11).
    auto* buttons = new QGridLayout;
    int at = 0;
    for (const auto& [verb, label, name] : {std::tuple{"clocks", "Compute clocks", "clocksButton"}, {"evaluate", "Evaluate against mortality", "evaluateButton"},
                                            {"train", "Train HENAW", "trainButton"}, {"predict", "Apply the model", "predictButton"}}) {
        auto* b = new QPushButton(tr(label), content);
        b->setObjectName(QLatin1String(name));
        connect(b, &QPushButton::clicked, this, [this, v = QString::fromLatin1(verb)] { emit runRequested(v); });
        buttons->addWidget(b, at / 2, at % 2);
        ++at;
    }
    layout->addLayout(buttons);
    m_status = new QLabel(content);
    m_status->setWordWrap(true);
    m_status->setObjectName(QStringLiteral("status"));
    layout->addWidget(m_status);

    // Choices as narrow as a few words: their longest entry ("Levine 2013 (FEV1, SBP, …)") set the
    // form's width, wider than the page beside the docks (the popup shows them whole).
    for (QComboBox* box : findChildren<QComboBox*>()) {
        box->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
        box->setMinimumContentsLength(14);
    }
    connect(m_mappings, &QComboBox::activated, this, &AgeSetupPanel::chooseMapping);
    connect(checkButton, &QPushButton::clicked, this, &AgeSetupPanel::checkTable);
    const auto stale = [this] {
        if (!m_checkShown)
            return;
        m_checkShown = false;
        m_checkSummary->setText(tr("The table or its mapping changed since the check: check it again."));
        m_problems->setRowCount(0);
    };
    connect(m_table, &QLineEdit::textChanged, this, stale);
    // A path typed (or pasted) and left: its header read and checked as a Browse… does, not every
    // column shown "missing from this table" until Check (trial 23 T23-15).
    connect(m_table, &QLineEdit::editingFinished, this, [this] {
        if (QFileInfo(table()).isFile() && !(table() == m_checkedTable && (m_checkShown || m_check.isRunning())))
            checkTable();
    });
    connect(m_editor, &MappingEditor::changed, this, stale);
    connect(&m_check, &QFutureWatcher<TableCheck>::finished, this, [this] {
        const TableCheck r = m_check.result();
        if (table() != m_checkedTable || currentMapping() != m_checkedMapping) {
            m_checkSummary->setText(tr("The table or its mapping changed during the check: check it again."));
            m_problems->setRowCount(0);
            return;
        }
        if (!r.header.isEmpty())
            m_editor->setColumns(r.header);
        m_checkSummary->setText(r.ok ? tr("Checked: %1 (nothing is dropped: a value that cannot be used is left out of the clocks that need it, and the run says so).").arg(r.summary)
                                     : tr("Cannot use the table: %1").arg(r.summary));
        m_problems->setRowCount(int(r.problems.size()));
        for (int i = 0; i < r.problems.size(); ++i)
            for (int c = 0; c < 3; ++c)
                m_problems->setItem(i, c, new QTableWidgetItem(r.problems[i][c]));
        m_checkShown = true;
        emit checked();
    });
    chooseMapping(0);
    restore();
}

void AgeSetupPanel::remember() const
{
    const ui::PageMemory memory(QStringLiteral("age"));
    for (const QLineEdit* edit : {m_table, m_kdmReference, m_phenoAgeReference, m_hdReference, m_henawTrain, m_henawModel})
        memory.setValue(edit->objectName(), edit->text().trimmed());
    memory.setValue(QStringLiteral("bootstrap"), m_bootstrap->value());
    memory.setValue(QStringLiteral("seed"), m_seed->value());
    memory.setValue(QStringLiteral("epochs"), m_epochs->value());
    memory.setValue(QStringLiteral("ensemble"), m_ensemble->value());
    memory.setValue(QStringLiteral("referenceMapping"), m_referenceMapping->currentData().toString()); // trial 23 T23-17
}

void AgeSetupPanel::restore()
{
    const ui::PageMemory memory(QStringLiteral("age"));
    for (QLineEdit* edit : {m_table, m_kdmReference, m_phenoAgeReference, m_hdReference, m_henawTrain, m_henawModel})
        if (const QString kept = memory.value(edit->objectName()).toString(); !kept.isEmpty() && QFileInfo::exists(kept))
            edit->setText(kept);
    for (QSpinBox* box : {m_bootstrap, m_seed})
        if (const QVariant kept = memory.value(box->objectName()); kept.isValid())
            box->setValue(kept.toInt());
    if (const QVariant epochs = memory.value(QStringLiteral("epochs")); epochs.isValid())
        m_epochs->setValue(epochs.toInt());
    if (const QVariant ensemble = memory.value(QStringLiteral("ensemble")); ensemble.isValid())
        m_ensemble->setValue(ensemble.toInt());
    if (const int at = m_referenceMapping->findData(memory.value(QStringLiteral("referenceMapping")).toString()); at >= 0)
        m_referenceMapping->setCurrentIndex(at);
}

QLineEdit* AgeSetupPanel::pathRow(QWidget* parent, QFormLayout* form, const QString& label, const QString& name, bool folder)
{
    auto* row = new QHBoxLayout;
    auto* edit = new QLineEdit(parent);
    edit->setObjectName(name);
    auto* browse = new QPushButton(tr("Browse…"), parent);
    connect(browse, &QPushButton::clicked, this, [this, edit, folder] {
        const QString path = folder ? ui::chooseFolder(this, QStringLiteral("age-model"), tr("Choose a train run's henaw-model folder"))
                                    : ui::chooseFile(this, QStringLiteral("age-table"), tr("Choose a table"), tr("Tables (*.csv *.tsv *.txt *.gz);;All files (*)"),
                                                     edit->text());
        if (!path.isEmpty()) {
            edit->setText(path);
            if (edit == m_table)
                checkTable(); // its header offered in the mapping at once
        }
    });
    row->addWidget(edit, 1);
    row->addWidget(browse);
    form->addRow(label, row);
    return edit;
}

void AgeSetupPanel::chooseMapping(int index)
{
    const QString key = m_mappings->itemData(index).toString();
    if (key == QLatin1String(":file")) {
        // Beside the table (the mapping usually lies with it); the box names the file read, and a
        // cancelled choice puts back what the editor holds (it said "From a file…" over the shipped
        // mapping still in the editor: trial 20).
        const QString start = table().isEmpty() ? QString() : QFileInfo(table()).absolutePath();
        const QString path = ui::chooseFile(this, QStringLiteral("age-mapping"), tr("Choose a column mapping"), tr("Mappings (*.json)"), start);
        auto json = path.isEmpty() ? core::Expected<QJsonObject>(core::Error(QString())) : core::readJsonObjectFile(path);
        if (json) {
            m_editor->setMapping(*json);
            m_mappings->setItemText(index, tr("From a file: %1 (another…)").arg(QFileInfo(path).fileName()));
            m_mappings->setItemData(index, path, Qt::ToolTipRole);
            m_mappingIndex = index;
            return;
        }
        if (!path.isEmpty())
            setStatus(json.error().message());
        m_mappings->setCurrentIndex(m_mappingIndex);
        return;
    }
    m_mappingIndex = index;
    m_editor->setMapping(key == QLatin1String(":project") ? m_projectMapping : builtInMapping(key));
}

void AgeSetupPanel::setProjectMapping(const QJsonObject& mapping)
{
    m_projectMapping = mapping;
    const int existing = m_mappings->findData(QStringLiteral(":project"));
    if (mapping.isEmpty()) {
        if (existing >= 0)
            m_mappings->removeItem(existing);
        m_mappingIndex = std::max(0, m_mappings->currentIndex());
        return;
    }
    if (existing < 0)
        m_mappings->insertItem(0, tr("This project's mapping"), QStringLiteral(":project"));
    m_mappings->setCurrentIndex(0);
    chooseMapping(0);
}

void AgeSetupPanel::setTable(const QString& path) { m_table->setText(path); }
QString AgeSetupPanel::table() const { return m_table->text().trimmed(); }
QJsonObject AgeSetupPanel::currentMapping() const { return m_editor->mapping(); }
void AgeSetupPanel::setStatus(const QString& text) { m_status->setText(text); }

void AgeSetupPanel::checkTable()
{
    if (table().isEmpty()) {
        m_checkSummary->setText(tr("Choose a table first."));
        return;
    }
    m_checkShown = false;
    m_checkedTable = table();
    m_checkedMapping = currentMapping();
    m_problems->setRowCount(0);
    m_checkSummary->setText(tr("Checking %1…").arg(table()));
    m_check.setFuture(QtConcurrent::run(check, m_checkedTable, m_checkedMapping));
}

QString AgeSetupPanel::henawModel() const { return m_henawModel->text().trimmed(); }

QJsonObject AgeSetupPanel::parameters(const QString& verb, const QString& mappingFile) const
{
    QJsonObject p{{QStringLiteral("table"), table()}, {QStringLiteral("map"), mappingFile}};
    if (verb == QLatin1String("predict")) { // the model on the table
        p.insert(QStringLiteral("model"), henawModel());
        return p;
    }
    if (verb == QLatin1String("train")) {
        if (!m_henawTrain->text().trimmed().isEmpty()) // "Train on" names the training cohort; else the table itself
            p.insert(QStringLiteral("table"), m_henawTrain->text().trimmed());
        p.insert(QStringLiteral("epochs"), m_epochs->value());
        p.insert(QStringLiteral("ensemble"), m_ensemble->value());
        return p;
    }
    auto put = [&](const char* key, const QString& value) {
        if (!value.isEmpty())
            p.insert(QLatin1String(key), value);
    };
    put("kdm_reference", m_kdmReference->text().trimmed());
    put("phenoage_reference", m_phenoAgeReference->text().trimmed());
    put("hd_reference", m_hdReference->text().trimmed());
    put("reference_map", m_referenceMapping->currentData().toString());
    p.insert(QStringLiteral("kdm_markers"), m_kdmMarkers->currentData().toString());
    p.insert(QStringLiteral("crp_transform"), m_crp->currentData().toString());
    p.insert(QStringLiteral("phenoage_divisor"), m_divisor->currentText());
    p.insert(QStringLiteral("kdm_variance_rows"), m_kdmRows->currentData().toString());
    p.insert(QStringLiteral("missing"), m_missing->currentData().toString());
    if (verb != QLatin1String("evaluate"))
        return p;
    if (!m_henawTrain->text().trimmed().isEmpty()) { // a model trained first; else the trained one chosen, if any
        p.insert(QStringLiteral("henaw_train"), m_henawTrain->text().trimmed());
        p.insert(QStringLiteral("henaw_epochs"), m_epochs->value());
        p.insert(QStringLiteral("henaw_ensemble"), m_ensemble->value());
    } else {
        put("henaw", henawModel());
    }
    p.insert(QStringLiteral("bootstrap"), m_bootstrap->value());
    p.insert(QStringLiteral("seed"), m_seed->value());
    return p;
}

} // namespace bioforge::age
