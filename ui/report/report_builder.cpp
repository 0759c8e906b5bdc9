#include "util/terminal_text.h"
#include "report/report_builder.h"

#include "cluster/cluster_state.h"
#include "io/atomic_file.h"
#include "plot/plot_factory.h"

#include <QBuffer>
#include <QJsonArray>
#include <QFileInfo>
#include <QJsonDocument>
#include <QPageSize>
#include <QDir>
#include <QPdfWriter>
#include <QSaveFile>
#include <QTextDocument>
#include <QUrl>

#include <algorithm>
#include <cmath>
#include <limits>
#include <tuple>

namespace bioforge::ui {
namespace {

// What a plot shows, in words, for the text of its image: its kind and axes, each series' number of
// values and their ranges ("Histogram of virus score: 12 values, 0.21 to 0.87").
QString describePlotData(const core::ReportPlot& plot)
{
    const auto range = [](const std::vector<double>& v) {
        double lo = std::numeric_limits<double>::infinity(), hi = -lo;
        qsizetype n = 0;
        for (double x : v)
            if (std::isfinite(x)) {
                lo = std::min(lo, x);
                hi = std::max(hi, x);
                ++n;
            }
        return std::tuple{n, lo, hi};
    };
    const auto number = [](double v) { return QString::number(v, 'g', 4); };
    QStringList parts;
    for (const core::PlotSeries& s : plot.series) {
        const auto [n, xLo, xHi] = range(s.x);
        const QString name = plot.series.size() > 1 ? s.name + QStringLiteral(": ") : QString();
        if (plot.kind == core::ReportPlot::Kind::Histogram) {
            parts << (n == 0 ? name + QStringLiteral("no values") : QStringLiteral("%1%2 values, %3 to %4").arg(name).arg(n).arg(number(xLo), number(xHi)));
            continue;
        }
        const auto [m, yLo, yHi] = range(s.y);
        parts << (std::min(n, m) == 0 ? name + QStringLiteral("no points")
                                      : QStringLiteral("%1%2 points, %3 %4 to %5, %6 %7 to %8")
                                            .arg(name)
                                            .arg(std::min(n, m))
                                            .arg(plot.xLabel, number(xLo), number(xHi), plot.yLabel, number(yLo), number(yHi)));
    }
    const QString kind = plot.kind == core::ReportPlot::Kind::Histogram ? QStringLiteral("Histogram of %1").arg(plot.xLabel)
                         : plot.kind == core::ReportPlot::Kind::Scatter ? QStringLiteral("Scatter plot of %1 against %2").arg(plot.yLabel, plot.xLabel)
                                                                         : QStringLiteral("Line plot of %1 against %2").arg(plot.yLabel, plot.xLabel);
    return kind + QStringLiteral(": ") + parts.join(QStringLiteral("; "));
}

// Text for the page: HTML-escaped, and control characters (a model's reply may hold them; XML and
// HTML refuse most) shown as their Unicode pictures, as the terminal shows them.
QString esc(const QString& s) { return core::shownOnTerminal(s).toHtmlEscaped(); }

// `codeColumns`: identifiers (checksums) in a fixed-width face on one line, so that a copy from
// the PDF is the value (a SHA-256 was broken over two lines mid-value: trial 19).
QString table(const QStringList& header, const QList<QStringList>& rows, const QString& caption = {}, const QList<int>& codeColumns = {})
{
    QString html = QStringLiteral("<table border='1' cellspacing='0' cellpadding='3' width='100%'>");
    if (!caption.isEmpty())
        html += QStringLiteral("<caption>%1</caption>").arg(esc(caption));
    html += QStringLiteral("<tr>");
    for (const QString& h : header)
        html += QStringLiteral("<th align='left'>%1</th>").arg(esc(h));
    html += QStringLiteral("</tr>");
    if (rows.isEmpty()) // a table with nothing in it says so (a failed run's outputs), not a bare header
        html += QStringLiteral("<tr><td colspan='%1'><i>none</i></td></tr>").arg(header.size());
    for (const QStringList& r : rows) {
        html += QStringLiteral("<tr>");
        for (qsizetype i = 0; i < r.size(); ++i)
            html += codeColumns.contains(int(i)) ? QStringLiteral("<td style='font-family:monospace;white-space:nowrap'>%1</td>").arg(esc(r[i]))
                                                 : QStringLiteral("<td>%1</td>").arg(esc(r[i]).replace(QLatin1Char('\n'), QStringLiteral("<br/>")));
        html += QStringLiteral("</tr>");
    }
    return html + QStringLiteral("</table>");
}

QString pngDataUri(const QImage& image)
{
    QByteArray bytes;
    QBuffer buffer(&bytes);
    buffer.open(QIODevice::WriteOnly);
    image.save(&buffer, "PNG");
    return QStringLiteral("data:image/png;base64,") + QString::fromLatin1(bytes.toBase64());
}

QString valueText(const QJsonValue& v)
{
    if (v.isString())
        return v.toString();
    // A list of names (a run's input files) as a list, not as JSON with its brackets and quotes.
    if (const QJsonArray a = v.toArray(); v.isArray() && !a.isEmpty() && std::all_of(a.begin(), a.end(), [](const QJsonValue& e) { return e.isString(); }))
        return QVariant(a.toVariantList()).toStringList().join(QStringLiteral(", "));
    if (v.isArray() || v.isObject())
        return QString::fromUtf8(QJsonDocument::fromVariant(v.toVariant()).toJson(QJsonDocument::Compact));
    if (v.isNull()) // a parameter whose default is "not given": a configuration file or the verb decides (the run's outputs say what was used)
        return QStringLiteral("(not given)");
    return v.toVariant().toString();
}

} // namespace

ReportBuilder::ReportBuilder(core::RunRecord run, core::ReportContent content)
    : m_run(std::move(run)), m_content(std::move(content))
{
    for (const core::ReportSection& section : m_content.sections)
        for (const core::ReportPlot& plot : section.plots)
            m_images.append(PlotFactory::render(plot));
}

QString ReportBuilder::warningsSection() const
{
    // Every warning the run gave (input records skipped or changed, a test model, a setting), counted; the text of the first ones.
    if (m_run.warningCount <= 0)
        return {};
    QString html = QStringLiteral("<h2>Warnings (%1)</h2><p>What the run warned of while it worked — input records it skipped or changed, and "
                                  "notes on its models and settings%2:</p><ul>")
                       .arg(QString::number(m_run.warningCount),
                            m_run.warningCount > m_run.warnings.size() ? QStringLiteral(" (the first %1 are listed)").arg(m_run.warnings.size()) : QString());
    for (const QString& w : m_run.warnings)
        html += QStringLiteral("<li>%1</li>").arg(esc(w));
    return html + QStringLiteral("</ul>");
}

QString ReportBuilder::provenanceAppendix() const
{
    QString html = QStringLiteral("<h2>Provenance</h2>");
    html += table({QStringLiteral("field"), QStringLiteral("value")},
                  {{QStringLiteral("run"), m_run.runId},
                   {QStringLiteral("plugin"), m_run.pluginId + QLatin1Char(' ') + m_run.pluginVersion},
                   {QStringLiteral("verb"), m_run.verb},
                   {QStringLiteral("state"), core::runStateName(m_run.state)},
                   {QStringLiteral("resumes run"), m_run.parentRunId.isEmpty() ? QStringLiteral("—") : m_run.parentRunId},
                   {QStringLiteral("started"), m_run.startedAt.toString(Qt::ISODate)},
                   {QStringLiteral("ended"), m_run.endedAt.toString(Qt::ISODate)},
                   {QStringLiteral("device"), m_run.device.value(QLatin1String("id")).toString() + QLatin1Char(' ')
                                                  + m_run.device.value(QLatin1String("name")).toString()}},
                  QStringLiteral("Run"));
    if (!m_run.cluster.isEmpty()) { // where a cluster run ran: one row per array task, and the merge
        const QJsonObject plan = m_run.cluster.value(QLatin1String("plan")).toObject();
        QList<QStringList> tasks;
        const QJsonArray results = m_run.cluster.value(QLatin1String("tasks")).toArray();
        const QJsonArray weights = plan.value(QLatin1String("weights")).toArray();
        for (qsizetype i = 0; i < results.size(); ++i) {
            const QJsonObject t = results[i].toObject();
            tasks.append({QStringLiteral("task %1").arg(i + 1), t.value(QLatin1String("node")).toString(), core::taskJobId(t, true),
                          t.value(QLatin1String("gpus")).toString().isEmpty() ? QStringLiteral("—") : t.value(QLatin1String("gpus")).toString(),
                          QString::number(weights.at(i).toDouble(), 'f', 0),
                          t.contains(QLatin1String("run_id")) ? t.value(QLatin1String("run_id")).toString() // else how its job ended, or that it runs
                                                              : t.value(QLatin1String("slurm_state")).toString().toLower()});
        }
        const QJsonObject merge = m_run.cluster.value(QLatin1String("merge")).toObject();
        tasks.append({QStringLiteral("merge"), merge.value(QLatin1String("node")).toString(), merge.value(QLatin1String("job_id")).toString(), QStringLiteral("—"),
                      QString(), QString()});
        html += table({QStringLiteral("job"), QStringLiteral("node"), QStringLiteral("Slurm job"), QStringLiteral("GPUs"), plan.value(QLatin1String("unit")).toString(),
                       QStringLiteral("shard run")},
                      tasks,
                      QStringLiteral("Cluster %1 (Slurm): %2 shards, largest over mean %3; %4 submissions; batch scripts cluster-task.sbatch, cluster-merge.sbatch")
                          .arg(m_run.cluster.value(QLatin1String("cluster_name")).toString(),
                               QString::number(plan.value(QLatin1String("shards")).toInt()),
                               QString::number(plan.value(QLatin1String("largest_over_mean")).toDouble(), 'f', 2),
                               QString::number(m_run.cluster.value(QLatin1String("submissions")).toArray().size())));
    }
    QList<QStringList> params;
    for (auto it = m_run.parameters.begin(); it != m_run.parameters.end(); ++it)
        if (!(it.value().isString() && it.value().toString().isEmpty())) // an option left empty says nothing (provenance.json keeps it)
            params.append({it.key(), valueText(it.value())});
    html += table({QStringLiteral("parameter"), QStringLiteral("value")}, params, QStringLiteral("Parameters"));
    QList<QStringList> files;
    for (const core::FileRef& f : m_run.inputs)
        files.append({QStringLiteral("input"), f.name, f.path, f.sha256, QString::number(f.size)});
    // A model of several files has one checksum of them all (the SHA-256 of their "path sha256" lines,
    // as the registry computes it): said so, and each file follows with its own SHA-256 and size.
    for (const core::ModelRef& m : m_run.models) {
        // A revision that names the model already (annotation's "ClinVar variant_summary (file, modified …)") is said once.
        const bool named = m.revision == m.name || m.revision.startsWith(m.name + QLatin1Char(' '));
        const QString name = m.revision.isEmpty() ? m.name : named ? m.revision : m.name + QStringLiteral(" — ") + m.revision;
        // The note beside the name: the checksum's cell holds the value alone (copied whole).
        files.append({m.roleName(), m.files.isEmpty() ? name : name + QStringLiteral(" (model checksum: of its files' SHA-256s, below)"), m.path,
                      m.sha256, m.size > 0 ? QString::number(m.size) : QString()});
        for (const core::FileRef& f : m.files)
            files.append({QStringLiteral("model file"), f.name, f.path, f.sha256, QString::number(f.size)});
    }
    for (const core::FileRef& f : m_run.outputs)
        files.append({QStringLiteral("output"), f.name, f.path, f.sha256, QString::number(f.size)});
    html += table({QStringLiteral("role"), QStringLiteral("name"), QStringLiteral("path"), QStringLiteral("SHA-256"), QStringLiteral("bytes")},
                  files, QStringLiteral("Inputs, models and outputs"), {3});
    QList<QStringList> libs;
    const QJsonObject envLibs = m_run.environment.value(QLatin1String("libraries")).toObject();
    for (auto it = envLibs.begin(); it != envLibs.end(); ++it) {
        // "LibTorch (build) 1.13.0" beside the run's "LibTorch 1.13.0": one row (a build and a run of other versions keep both)
        const QString name = QString(it.key()).remove(QStringLiteral(" (build)"));
        if (name != it.key() && m_run.libraries.value(name).toString() == it.value().toString())
            continue;
        libs.append({it.key(), it.value().toString()});
    }
    for (auto it = m_run.libraries.begin(); it != m_run.libraries.end(); ++it)
        libs.append({it.key(), it.value().toString()});
    libs.append({QStringLiteral("BioForge"), m_run.environment.value(QLatin1String("version")).toString()});
    libs.append({QStringLiteral("OS"), m_run.environment.value(QLatin1String("os")).toString()});
    html += table({QStringLiteral("software"), QStringLiteral("version")}, libs, QStringLiteral("Software"));
    return html;
}

QString ReportBuilder::html(bool embedImages) const
{
    QString html = QStringLiteral("<!DOCTYPE html><html><head><meta charset='utf-8'><title>%1</title>"
                                  "<style>body{font-family:sans-serif;max-width:60em;margin:auto}"
                                  "table{border-collapse:collapse;margin:0.6em 0}caption{font-weight:bold;text-align:left}"
                                  "img{max-width:100%}</style></head><body>")
                       .arg(esc(m_content.title));
    html += QStringLiteral("<h1>%1</h1>").arg(esc(m_content.title));
    if (!m_run.title.isEmpty() && m_run.title != m_content.title) // the run's own title ("… — contigs.fa"), not the heading again
        html += QStringLiteral("<p><i>%1</i></p>").arg(esc(m_run.title));
    if (!m_content.summary.isEmpty())
        html += QStringLiteral("<p>%1</p>").arg(esc(m_content.summary));
    int plotIndex = 0;
    for (const core::ReportSection& section : m_content.sections) {
        html += QStringLiteral("<h2>%1</h2>").arg(esc(section.heading));
        for (const QString& p : section.paragraphs) // its line breaks kept (a prompt of several lines read as one)
            html += QStringLiteral("<p>%1</p>").arg(esc(p).replace(QLatin1Char('\n'), QStringLiteral("<br/>")));
        for (const core::ReportTable& t : section.tables)
            html += table(t.header, t.rows, t.caption);
        for (const core::ReportPlot& plot : section.plots) {
            const QString src = embedImages ? pngDataUri(m_images.value(plotIndex)) : QStringLiteral("plot-%1.png").arg(plotIndex);
            // The image's text says what it shows in numbers (a screen reader, a copy as text); the
            // caption under it is read once (it was the image's text too, read twice).
            html += QStringLiteral("<p><img src='%1' width='600' alt=\"%2\"/><br/><i>%3</i></p>").arg(src, esc(describePlotData(plot)), esc(plot.caption));
            ++plotIndex;
        }
    }
    html += warningsSection();
    html += provenanceAppendix();
    return html + QStringLiteral("</body></html>");
}

core::Status ReportBuilder::writeHtml(const QString& path) const
{
    return core::AtomicFile::write(path, html(true).toUtf8());
}

core::Status ReportBuilder::writePdf(const QString& path) const
{
    QTextDocument doc;
    // No ligatures: "ff" and "fi" in a checksum or a path were single glyphs (U+FB00, U+FB01), and
    // text copied or searched from the PDF did not match the value (trial 19).
    QFont font = doc.defaultFont();
    font.setStyleStrategy(QFont::PreferNoShaping);
    doc.setDefaultFont(font);
    for (int i = 0; i < m_images.size(); ++i)
        doc.addResource(QTextDocument::ImageResource, QUrl(QStringLiteral("plot-%1.png").arg(i)), m_images[i]);
    doc.setHtml(html(false));
    // Folders made as for the HTML (AtomicFile::write): `--pdf new/dir/r.pdf` as `--html new/dir/r.html`.
    if (const QString folder = QFileInfo(path).absolutePath(); !QDir().mkpath(folder))
        return core::Error(QStringLiteral("%1: cannot create the folder %2").arg(path, folder));
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return core::Error(QStringLiteral("%1: cannot write: %2").arg(path, file.errorString()));
    {
        QPdfWriter writer(&file);
        writer.setPageSize(QPageSize(QPageSize::A4));
        writer.setResolution(150);
        writer.setTitle(m_content.title);
        writer.setCreator(QStringLiteral("BioForge Workbench"));
        doc.setPageSize(QSizeF(writer.width(), writer.height()));
        doc.print(&writer);
    }
    if (core::Status done = core::AtomicFile::commit(file); !done)
        return done;
    return core::okStatus();
}

} // namespace bioforge::ui
