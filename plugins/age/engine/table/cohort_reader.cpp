#include "table/cohort_reader.h"

#include "io/csv_reader.h"
#include "io/table_values.h"
#include "util/short_list.h"

#include <QHash>
#include <QSet>
#include <QRegularExpression>

#include <memory>
#include <unordered_map>

#include <algorithm>
#include <cmath>

namespace bioforge::age {

using core::Error;

namespace {

bool isMissingText(const QString& t) { return core::isMissingValueText(t); }

// A header name as a person sees it: no-break, thin and other spaces as one space, zero-width
// characters dropped, the ends trimmed (a lab system's "Albumin\u00a0(g/dL)" is "Albumin (g/dL)").
QString seenAs(const QString& name) { return core::withoutZeroWidth(name).simplified(); } // simplified(): every space, no-break ones too

// The column the mapping names: spelt as the mapping spells it, else the one column whose name
// differs only in case or spacing (an export that upper-cases its header: AGE_YEARS for
// age_years; a no-break space). A name matched by two columns alike (written twice, or two case
// variants) is ambiguous and neither is taken (recorded in the report, for the message).
int columnOf(const QStringList& header, const QString& name, CohortReadReport& report)
{
    if (name.isEmpty())
        return -1;
    const auto ambiguous = [&](const QList<int>& columns) {
        QStringList found;
        for (const int i : columns)
            found << QStringLiteral("'%1' (column %2)").arg(header[i]).arg(i + 1);
        report.caseAmbiguous.insert(name, found);
        return -1;
    };
    QList<int> exact, alike;
    for (int i = 0; i < int(header.size()); ++i) {
        if (header[i] == name)
            exact << i;
        else if (seenAs(header[i]).compare(seenAs(name), Qt::CaseInsensitive) == 0)
            alike << i;
    }
    if (exact.size() == 1)
        return exact.front();
    if (exact.size() > 1)
        return ambiguous(exact);
    if (alike.size() > 1)
        return ambiguous(alike);
    return alike.isEmpty() ? -1 : alike.front();
}

// The unit a column's name gives at its end ("CRP (mg/L)", "albumin [g/dL]") where it is one the
// marker accepts and converts otherwise than the mapping's unit does; empty where the name gives
// none, or the same.
QString unitInName(const QString& name, const BiomarkerSpec* spec, const UnitConversion& mapped)
{
    static const QRegularExpression atEnd(QStringLiteral("[(\\[]\\s*([^()\\[\\]]+?)\\s*[)\\]]\\s*$"));
    const QRegularExpressionMatch m = atEnd.match(seenAs(name));
    if (!spec || !m.hasMatch())
        return {};
    const QString said = m.captured(1);
    const auto conversion = spec->conversionFrom(said);
    if (!conversion)
        return {};
    const bool same = std::abs(conversion->factor - mapped.factor) <= 1e-12 * std::abs(mapped.factor) && std::abs(conversion->offset - mapped.offset) <= 1e-12;
    return same ? QString() : said;
}

} // namespace

struct CohortStream::Impl {
    QString path;
    ColumnMapping mapping;
    CohortReadOptions options;
    CohortReadReport* report = nullptr;
    std::unique_ptr<core::CsvReader> reader;
    int idCol = -1, ageCol = -1, sexCol = -1, pregCol = -1, followCol = -1, eventCol = -1;
    struct Reading {
        QString name;
        int column;
        MarkerColumn mapping;
        const BiomarkerSpec* spec;
    };
    std::vector<Reading> readings;
    QStringList markerNames;
    // Ids are remembered as 64-bit hashes (with their line) to find repeats: ~60 bytes a person
    // in the map (measured: docs/performance.md), not the text.
    std::unordered_map<quint64, qint64> seenIds;
    QSet<int> usedColumns; // the header's columns the mapping reads
    CohortReadReport own; // when the caller keeps no report

