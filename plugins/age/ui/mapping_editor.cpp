#include "mapping_editor.h"

#include <QComboBox>
#include <QFormLayout>
#include <QHeaderView>
#include <QKeyEvent>
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

// A code list as ColumnMapping reads it: strings or numbers (1, not ""), an array or one value
// (numbers were shown as empty boxes and written back as no code: review 67 R67-5).
QStringList codes(const QJsonValue& v)
{
    auto text = [](const QJsonValue& c) { return c.isDouble() ? QString::number(c.toDouble()) : c.toString(); };
    QStringList out;
    if (v.isArray()) {
        for (const QJsonValue& c : v.toArray())
            out << text(c);
    } else if (v.isString() || v.isDouble()) {
        out << text(v);
    }
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
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers); // names are not edited; the choices are the cells' combos
    m_table->setFocusPolicy(Qt::StrongFocus);
    m_table->installEventFilter(this);
    // Ten fields in view (four were, of some twenty, at 1280x760: trial 20); the page scrolls.
    m_table->setMinimumHeight(10 * std::max(30, m_table->verticalHeader()->defaultSectionSize()) + m_table->horizontalHeader()->sizeHint().height() + 2 * m_table->frameWidth());
    layout->addWidget(m_table, 1);
    auto* form = new QFormLayout;
    m_male = new QLineEdit(this);
    m_female = new QLineEdit(this);
    m_pregnant = new QLineEdit(this);
    m_notPregnant = new QLineEdit(this);
    m_died = new QLineEdit(this);
    m_alive = new QLineEdit(this);
    for (QLineEdit* e : {m_male, m_female, m_pregnant, m_notPregnant, m_died, m_alive}) {
        e->setToolTip(tr("The cell values that mean this, separated by commas (matched as written, else in another case)"));
        connect(e, &QLineEdit::editingFinished, this, &MappingEditor::changed);
    }
    m_male->setObjectName(QStringLiteral("maleCodes"));
    m_female->setObjectName(QStringLiteral("femaleCodes"));
    m_pregnant->setObjectName(QStringLiteral("pregnantCodes"));
    m_notPregnant->setObjectName(QStringLiteral("notPregnantCodes"));
    m_died->setObjectName(QStringLiteral("diedCodes"));
    m_alive->setObjectName(QStringLiteral("aliveCodes"));
    form->addRow(tr("Codes for male"), m_male);
    form->addRow(tr("Codes for female"), m_female);
    form->addRow(tr("Codes for pregnant"), m_pregnant);
    form->addRow(tr("Codes for not pregnant"), m_notPregnant);
    form->addRow(tr("Codes for died"), m_died);
    form->addRow(tr("Codes for alive"), m_alive);
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
    const QJsonObject pregnant = mapping.value(QLatin1String("pregnant")).toObject();
    m_pregnant->setText(codes(pregnant.value(QLatin1String("yes"))).join(QStringLiteral(", ")));
    m_notPregnant->setText(codes(pregnant.value(QLatin1String("no"))).join(QStringLiteral(", ")));
    const QJsonObject event = mapping.value(QLatin1String("event")).toObject();
    m_died->setText(codes(event.value(QLatin1String("yes"))).join(QStringLiteral(", ")));
    m_alive->setText(codes(event.value(QLatin1String("no"))).join(QStringLiteral(", ")));
    fillRows();
    m_asSet = shown();
}

bool MappingEditor::eventFilter(QObject* watched, QEvent* event)
{
    if (watched == m_table && event->type() == QEvent::KeyPress) {
        const auto* key = static_cast<QKeyEvent*>(event);
        const bool opens = key->key() == Qt::Key_F2 || key->key() == Qt::Key_Space || key->key() == Qt::Key_Return || key->key() == Qt::Key_Enter
                           || (key->key() == Qt::Key_Down && key->modifiers() & Qt::AltModifier);
        const QModelIndex at = m_table->currentIndex();
        if (auto* box = opens && at.isValid() ? qobject_cast<QComboBox*>(m_table->cellWidget(at.row(), at.column())) : nullptr) {
            box->showPopup();
            return true;
        }
    }
    return QWidget::eventFilter(watched, event);
}

