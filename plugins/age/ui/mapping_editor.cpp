#include "mapping_editor.h"

#include <QComboBox>
#include <QFormLayout>
#include <QHeaderView>
#include <QJsonArray>
#include <QLabel>
#include <QLineEdit>
#include <QTableWidget>
#include <QVBoxLayout>

#include <algorithm>

namespace bioforge::age {

namespace {

const QStringList kFields{QStringLiteral("id"), QStringLiteral("age"), QStringLiteral("sex"), QStringLiteral("pregnant"), QStringLiteral("followup"), QStringLiteral("event")};
const QString kNone = QStringLiteral("(not in the table)");

QStringList codes(const QJsonValue& v)
{
    QStringList out;
    for (const QJsonValue& c : v.toArray())
        out << c.toString();
    return out;
}

QJsonArray codeList(const QString& text)
{
    QJsonArray out;
    for (const QString& c : text.split(QLatin1Char(','), Qt::SkipEmptyParts))
        out.append(c.trimmed());
    return out;
}

} // namespace

MappingEditor::MappingEditor(QWidget* parent) : QWidget(parent)
{
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    m_table = new QTableWidget(0, 3, this);
    m_table->setObjectName(QStringLiteral("mappingTable"));
    m_table->setHorizontalHeaderLabels({tr("Field"), tr("Column of the table"), tr("Unit")});
    m_table->horizontalHeader()->setSectionResizeMode(1, QHeaderView::Stretch);
    m_table->verticalHeader()->hide();
    m_table->setTabKeyNavigation(false); // Tab leaves the table instead of walking every cell
    // Ten fields in view (four were, of some twenty, at 1280x760: trial 20); the page scrolls.
    m_table->setMinimumHeight(10 * std::max(30, m_table->verticalHeader()->defaultSectionSize()) + m_table->horizontalHeader()->sizeHint().height() + 2 * m_table->frameWidth());
    layout->addWidget(m_table, 1);
    auto* form = new QFormLayout;
    m_male = new QLineEdit(this);
    m_female = new QLineEdit(this);
    m_died = new QLineEdit(this);
    for (QLineEdit* e : {m_male, m_female, m_died})
        connect(e, &QLineEdit::editingFinished, this, &MappingEditor::changed);
    form->addRow(tr("Codes for male"), m_male);
    form->addRow(tr("Codes for female"), m_female);
    form->addRow(tr("Codes for died"), m_died);
    layout->addLayout(form);
}

void MappingEditor::setColumns(const QStringList& header)
{
    const bool edited = shown() != m_asSet;
    m_header = header;
    fillRows();
    if (!edited)
        m_asSet = shown();
}

void MappingEditor::setMapping(const QJsonObject& mapping)
{
    m_mapping = mapping;
    const QJsonObject sex = mapping.value(QLatin1String("sex")).toObject();
    m_male->setText(codes(sex.value(QLatin1String("male"))).join(QStringLiteral(", ")));
    m_female->setText(codes(sex.value(QLatin1String("female"))).join(QStringLiteral(", ")));
    m_died->setText(codes(mapping.value(QLatin1String("event")).toObject().value(QLatin1String("yes"))).join(QStringLiteral(", ")));
    fillRows();
    m_asSet = shown();
}

void MappingEditor::fillRows()
{
    const BiomarkerSchema& schema = BiomarkerSchema::builtIn();
    m_table->setRowCount(int(kFields.size() + schema.biomarkers().size()));
    const QJsonObject markers = m_mapping.value(QLatin1String("biomarkers")).toObject();
    auto columnChoice = [&](int row, const QString& current) {
        auto* box = new QComboBox(m_table);
        box->addItem(kNone);
        box->addItems(m_header);
        // The reader takes the one header name that differs only in case (AGE_YEARS for age_years): shown as that column.
        const auto caseOnly = std::count_if(m_header.begin(), m_header.end(), [&](const QString& h) { return h.compare(current, Qt::CaseInsensitive) == 0; });
        const bool foundByCase = !current.isEmpty() && !m_header.contains(current) && caseOnly == 1;
        if (!current.isEmpty() && !m_header.contains(current) && !foundByCase) // kept until the table says otherwise
            box->addItem(m_header.isEmpty() ? current : current + tr(" (missing from this table)"), current);
        const int at = box->findText(current, foundByCase ? Qt::MatchFixedString : Qt::MatchExactly | Qt::MatchCaseSensitive);
        box->setCurrentIndex(at >= 0 ? at : (current.isEmpty() ? 0 : box->count() - 1));
        connect(box, &QComboBox::currentIndexChanged, this, &MappingEditor::changed);
        m_table->setCellWidget(row, 1, box);
    };
    int row = 0;
    for (const QString& field : kFields) {
        m_table->setItem(row, 0, new QTableWidgetItem(field));
        columnChoice(row, m_mapping.value(field).toObject().value(QLatin1String("column")).toString());
        m_table->setItem(row, 2, new QTableWidgetItem(field == QLatin1String("age") ? tr("years") : field == QLatin1String("followup") ? tr("months") : QString()));
        ++row;
    }
    for (const BiomarkerSpec& b : schema.biomarkers()) {
        m_table->setItem(row, 0, new QTableWidgetItem(QStringLiteral("%1 (%2)").arg(b.label, b.name)));
        m_table->item(row, 0)->setData(Qt::UserRole, b.name);
        const QJsonObject m = markers.value(b.name).toObject();
        columnChoice(row, m.value(QLatin1String("column")).toString());
        auto* unit = new QComboBox(m_table);
        unit->addItem(b.unit);
        unit->addItems(b.units.keys());
        const int at = unit->findText(m.value(QLatin1String("unit")).toString(b.unit));
        unit->setCurrentIndex(std::max(0, at));
        connect(unit, &QComboBox::currentIndexChanged, this, &MappingEditor::changed);
        m_table->setCellWidget(row, 2, unit);
        ++row;
    }
}

QString MappingEditor::columnOf(int row) const
{
    auto* box = qobject_cast<QComboBox*>(m_table->cellWidget(row, 1));
    if (!box || box->currentIndex() <= 0)
        return {};
    return box->currentData().isValid() ? box->currentData().toString() : box->currentText();
}

QJsonObject MappingEditor::mapping() const
{
    QJsonObject out = shown();
    const QString name = out.value(QLatin1String("name")).toString();
    const QString edited = QStringLiteral(" (edited)");
    if (out != m_asSet && !name.endsWith(edited))
        out.insert(QStringLiteral("name"), (name.isEmpty() ? QStringLiteral("mapping") : name) + edited);
    return out;
}

QJsonObject MappingEditor::shown() const
{
    QJsonObject out = m_mapping;
    out.insert(QStringLiteral("format"), QStringLiteral("bioforge-age-mapping/1"));
    for (int row = 0; row < kFields.size(); ++row) {
        QJsonObject field = m_mapping.value(kFields[row]).toObject();
        field.insert(QStringLiteral("column"), columnOf(row));
        out.insert(kFields[row], field);
    }
    QJsonObject sex = out.value(QLatin1String("sex")).toObject();
    sex.insert(QStringLiteral("male"), codeList(m_male->text()));
    sex.insert(QStringLiteral("female"), codeList(m_female->text()));
    out.insert(QStringLiteral("sex"), sex);
    QJsonObject event = out.value(QLatin1String("event")).toObject();
    event.insert(QStringLiteral("yes"), codeList(m_died->text()));
    out.insert(QStringLiteral("event"), event);
    QJsonObject markers;
    for (int row = int(kFields.size()); row < m_table->rowCount(); ++row) {
        const QString column = columnOf(row);
        if (column.isEmpty())
            continue;
        auto* unit = qobject_cast<QComboBox*>(m_table->cellWidget(row, 2));
        markers.insert(m_table->item(row, 0)->data(Qt::UserRole).toString(),
                       QJsonObject{{QStringLiteral("column"), column}, {QStringLiteral("unit"), unit ? unit->currentText() : QString()}});
    }
    out.insert(QStringLiteral("biomarkers"), markers);
    return out;
}

} // namespace bioforge::age
