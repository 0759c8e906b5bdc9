#include "plot/plot_factory.h"

#include <qcustomplot.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>

namespace bioforge::ui {
namespace {

const QList<QColor> kPalette{QColor(0x1f, 0x77, 0xb4), QColor(0xd6, 0x27, 0x28), QColor(0x2c, 0xa0, 0x2c),
                             QColor(0xff, 0x7f, 0x0e), QColor(0x94, 0x67, 0xbd)};

bool finite(double a, double b) { return std::isfinite(a) && std::isfinite(b) && b > a; }

// ReportPlot::xLogWhenWide's rule: every finite x positive, the largest at least 100 times the least.
bool spansDecades(const core::ReportPlot& spec)
{
    double lo = std::numeric_limits<double>::infinity(), hi = 0;
    for (const core::PlotSeries& s : spec.series)
        for (double v : s.x) {
            if (!std::isfinite(v))
                continue;
            if (v <= 0)
                return false;
            lo = std::min(lo, v);
            hi = std::max(hi, v);
        }
    return hi >= 100 * lo;
}

} // namespace

void PlotFactory::fitTicks(QCustomPlot* plot)
{
    // Before every replot, from the widget's size less the room axis labels
    // take (the axis rect itself is laid out later in the replot).
    if (!plot->property("bioforgeTicksFitted").toBool()) {
        plot->setProperty("bioforgeTicksFitted", true);
        QObject::connect(plot, &QCustomPlot::beforeReplot, plot, [plot] { fitTicks(plot); });
    }
    const int width = std::max(0, plot->width() - 80);
    const int height = std::max(0, plot->height() - 60);
    plot->xAxis->ticker()->setTickCount(std::clamp(width / 90, 2, 8));
    plot->yAxis->ticker()->setTickCount(std::clamp(height / 40, 2, 8));
}

QCustomPlot* PlotFactory::create(const core::ReportPlot& spec, QWidget* parent)
{
    auto* plot = new QCustomPlot(parent);
    plot->setMinimumSize(320, 200);
    fill(plot, spec);
    return plot;
}

void PlotFactory::histogram(QCustomPlot* plot, const std::vector<double>& values, int bins, const QString& xLabel, double fixedLo,
                            double fixedHi)
{
    bins = std::max(1, bins);
    double lo = std::numeric_limits<double>::infinity(), hi = -lo;
    if (finite(fixedLo, fixedHi)) {
        lo = fixedLo;
        hi = fixedHi;
    } else {
        for (double v : values)
            if (std::isfinite(v)) {
                lo = std::min(lo, v);
                hi = std::max(hi, v);
            }
    }
    if (!std::isfinite(lo)) {
        lo = 0;
        hi = 1;
    }
    if (hi == lo)
        hi = lo + 1;
    const double width = (hi - lo) / bins;
    QVector<double> centers(bins), counts(bins, 0.0);
    for (int b = 0; b < bins; ++b)
        centers[b] = lo + (b + 0.5) * width;
    for (double v : values)
        if (std::isfinite(v))
            counts[std::clamp(int((v - lo) / width), 0, bins - 1)] += 1;
    auto* bars = new QCPBars(plot->xAxis, plot->yAxis);
    bars->setWidth(width * 0.95);
    bars->setData(centers, counts, true);
    bars->setPen(Qt::NoPen);
    bars->setBrush(kPalette[0]);
    plot->xAxis->setLabel(xLabel);
    plot->yAxis->setLabel(QStringLiteral("count"));
    plot->xAxis->setRange(lo - width / 2, hi + width / 2);
    plot->yAxis->setRange(0, *std::max_element(counts.begin(), counts.end()) * 1.05 + 1);
    // Counts are whole: ticks at whole numbers (0.25, 0.5, 1.5 of a contig were drawn).
    QSharedPointer<QCPAxisTickerFixed> whole(new QCPAxisTickerFixed);
    whole->setTickStep(1.0);
    whole->setScaleStrategy(QCPAxisTickerFixed::ssMultiples);
    plot->yAxis->setTicker(whole);
}

void PlotFactory::fill(QCustomPlot* plot, const core::ReportPlot& spec)
{
    plot->clearPlottables();
    plot->clearGraphs();
    plot->clearItems();
    plot->yAxis->setTicker(QSharedPointer<QCPAxisTicker>(new QCPAxisTicker)); // a histogram's whole counts set below
    const bool logX = spec.kind != core::ReportPlot::Kind::Histogram && spec.xLogWhenWide && spansDecades(spec);
    plot->xAxis->setScaleType(logX ? QCPAxis::stLogarithmic : QCPAxis::stLinear); // the same plot may have shown the other before
    plot->xAxis->setTicker(logX ? QSharedPointer<QCPAxisTicker>(new QCPAxisTickerLog) : QSharedPointer<QCPAxisTicker>(new QCPAxisTicker));
    if (spec.kind == core::ReportPlot::Kind::Histogram) {
        std::vector<double> all;
        for (const core::PlotSeries& s : spec.series)
            all.insert(all.end(), s.x.begin(), s.x.end());
        histogram(plot, all, spec.bins, spec.xLabel, spec.xMin, spec.xMax);
    } else {
        int colour = 0;
        for (const core::PlotSeries& s : spec.series) {
            QCPGraph* graph = plot->addGraph();
            graph->setName(s.name);
            const QColor c = kPalette[colour++ % kPalette.size()];
            graph->setPen(QPen(c, 1.5));
            if (spec.kind == core::ReportPlot::Kind::Scatter) {
                graph->setLineStyle(QCPGraph::lsNone);
                graph->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDisc, c, c, 4));
            }
            const size_t n = std::min(s.x.size(), s.y.size());
            QVector<double> x(static_cast<qsizetype>(n)), y(static_cast<qsizetype>(n));
            for (size_t i = 0; i < n; ++i) {
                x[qsizetype(i)] = s.x[i];
                y[qsizetype(i)] = s.y[i];
            }
            graph->setData(x, y, spec.kind == core::ReportPlot::Kind::Line);
        }
        plot->xAxis->setLabel(spec.xLabel);
        plot->yAxis->setLabel(spec.yLabel);
        plot->rescaleAxes();
        // One value on an axis (one contig's length): a range around it, not a sliver whose every
        // tick label read the same (eleven "3·10⁶").
        const auto oneValue = [&spec](bool onX) -> std::optional<double> {
            std::optional<double> only;
            for (const core::PlotSeries& s : spec.series)
                for (double v : onX ? s.x : s.y) {
                    if (!std::isfinite(v))
                        continue;
                    if (only && *only != v)
                        return std::nullopt;
                    only = v;
                }
            return only;
        };
        for (const auto& [axis, onX] : {std::pair{plot->xAxis, true}, std::pair{plot->yAxis, false}})
            if (const std::optional<double> v = oneValue(onX)) {
                const double pad = *v == 0 ? 1.0 : 0.1 * std::abs(*v);
                axis->setRange(*v - pad, *v + pad);
            }
        if (spec.kind == core::ReportPlot::Kind::Scatter) { // room around the outermost points, which would sit on the axes
            if (logX) // by a factor on a log axis (a margin in bases would reach below zero)
                plot->xAxis->setRange(plot->xAxis->range().lower / 1.3, plot->xAxis->range().upper * 1.3);
            else
                plot->xAxis->scaleRange(1.06, plot->xAxis->range().center());
            plot->yAxis->scaleRange(1.1, plot->yAxis->range().center());
        }
        if (finite(spec.xMin, spec.xMax))
            plot->xAxis->setRange(spec.xMin, spec.xMax);
        if (finite(spec.yMin, spec.yMax)) // a little room so points on the ends stay visible
            plot->yAxis->setRange(spec.yMin - 0.03 * (spec.yMax - spec.yMin), spec.yMax + 0.03 * (spec.yMax - spec.yMin));
        if (spec.identity) {
            const double lo = std::min(plot->xAxis->range().lower, plot->yAxis->range().lower);
            const double hi = std::max(plot->xAxis->range().upper, plot->yAxis->range().upper);
            plot->xAxis->setRange(lo, hi);
            plot->yAxis->setRange(lo, hi);
            QCPGraph* line = plot->addGraph();
            line->setName(QStringLiteral("y = x"));
            line->setPen(QPen(QColor(120, 120, 120), 1, Qt::DashLine));
            line->setData(QVector<double>{lo, hi}, QVector<double>{lo, hi}, true);
            line->removeFromLegend();
        }
        plot->legend->setVisible(spec.series.size() > 1);
    }
    // A value that matters (a threshold) as a dashed line across the plot, out of the legend.
    const auto marker = [plot](QVector<double> x, QVector<double> y) {
        QCPGraph* line = plot->addGraph();
        line->setPen(QPen(QColor(178, 34, 34), 1, Qt::DashLine));
        line->setData(x, y, true);
        line->removeFromLegend();
    };
    if (std::isfinite(spec.xMarker))
        marker({spec.xMarker, spec.xMarker}, {plot->yAxis->range().lower, plot->yAxis->range().upper});
    if (std::isfinite(spec.yMarker) && spec.kind != core::ReportPlot::Kind::Histogram)
        marker({plot->xAxis->range().lower, plot->xAxis->range().upper}, {spec.yMarker, spec.yMarker});
    fitTicks(plot);
    size_t points = 0;
    for (const core::PlotSeries& s : spec.series)
        points += spec.kind == core::ReportPlot::Kind::Histogram ? s.x.size() : std::min(s.x.size(), s.y.size());
    if (points == 0) {
        auto* note = new QCPItemText(plot);
        note->position->setType(QCPItemPosition::ptAxisRectRatio);
        note->position->setCoords(0.5, 0.5);
        note->setText(spec.emptyNote.isEmpty() ? QObject::tr("no values to plot") : spec.emptyNote);
        note->setColor(QColor(90, 90, 90));
    }
    plot->replot();
}

QImage PlotFactory::render(const core::ReportPlot& spec, QSize size)
{
    QCustomPlot plot;
    plot.resize(size);
    fill(&plot, spec);
    return plot.toPixmap(size.width(), size.height()).toImage();
}

} // namespace bioforge::ui
