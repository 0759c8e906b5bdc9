#include "age_report.h"

#include "henaw_report.h"
#include "stats/survival_stats.h"

#include "io/csv_reader.h"
#include "io/json_file.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>

#include <algorithm>
#include <cmath>
#include <tuple>
#include <utility>

namespace bioforge::age {

namespace {

QString fixed(double v, int decimals) { return std::isfinite(v) ? QString::number(v, 'f', decimals) : QStringLiteral("–"); }

// `value` with its 95 % `interval`; `former`: the names runs before the rename to "acceleration" wrote.
QString withInterval(const QJsonObject& e, const char* value, const char* interval, int decimals, std::pair<const char*, const char*> former = {})
{
    if (!e.contains(QLatin1String(value)) && former.first)
        std::tie(value, interval) = former;
    const QJsonArray i = e.value(QLatin1String(interval)).toArray();
    const double v = e.value(QLatin1String(value)).toDouble(std::nan(""));
    if (i.size() != 2 || !std::isfinite(i[0].toDouble(std::nan(""))))
        return fixed(v, decimals);
    return QStringLiteral("%1 (%2–%3)").arg(fixed(v, decimals), fixed(i[0].toDouble(), decimals), fixed(i[1].toDouble(), decimals));
}

// Chronological age and each clock column of clocks.csv (age = clock - advance).
struct ClockColumns {
    std::vector<double> age;
    QMap<QString, std::vector<double>> values, advance;
};

ClockColumns readClocks(const QString& path)
{
    ClockColumns out;
    auto reader = core::CsvReader::open(path);
    if (!reader || !(*reader)->readHeader())
        return out;
    const QStringList header = (*reader)->header();
    for (;;) {
        auto row = (*reader)->next();
        if (!row || !row->has_value())
            break;
        for (const QString& clock : {QStringLiteral("phenoage"), QStringLiteral("kdm"), QStringLiteral("phenoage_retrained"), QStringLiteral("henaw")}) {
            const int v = int(header.indexOf(clock)), a = int(header.indexOf(clock + QStringLiteral("_advance")));
            if (v < 0 || a < 0)
                continue;
            bool okV = false, okA = false;
            const double value = (**row)[v].toDouble(&okV), adv = (**row)[a].toDouble(&okA);
            if (okV && okA) {
                out.values[clock].push_back(value);
                out.advance[clock].push_back(adv);
                if (clock == QLatin1String("phenoage"))
                    out.age.push_back(value - adv);
            }
        }
    }
    return out;
}

// Mean and sample SD (n − 1) of `v`; NaN where there are too few values.
std::pair<double, double> meanAndSd(const std::vector<double>& v)
{
    const double n = double(v.size());
    if (v.empty())
        return {std::nan(""), std::nan("")};
    double sum = 0;
    for (double x : v)
        sum += x;
    const double mean = sum / n;
    double squares = 0;
    for (double x : v)
        squares += (x - mean) * (x - mean);
    return {mean, v.size() > 1 ? std::sqrt(squares / (n - 1)) : std::nan("")};
}

// The figures a reader quotes, each clock's, from clocks.csv (the report held plots alone: trial 21).
core::ReportTable clockFigures(const ClockColumns& columns)
{
    core::ReportTable table{QStringLiteral("Each clock on these people (years; acceleration = the clock minus chronological age; SD with n − 1; r: Pearson's)"),
                            {QStringLiteral("clock"), QStringLiteral("people with a value"), QStringLiteral("mean"), QStringLiteral("SD"),
                             QStringLiteral("mean acceleration"), QStringLiteral("SD of acceleration"), QStringLiteral("r with chronological age")},
                            {}};
    for (auto it = columns.values.begin(); it != columns.values.end(); ++it) {
        const std::vector<double>& values = it.value();
        const std::vector<double> acceleration = columns.advance.value(it.key());
        std::vector<double> age(values.size());
        for (size_t i = 0; i < age.size(); ++i)
            age[i] = values[i] - acceleration[i];
        const auto [mean, sd] = meanAndSd(values);
        const auto [meanAcceleration, sdAcceleration] = meanAndSd(acceleration);
        table.rows.append({it.key(), QString::number(values.size()), fixed(mean, 2), fixed(sd, 2), fixed(meanAcceleration, 2), fixed(sdAcceleration, 2),
                           fixed(values.size() > 2 ? pearsonCorrelation(age, values) : std::nan(""), 3)});
    }
    return table;
}

// The first `count` rows of clocks.csv, each fraction to 2 decimals (13 digits broke across lines
// in the PDF's narrow cells, "4." above "555140601719 941": trial 22); ids and counts as written.
core::ReportTable firstPeople(const QString& path, int count)
{
    core::ReportTable table{QStringLiteral("The first %1 people (years to 2 decimals; all of them, in full, in clocks.csv)").arg(count), {}, {}};
    auto reader = core::CsvReader::open(path);
    if (!reader || !(*reader)->readHeader())
        return table;
    table.header = (*reader)->header();
    while (table.rows.size() < count) {
        auto row = (*reader)->next();
        if (!row || !row->has_value())
            break;
        QStringList cells = **row;
        for (qsizetype c = 1; c < cells.size(); ++c) { // the first column is the person's id, as written (review 66 R66-19)
            bool number = false;
            const double value = cells[c].toDouble(&number);
            if (number && cells[c].contains(QLatin1Char('.')))
                cells[c] = fixed(value, 2);
        }
        table.rows.append(cells);
    }
    if (table.rows.size() < count)
        table.caption = QStringLiteral("Every person (years to 2 decimals; in full in clocks.csv)");
    return table;
}

} // namespace

core::Expected<core::ReportContent> ageReport(const QString& runDir, const QString& verb, const QString& title)
{
    if (verb == QLatin1String("train"))
        return henawTrainReport(runDir, title);
    if (verb == QLatin1String("predict"))
        return henawPredictReport(runDir, title);
    const QDir dir(runDir);
    auto summary = core::readJsonObjectFile(dir.filePath(QStringLiteral("summary.json")));
    if (!summary)
        return summary.error();
    const QJsonObject& s = *summary;
    core::ReportContent report;
    report.title = title.isEmpty() ? QStringLiteral("Biological age") : title;
    const QJsonObject clocks = s.value(QLatin1String("clocks")).toObject();
    QStringList computed;
    const qint64 henawFilled = s.value(QLatin1String("henaw_imputed")).toObject().value(QLatin1String("rows")).toInteger();
    for (auto it = clocks.begin(); it != clocks.end(); ++it)
        computed << QStringLiteral("%1 for %2").arg(it.key(), QString::number(it.value().toObject().value(QLatin1String("computed")).toInt()))
                        + (it.key() == QLatin1String("henaw") && henawFilled > 0
                               ? QStringLiteral(" (%1 of them with markers set to the training mean)").arg(henawFilled)
                               : QString());
    report.summary = QStringLiteral("%1 people from %2 (mapping %3): %4. %5")
                         .arg(s.value(QLatin1String("rows")).toInt())
                         .arg(QDir(s.value(QLatin1String("table")).toString()).dirName(), s.value(QLatin1String("mapping")).toString(), computed.join(QStringLiteral(", ")),
                              s.value(QLatin1String("settings")).toString());

    core::ReportSection input{QStringLiteral("Input and validation"), {}, {}, {}};
    const QJsonObject validation = s.value(QLatin1String("validation")).toObject();
    // validation.tsv lists the cells that are wrong (not numbers, out of range, ragged rows): pointed at
    // when it lists one (a line past its header). An empty cell is no problem of the file: missing
    // values are counted by marker here instead.
    QFile problems(dir.filePath(QStringLiteral("validation.tsv")));
    const bool listed = problems.open(QIODevice::ReadOnly) && !problems.readLine().isEmpty() && !problems.readLine().trimmed().isEmpty();
    input.paragraphs << validation.value(QLatin1String("summary")).toString()
                            + (listed ? QStringLiteral(" (every problem by line and column in validation.tsv).") : QStringLiteral("."));
    if (const QString filled = henawImputedText(s.value(QLatin1String("henaw_imputed")).toObject()); !filled.isEmpty())
        input.paragraphs << filled;
    const QJsonObject missing = validation.value(QLatin1String("missing_by_marker")).toObject();
    core::ReportTable empty{QStringLiteral("Missing values by marker (an empty cell, or no value for the row)"),
                            {QStringLiteral("marker"), QStringLiteral("rows without it"), QStringLiteral("share")}, {}};
    const double rows = s.value(QLatin1String("rows")).toDouble();
    for (auto it = missing.begin(); it != missing.end(); ++it)
        if (it.value().toInt() > 0)
            empty.rows.append({it.key(), QString::number(it.value().toInt()),
                               rows > 0 ? QStringLiteral("%1 %").arg(100.0 * it.value().toDouble() / rows, 0, 'f', 1) : QString()});
    std::sort(empty.rows.begin(), empty.rows.end(), [](const QStringList& a, const QStringList& b) { return a[1].toInt() > b[1].toInt(); });
    QStringList absent;
    for (const QJsonValue& m : validation.value(QLatin1String("absent_markers")).toArray())
        absent << m.toString();
    if (!absent.isEmpty())
        input.paragraphs << QStringLiteral("Mapped but absent from the table: %1.").arg(absent.join(QStringLiteral(", ")));
    core::ReportTable why{QStringLiteral("Rows without a value, by clock and reason (each row in clock_notes.tsv)"), {QStringLiteral("clock"), QStringLiteral("reason"), QStringLiteral("rows")}, {}};
    for (auto it = clocks.begin(); it != clocks.end(); ++it) {
        const QJsonObject reasons = it.value().toObject().value(QLatin1String("not_computed")).toObject();
        for (auto r = reasons.begin(); r != reasons.end(); ++r)
            why.rows.append({it.key(), r.key(), QString::number(r.value().toInt())});
    }
    if (!empty.rows.isEmpty())
        input.tables.append(empty);
    if (!why.rows.isEmpty())
        input.tables.append(why);
    report.sections.append(input);

    const ClockColumns columns = readClocks(dir.filePath(QStringLiteral("clocks.csv")));
    core::ReportSection ages{QStringLiteral("Biological against chronological age"), {}, {}, {}};
    if (!columns.values.isEmpty()) {
        ages.tables.append(clockFigures(columns));
        ages.tables.append(firstPeople(dir.filePath(QStringLiteral("clocks.csv")), 20));
    }
    for (auto it = columns.values.begin(); it != columns.values.end(); ++it) {
        core::ReportPlot scatter;
        scatter.kind = core::ReportPlot::Kind::Scatter;
        scatter.caption = QStringLiteral("%1 against chronological age (people on the dashed diagonal age as their years say)").arg(it.key());
        scatter.identity = true;
        scatter.xLabel = QStringLiteral("chronological age (years)");
        scatter.yLabel = QStringLiteral("%1 (years)").arg(it.key());
        std::vector<double> age(it.value().size());
        for (size_t i = 0; i < age.size(); ++i)
            age[i] = it.value()[i] - columns.advance.value(it.key())[i];
        scatter.series.append({it.key(), age, it.value()});
        ages.plots.append(scatter);
        core::ReportPlot histogram;
        histogram.kind = core::ReportPlot::Kind::Histogram;
        histogram.caption = QStringLiteral("%1 acceleration (clock minus chronological age)").arg(it.key());
        histogram.xLabel = QStringLiteral("years");
        histogram.series.append({it.key(), columns.advance.value(it.key()), {}});
        ages.plots.append(histogram);
    }
    report.sections.append(ages);

    if (verb == QLatin1String("evaluate")) {
        core::ReportSection comparison{QStringLiteral("Against mortality"), {}, {}, {}};
        comparison.paragraphs << QStringLiteral("On the same people for every clock (those with follow-up and a value of each): Harrell's C-index of the clock and of its acceleration as mortality risk "
                                                "(95 % percentile bootstrap intervals; acceleration = the residual of the clock on chronological age), and the hazard ratio per year of acceleration (per SD for HD) from a Cox model "
                                                "adjusted for age and sex (Wald 95 % interval). Chronological age is the baseline every clock must beat.");
        core::ReportTable table{QStringLiteral("Side by side"),
                                {QStringLiteral("clock"), QStringLiteral("people"), QStringLiteral("deaths"), QStringLiteral("r with age"), QStringLiteral("C-index"),
                                 QStringLiteral("C-index of acceleration"), QStringLiteral("HR per unit of acceleration"), QStringLiteral("note")},
                                {}};
        for (const QJsonValue& v : s.value(QLatin1String("evaluation")).toArray()) {
            const QJsonObject e = v.toObject();
            if (e.value(QLatin1String("rows")).toInt() < 10) { // the clock has (almost) no value on this table
                const bool inSample = e.value(QLatin1String("note")).toString().startsWith(QLatin1String("in-sample"));
            table.rows.append({e.value(QLatin1String("clock")).toString() + (inSample ? QStringLiteral(" (in-sample: its training table)") : QString()),
                               QString::number(e.value(QLatin1String("rows")).toInt()), QStringLiteral("–"),
                                   e.value(QLatin1String("note")).toString(), QStringLiteral("–"), QStringLiteral("–"), QStringLiteral("–"), QString()});
                continue;
            }
            table.rows.append({e.value(QLatin1String("clock")).toString(), QString::number(e.value(QLatin1String("rows")).toInt()),
                               QString::number(e.value(QLatin1String("deaths")).toInt()), fixed(e.value(QLatin1String("correlation_with_age")).toDouble(std::nan("")), 3),
                               withInterval(e, "c_index", "c_index_95", 3), withInterval(e, "c_index_acceleration", "c_index_acceleration_95", 3, {"c_index_advance", "c_index_advance_95"}),
                               withInterval(e, "hazard_ratio_per_unit_acceleration", "hazard_ratio_95", 3, {"hazard_ratio_per_unit_advance", "hazard_ratio_95"}),
                               e.value(QLatin1String("note")).toString()}); // why a figure is missing, or the Cox model's covariates
            const QJsonArray quartiles = e.value(QLatin1String("km_by_advance_quartile")).toArray();
            if (quartiles.size() != 4 || e.value(QLatin1String("clock")).toString() == QLatin1String("chronological age"))
                continue;
            core::ReportPlot km;
            km.kind = core::ReportPlot::Kind::Line;
            km.caption = e.value(QLatin1String("quartiles_of")).toString() == QLatin1String("value")
                ? QStringLiteral("Kaplan-Meier survival by quartile of %1 (Q1 lowest)").arg(e.value(QLatin1String("clock")).toString())
                : QStringLiteral("Kaplan-Meier survival by quartile of %1 acceleration (Q1 youngest for their age)").arg(e.value(QLatin1String("clock")).toString());
            km.xLabel = QStringLiteral("months of follow-up");
            km.yLabel = QStringLiteral("surviving");
            for (int q = 0; q < 4; ++q) {
                const QJsonObject curve = quartiles[q].toObject();
                core::PlotSeries series{QStringLiteral("Q%1").arg(q + 1), {}, {}};
                for (const QJsonValue& t : curve.value(QLatin1String("time_months")).toArray())
                    series.x.push_back(t.toDouble());
                for (const QJsonValue& y : curve.value(QLatin1String("survival")).toArray())
                    series.y.push_back(y.toDouble());
                km.series.append(series);
            }
            comparison.plots.append(km);
        }
        comparison.tables.prepend(table);
        report.sections.insert(0, comparison);
    }
    return report;
}

} // namespace bioforge::age