    void readRow(const QStringList& f, qint64 line, Cohort& c);
};

CohortStream::CohortStream() : d(std::make_unique<Impl>()) {}
CohortStream::~CohortStream() = default;
CohortStream::CohortStream(CohortStream&&) noexcept = default;

core::Expected<CohortStream> CohortStream::open(const QString& path, const ColumnMapping& mapping, const BiomarkerSchema& schema, CohortReadReport* report,
                                                const CohortReadOptions& options)
{
    CohortStream s;
    Impl& d = *s.d;
    d.path = path;
    d.mapping = mapping;
    d.options = options;
    d.report = report ? report : &d.own;
    auto reader = core::CsvReader::open(path);
    if (!reader)
        return reader.error();
    // A byte that is not UTF-8 (a Windows-1252 "fumé") costs the value it falls in, said per row and
    // column, and nothing in a column the mapping does not read (it failed the whole table: trial 20).
    (*reader)->allowInvalidUtf8(true);
    if (core::Status st = (*reader)->readHeader(); !st)
        return st.error();
    // A header name with such a byte matches no mapping's name: said with the errors below too.
    const QString headerEncoding = (*reader)->rowEncodingProblem().isEmpty()
                                       ? QString()
                                       : QStringLiteral("the header holds a byte that is not valid UTF-8 (%1; the file is not UTF-8 text: saved as "
                                                        "Windows-1252?): a column named with it is read under a name holding U+FFFD; save the file as UTF-8")
                                             .arg((*reader)->rowEncodingProblem());
    if (!headerEncoding.isEmpty())
        d.report->notes << headerEncoding;
    const QString encodingNote = headerEncoding.isEmpty() ? QString() : QStringLiteral(" (%1)").arg(headerEncoding);
    d.reader = std::move(*reader);
    d.reader->allowRaggedRows(true); // reported per row (readRow), the other rows read on
    const QStringList header = d.reader->header();
    d.idCol = columnOf(header, mapping.idColumn, *d.report);
    d.ageCol = columnOf(header, mapping.ageColumn, *d.report);
    d.sexCol = columnOf(header, mapping.sex.column, *d.report);
    d.pregCol = columnOf(header, mapping.pregnant.column, *d.report);
    d.followCol = columnOf(header, mapping.followupColumn, *d.report);
    d.eventCol = columnOf(header, mapping.event.column, *d.report);
    for (const int c : {d.idCol, d.ageCol, d.sexCol, d.pregCol, d.followCol, d.eventCol})
        if (c >= 0)
            d.usedColumns.insert(c);
    // A table the mapping does not fit is Invalid: a resume reads the same pinned table with the same
    // mapping (a run's failure on it needs a new run: trial 23 T23-17).
    // A table without its header line: its first row was taken for one, and "the header has: 61,
    // 43, 63.6, …" said nothing of why (trial 24 T24-8).
    const QChar delimiter = d.reader->delimiter();
    const auto numeric = std::count_if(header.begin(), header.end(), [delimiter](const QString& h) { return core::parseTableNumber(h.trimmed(), delimiter).has_value(); });
    if (d.ageCol < 0 && header.size() >= 2 && numeric * 2 > header.size())
        return Error(QStringLiteral("%1: its first line holds numbers (%2 of its %3 fields: %4), not column names: the table seems to have no header "
                                    "line; add one naming the columns as the mapping '%5' reads them (age: '%6')")
                         .arg(path, QString::number(numeric), QString::number(header.size()), core::shortList(header, QStringLiteral(", "), 5),
                              mapping.name, mapping.ageColumn),
                     Error::Kind::Invalid);
    if (d.ageCol < 0)
        return Error(QStringLiteral("%1: no column '%2' (chronological age, as the mapping '%3' says)%4; the header has: %5%6")
                         .arg(path, mapping.ageColumn, mapping.name, d.report->caseAmbiguityNote(mapping.ageColumn), header.join(QStringLiteral(", ")),
                              encodingNote),
                     Error::Kind::Invalid);
    if (!mapping.idColumn.isEmpty() && d.idCol < 0)
        return Error(QStringLiteral("%1: no id column '%2' (mapping '%3')%4%5").arg(path, mapping.idColumn, mapping.name, d.report->caseAmbiguityNote(mapping.idColumn), encodingNote),
                     Error::Kind::Invalid);
    if (!mapping.sex.column.isEmpty() && d.sexCol < 0)
        return Error(QStringLiteral("%1: no sex column '%2' (mapping '%3')%4%5").arg(path, mapping.sex.column, mapping.name, d.report->caseAmbiguityNote(mapping.sex.column), encodingNote),
                     Error::Kind::Invalid);
    for (auto it = mapping.biomarkers.begin(); it != mapping.biomarkers.end(); ++it) {
        if (!options.markers.isEmpty() && !options.markers.contains(it.key()))
            continue;
        const int column = columnOf(header, it->column, *d.report);
        if (column < 0) {
            d.report->absentMarkers << it.key();
            continue;
        }
        d.readings.push_back({it.key(), column, *it, schema.find(it.key())});
        d.usedColumns.insert(column);
        d.markerNames << it.key();
        if (const QString said = unitInName(header[column], d.readings.back().spec, it->toCanonical); !said.isEmpty())
            d.report->notes << QStringLiteral("column '%1' says %2 in its name, but the mapping '%3' reads %4 in %5: if the name is right, every value "
                                              "of it is converted wrongly (give \"unit\": \"%2\" in the mapping)")
                                   .arg(header[column], said, mapping.name, it.key(), it->unit);
    }
    return s;
}

core::Expected<bool> CohortStream::next(Cohort& chunk, qsizetype maxRows)
{
    chunk = Cohort();
    chunk.source = d->path;
    chunk.markerNames = d->markerNames;
    chunk.markers.resize(d->readings.size());
    CohortReadReport& r = *d->report;
    while (chunk.rows() < maxRows) {
        auto row = d->reader->next();
        if (!row)
            return row.error();
        if (!row->has_value())
            break;
        // A spreadsheet exports its blank rows as ",,,,": not a person, and not three problems of one.
        if (std::all_of((*row)->begin(), (*row)->end(), [](const QString& f) { return f.trimmed().isEmpty(); })) {
            if (r.counts.value(QStringLiteral("empty row")) == 0) // named once (an export may end in thousands), counted each
                r.add(QStringLiteral("empty row"), d->reader->rowLine(), QStringLiteral("*"),
                      QStringLiteral("every field is empty (a spreadsheet's blank row): skipped, not a person; so are the table's other empty rows"));
            else
                ++r.counts[QStringLiteral("empty row")];
            continue;
        }
        ++r.rows;
        if (d->options.progress && r.rows % 4096 == 0 && !d->options.progress(r.rows))
            return Error(QStringLiteral("%1: reading stopped").arg(d->path));
        d->readRow(**row, d->reader->rowLine(), chunk);
    }
    return chunk.rows() > 0;
}

qint64 CohortStream::bytesRead() const { return d->reader->bytesRead(); }
qint64 CohortStream::fileSize() const { return d->reader->fileSize(); }

void CohortStream::Impl::readRow(const QStringList& given, qint64 line, Cohort& c)
{
    CohortReadReport& r = *report;
    // A row of another width than the header's (a field lost or added by hand): its values cannot
    // be matched to columns, so none is used; it keeps its place, and its id where the id column
    // is within it, so that every input row still has its row in the outputs.
    const qsizetype width = reader->header().size();
    QStringList blank;
    const bool ragged = given.size() != width; // said once: no follow-on message for its blank values
    if (ragged) {
        r.add(QStringLiteral("wrong number of fields"), line, QStringLiteral("*"),
              QStringLiteral("expected %1 fields as in the header, found %2: none of the row's values is used")
                      .arg(QString::number(width), QString::number(given.size())));
        blank = QStringList(width);
        if (idCol >= 0 && idCol < given.size())
            blank[idCol] = given[idCol];
    }
    const QStringList& f = ragged ? blank : given;
    c.lines.push_back(line);
    c.unread.push_back(ragged ? 1 : 0);
    // Bytes that are not UTF-8 in this row: the fields they fall in (U+FFFD) are named where read,
    // and said once for the columns the mapping does not read.
    const QString encoding = reader->rowEncodingProblem();
    const auto notUtf8 = [&](const QString& text) { return !encoding.isEmpty() && text.contains(QChar::ReplacementCharacter); };
    const auto sayNotUtf8 = [&](const QString& column, const QString& text, const QString& fate = QStringLiteral("not used")) {
        r.add(QStringLiteral("not UTF-8"), line, column,
              QStringLiteral("'%1' holds a byte that is not valid UTF-8 (the line's first: %2; the file is not UTF-8 text: saved as Windows-1252?): "
                             "%3; save the file as UTF-8")
                  .arg(text.left(40), encoding, fate),
              text.left(40));
    };
    if (!encoding.isEmpty() && !ragged)
        for (int i = 0; i < int(f.size()); ++i)
            if (!usedColumns.contains(i) && f[i].contains(QChar::ReplacementCharacter) && !r.unreadNotUtf8++)
                r.notes << QStringLiteral("line %1, column %2: a byte that is not valid UTF-8 (the line's first: %3) in a column the mapping does not read: ignored, "
                                          "as are others like it (save the file as UTF-8)")
                               .arg(QString::number(line), reader->header().value(i), encoding);
    const QString id = idCol >= 0 ? f[idCol].trimmed() : QString::number(line);
    if (idCol >= 0 && notUtf8(id))
        sayNotUtf8(mapping.idColumn, id, QStringLiteral("kept with U+FFFD for the byte (ids that differ only there read as one)"));
    if (idCol >= 0) {
        const quint64 key = qHash(id, 0x6167652d6964ULL) ^ (quint64(qHash(id, 17)) << 32);
        if (id.isEmpty()) {
            if (!ragged)
                r.add(QStringLiteral("missing id"), line, mapping.idColumn, QStringLiteral("no id"));
        } else if (auto seen = seenIds.find(key); seen != seenIds.end())
            r.add(QStringLiteral("duplicate id"), line, mapping.idColumn,
                  QStringLiteral("id '%1' was already used on line %2; both rows are kept").arg(id, QString::number(seen->second)));
        else
            seenIds.emplace(key, line);
    }
    c.ids << id;

    auto number = [&](int column, const QString& name, bool* missing) -> double {
        const QString text = f[column].trimmed();
        *missing = isMissingText(text);
        if (*missing)
            return std::nan("");
        if (notUtf8(text)) {
            sayNotUtf8(name, text);
            return std::nan("");
        }
        bool comma = false;
        const std::optional<double> parsed = core::parseTableNumber(text, reader->delimiter(), &comma);
        const double v = parsed.value_or(std::nan(""));
        if (comma && !r.decimalCommas++) // said once: a European spreadsheet's CSV writes every number so
            r.notes << QStringLiteral("the table is separated by semicolons and writes numbers with a decimal comma (line %1, column %2: '%3'): "
                                      "read as decimal points, as R's read.csv2 reads it")
                           .arg(QString::number(line), name, text.left(40));
        if (!std::isfinite(v)) {
            // A European spreadsheet's "93,5" (or a thousands separator, "1,200"): said, since every
            // value of such a table fails alike.
            // A value below or above a limit of detection ("<0.2"), and a unit written in the cell
            // ("5.1 mmol/L"), the commonest text in a lab export, are said as such (trial 24 T24-8).
            static const QRegularExpression decimalComma(QStringLiteral("^[-+]?\\d+,\\d+$"));
            static const QRegularExpression censored(QStringLiteral("^\\s*[<>]=?\\s*[-+]?\\d"));
            static const QRegularExpression withUnit(QStringLiteral("^\\s*[-+]?\\d+([.,]\\d+)?\\s*[^\\d\\s.,]"));
            const QString hint = decimalComma.match(text).hasMatch()
                                     ? QStringLiteral(" (a comma in a number: write a decimal point, 93.5 not 93,5, and no thousands separator)")
                                 : censored.match(text).hasMatch()
                                     ? QStringLiteral(" (a value beyond a limit of detection: give a number for it, such as half the limit, or leave "
                                                      "the cell empty; the row is read without it)")
                                 : withUnit.match(text).hasMatch()
                                     ? QStringLiteral(" (a unit in the cell: give the number alone; the mapping says the column's unit)")
                                     : QString();
            r.add(QStringLiteral("not a number"), line, name, QStringLiteral("'%1' is not a number%2").arg(text.left(40), hint), text.left(40));
            return std::nan("");
        }
        return v;
    };
    bool missing = false;
    double age = number(ageCol, mapping.ageColumn, &missing) * mapping.ageToYears;
    if (missing && !ragged)
        r.add(QStringLiteral("impossible age"), line, mapping.ageColumn, QStringLiteral("no age"));
    else if (std::isfinite(age) && (age < 0 || age > 130)) {
        r.add(QStringLiteral("impossible age"), line, mapping.ageColumn, QStringLiteral("age %1 is not between 0 and 130 years").arg(age),
              f[ageCol].trimmed().left(40));
        age = std::nan("");
    }
    c.age.push_back(age);

    Sex sex = Sex::Unknown;
    if (sexCol >= 0) {
        const QString code = f[sexCol].trimmed();
        const int side = mapping.sex.side(code); // as written, else in any case where one side fits ("f" for F)
        if (side == 1)
            sex = Sex::Male;
        else if (side == 0)
            sex = Sex::Female;
        else if (!ragged && notUtf8(code))
            sayNotUtf8(mapping.sex.column, code);
        else if (!ragged && isMissingText(code))
            r.add(QStringLiteral("unknown sex"), line, mapping.sex.column, QStringLiteral("no sex given ('%1')").arg(code), code.left(40));
        else if (!ragged)
            r.add(QStringLiteral("unknown sex"), line, mapping.sex.column,
                  QStringLiteral("'%1' is neither a male (%2) nor a female (%3) code").arg(code, mapping.sex.yes.join(QLatin1Char('/')), mapping.sex.no.join(QLatin1Char('/'))),
                  code.left(40));
    }
    c.sex.push_back(sex);

    auto codedValue = [&](int column, const CodedColumn& coding) {
        if (column < 0)
            return -1;
        const QString code = f[column].trimmed();
        const int side = coding.side(code);
        return side >= 0 ? side : coding.no.isEmpty() && !isMissingText(code) ? 0 : -1;
    };
    // A pregnancy code the mapping does not know is said, and kept apart from a blank cell (-2): KDM
    // trains on everyone only where no row records a status at all (clocks/kdm.h).
    int pregnant = codedValue(pregCol, mapping.pregnant);
    if (pregCol >= 0 && pregnant < 0 && !isMissingText(f[pregCol].trimmed()) && !ragged) {
        const QString code = f[pregCol].trimmed();
        r.add(QStringLiteral("unknown pregnancy code"), line, mapping.pregnant.column,
              QStringLiteral("'%1' is neither a pregnant (%2) nor a not-pregnant (%3) code").arg(code, mapping.pregnant.yes.join(QLatin1Char('/')),
                                                                                                 mapping.pregnant.no.join(QLatin1Char('/'))),
              code.left(40));
        pregnant = -2;
    }
    c.pregnant.push_back(pregnant);
    // So is an event code: it left the row out of the evaluation without a word (trial 23 T23-12).
    const int event = codedValue(eventCol, mapping.event);
    if (eventCol >= 0 && event < 0 && !isMissingText(f[eventCol].trimmed()) && !ragged) {
        const QString code = f[eventCol].trimmed();
        r.add(QStringLiteral("unknown event code"), line, mapping.event.column,
              QStringLiteral("'%1' is neither a death (%2) nor an alive (%3) code").arg(code, mapping.event.yes.join(QLatin1Char('/')), mapping.event.no.join(QLatin1Char('/'))),
              code.left(40));
    }
    c.event.push_back(event);
    double follow = std::nan("");
    if (followCol >= 0) {
        follow = number(followCol, mapping.followupColumn, &missing) * mapping.followupToMonths;
        if (std::isfinite(follow) && follow < 0) {
            r.add(QStringLiteral("out of range"), line, mapping.followupColumn, QStringLiteral("follow-up %1 is negative").arg(follow));
            follow = std::nan("");
        }
    }
    c.followupMonths.push_back(follow);

    for (size_t m = 0; m < readings.size(); ++m) {
        const Reading& rd = readings[m];
        double v = number(rd.column, rd.mapping.column, &missing);
        if (missing) {
            ++r.missingByMarker[rd.name];
            ++r.counts[QStringLiteral("missing")];
        } else if (std::isfinite(v)) {
            v = rd.mapping.toCanonical.apply(v);
            if (rd.spec && (v < rd.spec->minimum || v > rd.spec->maximum)) {
                r.add(QStringLiteral("out of range"), line, rd.mapping.column,
                      QStringLiteral("%1 %2 is outside the plausible range %3-%4 %2").arg(QString::number(v), rd.spec->unit,
                                                                                          QString::number(rd.spec->minimum),
                                                                                          QString::number(rd.spec->maximum)),
                      f[rd.column].trimmed().left(40));
                v = std::nan("");
            }
        }
        c.markers[m].push_back(v);
    }
}

} // namespace bioforge::age
