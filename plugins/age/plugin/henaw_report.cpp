#include "henaw_report.h"

#include "io/csv_reader.h"
#include "io/json_file.h"

#include <QDir>
#include <QJsonArray>
#include <QMap>

#include <algorithm>
#include <cmath>

namespace bioforge::age {

namespace {

QString fixed(double v, int decimals) { return std::isfinite(v) ? QString::number(v, 'f', decimals) : QStringLiteral("–"); }

// Columns of a CSV file by name (numbers; NaN where empty).
QMap<QString, std::vector<double>> readColumns(const QString& path, const QStringList& wanted)
{
    QMap<QString, std::vector<double>> out;
    auto reader = core::CsvReader::open(path);
    if (!reader || !(*reader)->readHeader())
        return out;
    const QStringList header = (*reader)->header();
    for (;;) {
        auto row = (*reader)->next();
        if (!row || !row->has_value())
            break;
        for (const QString& w : wanted) {
            const int i = int(header.indexOf(w));
            bool ok = false;
            const double v = i >= 0 ? (**row)[i].toDouble(&ok) : std::nan("");
            out[w].push_back(ok ? v : std::nan(""));
        }
    }
    return out;
}

// A figure of summary.json by its name, or by the name runs before it had (c_index_advance).
double figure(const QJsonObject& o, const char* key, const char* formerKey = nullptr)
{
    const QJsonValue v = o.contains(QLatin1String(key)) || !formerKey ? o.value(QLatin1String(key)) : o.value(QLatin1String(formerKey));
    return v.toDouble(std::nan(""));
}

core::ReportSection testSection(const QJsonObject& test, const QString& heading, const QString& tableTitle)
{
    core::ReportSection s{heading, {}, {}, {}};
    s.tables.append({tableTitle, {QStringLiteral("figure"), QStringLiteral("value")},
                     {{QStringLiteral("people"), QString::number(test.value(QLatin1String("rows")).toInt())},
                      {QStringLiteral("mean absolute difference from chronological age (years)"), fixed(figure(test, "age_mae_years"), 2)},
                      {QStringLiteral("SD of chronological age (years; the difference to compare it with)"), fixed(figure(test, "age_sd_years"), 2)},
                      {QStringLiteral("correlation with chronological age"), fixed(test.value(QLatin1String("correlation_with_age")).toDouble(std::nan("")), 3)},
                      {QStringLiteral("C-index of the mortality head"), fixed(test.value(QLatin1String("c_index_mortality_head")).toDouble(std::nan("")), 3)},
                      {QStringLiteral("C-index of the acceleration (residual on chronological age)"), fixed(figure(test, "c_index_acceleration", "c_index_advance"), 3)}}});
    core::ReportPlot calibration;
    calibration.kind = core::ReportPlot::Kind::Line;
    calibration.caption = QStringLiteral("Calibration of the uncertainty: the share of people inside their 50, 80 and 95 % intervals (on the diagonal: as stated)");
    calibration.xLabel = QStringLiteral("nominal coverage");
    calibration.yLabel = QStringLiteral("observed coverage");
    core::PlotSeries observed{QStringLiteral("HENAW"), {}, {}}, ideal{QStringLiteral("as stated"), {0, 1}, {0, 1}};
    for (const QJsonValue& v : test.value(QLatin1String("interval_coverage")).toArray()) {
        observed.x.push_back(v.toObject().value(QLatin1String("nominal")).toDouble());
        observed.y.push_back(v.toObject().value(QLatin1String("observed")).toDouble());
    }
    calibration.series << ideal << observed;
    s.plots.append(calibration);
    return s;
}

} // namespace

core::Expected<core::ReportContent> henawTrainReport(const QString& runDir, const QString& title)
{
    const QDir dir(runDir);
    auto summary = core::readJsonObjectFile(dir.filePath(QStringLiteral("summary.json")));
    if (!summary)
        return summary.error();
    const QJsonObject& s = *summary;
    core::ReportContent report;
    report.title = title.isEmpty() ? QStringLiteral("HENAW training") : title;
    QStringList markers;
    for (const QJsonValue& m : s.value(QLatin1String("markers")).toArray())
        markers << m.toString();
    const QJsonObject rows = s.value(QLatin1String("rows")).toObject();
    report.summary = QStringLiteral("An ensemble of %1 HENAW networks trained on %2 of %3 people from %4 (%5 for validation, %6 held out for the test), on %7.")
                         .arg(QString::number(s.value(QLatin1String("members")).toArray().size()),
                              QString::number(rows.value(QLatin1String("train")).toInt()),
                              QString::number(rows.value(QLatin1String("table")).toInt()), QDir(s.value(QLatin1String("table")).toString()).dirName(),
                              QString::number(rows.value(QLatin1String("validation")).toInt()),
                              QString::number(rows.value(QLatin1String("test")).toInt()), markers.join(QStringLiteral(", ")));
    // The people the split left out (the three parts added up to less than the table, unexplained).
    if (const int left = rows.value(QLatin1String("table")).toInt() - rows.value(QLatin1String("usable")).toInt(rows.value(QLatin1String("table")).toInt()); left > 0)
        report.summary += QStringLiteral(" %1 people were left out: no chronological age, no sex, or fewer than half of the markers measured.").arg(left);
    report.sections.append(testSection(s.value(QLatin1String("test")).toObject(), QStringLiteral("Test split"),
                                       QStringLiteral("HENAW on people it was not trained on (the test split)")));

    core::ReportSection curves{QStringLiteral("Training"), {}, {}, {}};
    core::ReportTable members{QStringLiteral("Members"), {QStringLiteral("member"), QStringLiteral("epochs"), QStringLiteral("best epoch"), QStringLiteral("best validation loss"),
                                                          QStringLiteral("batch size"), QStringLiteral("out of memory")}, {}};
    for (const QJsonValue& v : s.value(QLatin1String("members")).toArray()) {
        const QJsonObject m = v.toObject();
        members.rows.append({QString::number(m.value(QLatin1String("member")).toInt()), QString::number(m.value(QLatin1String("epochs")).toInt()),
                             QString::number(m.value(QLatin1String("best_epoch")).toInt()), fixed(m.value(QLatin1String("best_validation_loss")).toDouble(), 4),
                             QString::number(m.value(QLatin1String("batch_size")).toInt()), QString::number(m.value(QLatin1String("out_of_memory_events")).toInt())});
    }
    curves.tables.append(members);
    const auto history = readColumns(dir.filePath(QStringLiteral("history.csv")), {QStringLiteral("member"), QStringLiteral("epoch"), QStringLiteral("validation_loss"),
                                                                                   QStringLiteral("train_loss"), QStringLiteral("validation_c_index")});
    for (const auto& [column, caption] : {std::pair{"validation_loss", "Validation loss by epoch, per member"}, {"validation_c_index", "Validation C-index of the mortality head by epoch"}}) {
        core::ReportPlot plot;
        plot.kind = core::ReportPlot::Kind::Line;
        plot.caption = QLatin1String(caption);
        plot.xLabel = QStringLiteral("epoch");
        plot.yLabel = QString::fromLatin1(column).replace(QLatin1Char('_'), QLatin1Char(' '));
        QMap<int, core::PlotSeries> byMember;
        const auto& member = history.value(QStringLiteral("member"));
        for (size_t i = 0; i < member.size(); ++i) {
            // A damaged row (no member number, or one out of int's range: casting it is undefined) is not plotted.
            if (!(member[i] >= 0 && member[i] <= 1e6))
                continue;
            core::PlotSeries& series = byMember[int(member[i])];
            series.name = QStringLiteral("member %1").arg(int(member[i]));
            series.x.push_back(history.value(QStringLiteral("epoch"))[i]);
            series.y.push_back(history.value(QLatin1String(column))[i]);
        }
        plot.series = byMember.values();
        if (!plot.series.isEmpty())
            curves.plots.append(plot);
    }
    // The configuration the ensemble was trained with: the defaults, a --config file and the command
    // line merged (the run's parameters show only what was given).
    core::ReportTable used{QStringLiteral("Configuration used"), {QStringLiteral("setting"), QStringLiteral("value")}, {}};
    const QJsonObject config = s.value(QLatin1String("config")).toObject();
    for (auto it = config.begin(); it != config.end(); ++it)
        if (!it.value().isArray() && !it.value().isObject())
            used.rows.append({it.key(), it.value().isString() ? it.value().toString() : QString::number(it.value().toDouble())});
    if (!used.rows.isEmpty())
        curves.tables.prepend(used);
    report.sections.append(curves);

    core::ReportSection weights{QStringLiteral("Biomarker weights"), {}, {}, {}};
    // A marker of two systems (wbc: inflammation and hematology) is a row under each with its one
    // weight: said, and marked, so that no reader adds a system's rows into a share (they summed to 1.128).
    QMap<QString, int> systemsOf;
    for (const QJsonValue& v : s.value(QLatin1String("marker_weights")).toArray())
        ++systemsOf[v.toObject().value(QLatin1String("marker")).toString()];
    const bool shared = std::any_of(systemsOf.begin(), systemsOf.end(), [](int n) { return n > 1; });
    weights.paragraphs << QStringLiteral("The adaptive weight of each marker (its coefficient of variation and the age the markers suggest), averaged over the test split; "
                                         "weights sum to one over the markers.")
                              + (shared ? QStringLiteral(" A marker of two systems is listed under each with its one weight (marked *): count it once.") : QString());
    core::ReportTable table{QStringLiteral("By biological system"), {QStringLiteral("system"), QStringLiteral("marker"), QStringLiteral("weight")}, {}};
    for (const QJsonValue& v : s.value(QLatin1String("marker_weights")).toArray()) {
        const QString marker = v.toObject().value(QLatin1String("marker")).toString();
        table.rows.append({v.toObject().value(QLatin1String("system")).toString(), marker + (systemsOf.value(marker) > 1 ? QStringLiteral(" *") : QString()),
                           fixed(v.toObject().value(QLatin1String("weight")).toDouble(), 4)});
    }
    weights.tables.append(table);
    report.sections.append(weights);
    return report;
}

core::Expected<core::ReportContent> henawPredictReport(const QString& runDir, const QString& title)
{
    const QDir dir(runDir);
    auto summary = core::readJsonObjectFile(dir.filePath(QStringLiteral("summary.json")));
    if (!summary)
        return summary.error();
    core::ReportContent report;
    report.title = title.isEmpty() ? QStringLiteral("HENAW biological age") : title;
    report.summary = QStringLiteral("%1 people; model %2.").arg(summary->value(QLatin1String("rows")).toInt()).arg(summary->value(QLatin1String("model")).toString());
    if (const QString filled = henawImputedText(summary->value(QLatin1String("henaw_imputed")).toObject()); !filled.isEmpty())
        report.summary += QLatin1Char(' ') + filled;
    // Only the model's own training table is known to hold its training people; any other may
    // overlap it (the same cohort under another file), so it is not called out-of-sample.
    const QJsonValue inSample = summary->value(QLatin1String("training_table"));
    report.sections.append(testSection(summary->value(QLatin1String("check")).toObject(), QStringLiteral("On this table"),
                                       inSample.toBool() ? QStringLiteral("HENAW on the table it was trained on: in-sample, optimistic (most of these people trained it)")
                                       : inSample.isBool() ? QStringLiteral("HENAW on this table (not the table the model was trained on)")
                                                           : QStringLiteral("HENAW on this table (whether the model was trained on it is not known: the model "
                                                                            "kept no checksum of its training table)")));
    const auto c = readColumns(dir.filePath(QStringLiteral("henaw.csv")), {QStringLiteral("henaw_age"), QStringLiteral("henaw_advance"), QStringLiteral("henaw_sd")});
    core::ReportSection ages{QStringLiteral("Biological against chronological age"), {}, {}, {}};
    core::PlotSeries scatter{QStringLiteral("people"), {}, {}};
    const auto& age = c.value(QStringLiteral("henaw_age"));
    const auto& advance = c.value(QStringLiteral("henaw_advance"));
    for (size_t i = 0; i < age.size(); ++i)
        if (std::isfinite(age[i]) && std::isfinite(advance[i])) {
            scatter.x.push_back(age[i] - advance[i]);
            scatter.y.push_back(age[i]);
        }
    ages.plots.append({core::ReportPlot::Kind::Scatter, QStringLiteral("HENAW against chronological age"), QStringLiteral("chronological age (years)"),
                       QStringLiteral("HENAW (years)"), {scatter}, 30});
    ages.plots.append({core::ReportPlot::Kind::Histogram, QStringLiteral("Each person's predictive SD"), QStringLiteral("years"), QString(),
                       {{QStringLiteral("SD"), c.value(QStringLiteral("henaw_sd")), {}}}, 30});
    report.sections.append(ages);
    return report;
}

QString henawImputedText(const QJsonObject& imputed)
{
    if (!imputed.contains(QLatin1String("values")))
        return {};
    const qint64 values = imputed.value(QLatin1String("values")).toInteger(), people = imputed.value(QLatin1String("rows")).toInteger();
    if (values == 0)
        return QStringLiteral("HENAW set no value to a training mean: everyone with a HENAW value has each of its markers measured.");
    // The markers by how many values they lacked, most first.
    const QJsonObject byMarker = imputed.value(QLatin1String("by_marker")).toObject();
    QList<std::pair<qint64, QString>> counts;
    for (auto it = byMarker.begin(); it != byMarker.end(); ++it)
        counts.append({it.value().toInteger(), it.key()});
    std::sort(counts.begin(), counts.end(), [](const auto& a, const auto& b) { return a.first != b.first ? a.first > b.first : a.second < b.second; });
    QStringList markers;
    for (const auto& [n, marker] : counts)
        markers << QStringLiteral("%1 %2").arg(marker).arg(n);
    // Missing here is an empty cell or a value the reader could not use (out of range, not a number:
    // validation.tsv lists those), so the count may exceed the empty cells of the table above.
    return QStringLiteral("HENAW set %1 missing marker %2 of %3 %4 to the training mean (%5; an empty cell, or a value validation.tsv lists as "
                          "unusable); people with fewer than half of its markers measured have no HENAW value.")
        .arg(values)
        .arg(values == 1 ? QStringLiteral("value") : QStringLiteral("values"))
        .arg(people)
        .arg(people == 1 ? QStringLiteral("person") : QStringLiteral("people"), markers.join(QStringLiteral(", ")));
}

} // namespace bioforge::age
