#include "table/cohort_read_report.h"

#include "io/csv_writer.h"

#include <QRegularExpression>
#include <QSet>

namespace bioforge::age {

void CohortReadReport::add(const QString& kind, qint64 line, const QString& column, const QString& problem, const QString& value)
{
    ++counts[kind];
    ColumnTally& t = byColumn[{kind, column}];
    if (t.count++ == 0) {
        t.firstLine = line;
        t.firstProblem = problem;
    }
    if (t.kept < kMaxIssues && issues.size() < kMaxIssuesInAll) {
        issues.append({line, column, problem, kind});
        ++t.kept;
    }
    if (auto it = t.values.find(value); it != t.values.end())
        ++*it;
    else if (t.values.size() < ColumnTally::kMaxValues)
        t.values.insert(value, 1);
    else
        ++t.otherValues;
}

QList<std::pair<QString, QString>> CohortReadReport::columnWide() const
{
    QList<std::pair<QString, QString>> out;
    for (auto it = byColumn.begin(); it != byColumn.end(); ++it)
        if (it->count >= kColumnWideMinimum && 2 * it->count >= rows)
            out << it.key();
    return out;
}

QString CohortReadReport::summary() const
{
    QStringList parts;
    for (auto it = counts.begin(); it != counts.end(); ++it)
        if (it.value() > 0)
            // "missing" counts empty cells, not rows ("6941 rows; 2565 missing" read as rows)
            parts << QStringLiteral("%1 %2").arg(QString::number(it.value()), it.key() == QLatin1String("missing") ? QStringLiteral("missing values") : it.key());
    if (unreadNotUtf8 > 0) // named once among the notes; counted here (review 64)
        parts << QStringLiteral("%1 not UTF-8 in columns not read").arg(unreadNotUtf8);
    return QStringLiteral("%1 rows").arg(rows) + (parts.isEmpty() ? QString() : QStringLiteral("; ") + parts.join(QStringLiteral(", ")));
}

core::Status CohortReadReport::saveIssues(const QString& path) const
{
    core::CsvWriter validation(QLatin1Char('\t'));
    validation.writeRow({QStringLiteral("line"), QStringLiteral("column"), QStringLiteral("problem")});
    for (const TableIssue& i : issues)
        validation.writeRow({QString::number(i.line), i.column, i.problem});
    return validation.save(path);
}

QString CohortReadReport::caseAmbiguityNote(const QString& name) const
{
    const QStringList found = caseAmbiguous.value(name);
    if (found.isEmpty())
        return {};
    // "'age' (column 2)": the same name twice can only be renamed; variants can be named exactly.
    static const QRegularExpression quoted(QStringLiteral("^'(.*)' \\(column \\d+\\)$"));
    QSet<QString> names;
    for (const QString& f : found)
        names.insert(quoted.match(f).captured(1));
    if (names.size() == 1)
        return QStringLiteral(" (the header has it %1 times: %2; neither is taken: rename one of them)").arg(found.size()).arg(found.join(QStringLiteral(", ")));
    return QStringLiteral(" (the header has %1, which '%2' names alike, case and spacing aside: neither is taken; rename one, or name the "
                          "column exactly in the mapping)")
        .arg(found.join(QStringLiteral(", ")), name);
}

namespace {

QString quotedValues(const ColumnTally& t)
{
    QStringList parts;
    for (auto it = t.values.begin(); it != t.values.end(); ++it)
        parts << QStringLiteral("%1 (%2)").arg(it.key().isEmpty() ? QStringLiteral("(empty)") : QLatin1Char('\'') + it.key() + QLatin1Char('\''))
                     .arg(it.value());
    if (t.otherValues > 0)
        parts << QStringLiteral("%1 other").arg(t.otherValues);
    return parts.join(QStringLiteral(", "));
}

// The table's codes that read as male and female by their first letter (M/F, male/female,
// m/w): the mapping's "sex" to suggest; empty when the codes say nothing of it.
QString sexCodeSuggestion(const ColumnTally& t)
{
    QStringList male, female;
    for (auto it = t.values.begin(); it != t.values.end(); ++it) {
        const QString lower = it.key().toLower();
        if (lower.startsWith(QLatin1Char('m')))
            male << QLatin1Char('"') + it.key() + QLatin1Char('"');
        else if (lower.startsWith(QLatin1Char('f')) || lower.startsWith(QLatin1Char('w')))
            female << QLatin1Char('"') + it.key() + QLatin1Char('"');
    }
    if (male.isEmpty() || female.isEmpty())
        return {};
    return QStringLiteral("\"male\": [%1], \"female\": [%2]").arg(male.join(QStringLiteral(", ")), female.join(QStringLiteral(", ")));
}

} // namespace

QString describeColumnWide(const CohortReadReport& report, const std::pair<QString, QString>& kindAndColumn, const ColumnMapping& mapping)
{
    const auto& [kind, column] = kindAndColumn;
    const ColumnTally t = report.byColumn.value(kindAndColumn);
    const QString head = QStringLiteral("column '%1': %2 of %3 rows").arg(column).arg(t.count).arg(report.rows);
    const QString example = QStringLiteral("line %1: %2").arg(t.firstLine).arg(t.firstProblem);
    if (kind == QLatin1String("unknown sex")) {
        const QString suggestion = sexCodeSuggestion(t);
        return QStringLiteral("%1 have a sex code the mapping '%2' does not know: %3; it reads %4 as male and %5 as female: give a mapping whose "
                              "\"sex\" lists this table's codes%6")
            .arg(head, mapping.name, quotedValues(t), mapping.sex.yes.join(QLatin1Char('/')), mapping.sex.no.join(QLatin1Char('/')),
                 suggestion.isEmpty() ? QString() : QStringLiteral(", e.g. ") + suggestion);
    }
    if (kind == QLatin1String("unknown event code"))
        return QStringLiteral("%1 have an event code the mapping '%2' does not know: %3; it reads %4 as died and %5 as alive: give a mapping whose "
                              "\"event\" lists this table's codes (those rows count as without follow-up)")
            .arg(head, mapping.name, quotedValues(t), mapping.event.yes.join(QLatin1Char('/')), mapping.event.no.join(QLatin1Char('/')));
    if (kind == QLatin1String("not a number")) {
        static const QRegularExpression decimalComma(QStringLiteral("^[-+]?\\d+,\\d+$"));
        bool comma = false;
        for (auto it = t.values.begin(); it != t.values.end() && !comma; ++it)
            comma = decimalComma.match(it.key()).hasMatch();
        return QStringLiteral("%1 are not numbers: %2%3").arg(head, quotedValues(t),
                                                              comma ? QStringLiteral("; the column writes numbers with a decimal comma: save the "
                                                                                     "table with a decimal point (93.5, not 93,5)")
                                                                    : QString());
    }
    if (kind == QLatin1String("out of range"))
        return QStringLiteral("%1 are outside the plausible range (e.g. %2): the column's unit is likely not the one the mapping '%3' gives "
                              "for it; give the mapping the column's unit")
            .arg(head, example, mapping.name);
    if (kind == QLatin1String("impossible age"))
        return QStringLiteral("%1 have no usable age (%2; e.g. %3): check that the mapping '%4' names this table's age column and its unit "
                              "(years, months, days)")
            .arg(head, quotedValues(t), example, mapping.name);
    return QStringLiteral("%1: %2 (e.g. %3)").arg(head, kind, example);
}

QStringList columnWideProblems(const CohortReadReport& report, const ColumnMapping& mapping)
{
    QStringList out;
    for (const auto& key : report.columnWide())
        out << describeColumnWide(report, key, mapping);
    return out;
}

} // namespace bioforge::age