void MappingEditor::keyedByTheTable(QComboBox* box)
{
    box->setFocusPolicy(Qt::ClickFocus); // no Tab stop of its own; the table opens it
    connect(box, &QComboBox::activated, m_table, [this] { m_table->setFocus(Qt::OtherFocusReason); });
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
        keyedByTheTable(box);
        m_table->setCellWidget(row, 1, box);
    };
    // The unit choice of a row: `choices`, the mapping's `current` kept as written where it is none
    // of them. Where the mapping gives none, a marker's starts on "choose the unit…" (no unit is
    // written, and a run names the marker that gives none): the canonical unit taken silently read
    // creatinine in mg/dL as µmol/L (review 67 R67-13). Age and follow-up start on their first.
    auto unitChoice = [&](int row, const QStringList& choices, const QString& current, const QString& note, bool chosenByUser) {
        auto* unit = new QComboBox(m_table);
        unit->addItems(choices);
        int at = unit->findText(current, Qt::MatchExactly | Qt::MatchCaseSensitive);
        if (at < 0 && !current.isEmpty()) {
            unit->addItem(current);
            at = unit->count() - 1;
            unit->setItemData(at, note, Qt::ToolTipRole);
        }
        if (at < 0 && chosenByUser) {
            unit->setPlaceholderText(tr("choose the unit…"));
            unit->setToolTip(tr("The unit this column's values are in: none is assumed"));
        }
        unit->setCurrentIndex(at >= 0 || chosenByUser ? at : 0);
        connect(unit, &QComboBox::currentIndexChanged, this, &MappingEditor::changed);
        keyedByTheTable(unit);
        m_table->setCellWidget(row, 2, unit);
    };
    int row = 0;
    for (const QString& field : kFields) {
        m_table->setItem(row, 0, new QTableWidgetItem(field));
        const QJsonObject given = m_mapping.value(field).toObject();
        columnChoice(row, given.value(QLatin1String("column")).toString());
        // Age and follow-up in the units the reader takes (ColumnMapping::fromJson).
        if (field == QLatin1String("age"))
            unitChoice(row, {QStringLiteral("years"), QStringLiteral("months")}, given.value(QLatin1String("unit")).toString(), tr("as the mapping writes it"),
                       false);
        else if (field == QLatin1String("followup"))
            unitChoice(row, {QStringLiteral("months"), QStringLiteral("years"), QStringLiteral("days")}, given.value(QLatin1String("unit")).toString(),
                       tr("as the mapping writes it"), false);
        else
            m_table->setItem(row, 2, new QTableWidgetItem(QString()));
        ++row;
    }
    for (const BiomarkerSpec& b : schema.biomarkers()) {
        m_table->setItem(row, 0, new QTableWidgetItem(QStringLiteral("%1 (%2)").arg(b.label, b.name)));
        m_table->item(row, 0)->setData(Qt::UserRole, b.name);
        const QJsonObject m = markers.value(b.name).toObject();
        columnChoice(row, m.value(QLatin1String("column")).toString());
        const QString given = m.value(QLatin1String("unit")).toString();
        const auto read = b.conversionFrom(given);
        unitChoice(row, b.acceptedUnits(), given,
                   read ? tr("as the mapping writes it; read as %1").arg(b.acceptedSpelling(given))
                        : tr("as the mapping writes it: %1").arg(read.error().message()),
                   true);
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
        if (const auto* unit = qobject_cast<QComboBox*>(m_table->cellWidget(row, 2)))
            field.insert(QStringLiteral("unit"), unit->currentText());
        out.insert(kFields[row], field);
    }
    QJsonObject sex = out.value(QLatin1String("sex")).toObject();
    sex.insert(QStringLiteral("male"), codeList(m_male->text()));
    sex.insert(QStringLiteral("female"), codeList(m_female->text()));
    out.insert(QStringLiteral("sex"), sex);
    QJsonObject pregnant = out.value(QLatin1String("pregnant")).toObject();
    pregnant.insert(QStringLiteral("yes"), codeList(m_pregnant->text()));
    pregnant.insert(QStringLiteral("no"), codeList(m_notPregnant->text()));
    out.insert(QStringLiteral("pregnant"), pregnant);
    QJsonObject event = out.value(QLatin1String("event")).toObject();
    event.insert(QStringLiteral("yes"), codeList(m_died->text()));
    event.insert(QStringLiteral("no"), codeList(m_alive->text()));
    out.insert(QStringLiteral("event"), event);
    QJsonObject markers;
    for (int row = int(kFields.size()); row < m_table->rowCount(); ++row) {
        const QString column = columnOf(row);
        if (column.isEmpty())
            continue;
        const auto* unit = qobject_cast<QComboBox*>(m_table->cellWidget(row, 2));
        markers.insert(m_table->item(row, 0)->data(Qt::UserRole).toString(),
                       QJsonObject{{QStringLiteral("column"), column}, {QStringLiteral("unit"), unit ? unit->currentText() : QString()}});
    }
    out.insert(QStringLiteral("biomarkers"), markers);
    return out;
}

} // namespace bioforge::age
