// The shared plots: a scatter leaves room around its outermost points (none
// sits on an axis), a histogram counts every finite value once and skips
// NaN/Inf, a marker (a threshold) is a dashed line across the plot, and
// degenerate input (one value, nothing) still gives a plot.

#include "plot/plot_factory.h"

#include <qcustomplot.h>

#include <QtTest>

#include <cmath>
#include <limits>
#include <memory>

using namespace bioforge;

class TstPlotFactory : public QObject {
    Q_OBJECT
private slots:
    void scatterPointsLieInsideTheAxes()
    {
        core::ReportPlot spec;
        spec.kind = core::ReportPlot::Kind::Scatter;
        spec.series << core::PlotSeries{QStringLiteral("contigs"), {300, 900, 2500}, {0.39, 0.41, 0.44}};
        std::unique_ptr<QCustomPlot> plot(ui::PlotFactory::create(spec));
        const QCPRange x = plot->xAxis->range(), y = plot->yAxis->range();
        for (double v : spec.series[0].x)
            QVERIFY2(v > x.lower && v < x.upper, qPrintable(QStringLiteral("%1 on or outside [%2, %3]").arg(v).arg(x.lower).arg(x.upper)));
        for (double v : spec.series[0].y)
            QVERIFY2(v > y.lower && v < y.upper, qPrintable(QStringLiteral("%1 on or outside [%2, %3]").arg(v).arg(y.lower).arg(y.upper)));
    }

    // A clock against chronological age: one range on both axes and the diagonal drawn (the caption
    // spoke of a diagonal that was not there, the axes of different ranges: trial 14).
    void anIdentityPlotDrawsTheDiagonalOnEqualAxes()
    {
        core::ReportPlot spec;
        spec.kind = core::ReportPlot::Kind::Scatter;
        spec.identity = true;
        spec.series << core::PlotSeries{QStringLiteral("phenoage"), {20, 50, 80}, {35, 41, 90}};
        std::unique_ptr<QCustomPlot> plot(ui::PlotFactory::create(spec));
        QCOMPARE(plot->xAxis->range().lower, plot->yAxis->range().lower);
        QCOMPARE(plot->xAxis->range().upper, plot->yAxis->range().upper);
        QCOMPARE(plot->graphCount(), 2);
        const QCPGraph* line = plot->graph(1);
        QCOMPARE(line->dataCount(), 2);
        for (int i = 0; i < 2; ++i)
            QCOMPARE(line->data()->at(i)->key, line->data()->at(i)->value);
        QVERIFY(line->data()->at(0)->key <= 20 && line->data()->at(1)->key >= 90); // across every point
        QVERIFY(!plot->legend->visible() || plot->legend->itemCount() == 1);
    }

    // A threshold as a dashed line: vertical across a histogram at x, horizontal across a scatter at
    // y (the viral report's score plots drew none), out of the legend.
    void aMarkerIsDrawnAcrossThePlotAtItsValue()
    {
        core::ReportPlot histogram;
        histogram.kind = core::ReportPlot::Kind::Histogram;
        histogram.xMin = 0;
        histogram.xMax = 1;
        histogram.xMarker = 0.5;
        histogram.series << core::PlotSeries{QStringLiteral("contigs"), {0.1, 0.2, 0.7}, {}};
        std::unique_ptr<QCustomPlot> h(ui::PlotFactory::create(histogram));
        QCOMPARE(h->graphCount(), 1);
        const QCPGraph* vertical = h->graph(0);
        QCOMPARE(vertical->dataCount(), 2);
        QCOMPARE(vertical->data()->at(0)->key, 0.5);
        QCOMPARE(vertical->data()->at(1)->key, 0.5);
        QVERIFY(vertical->data()->at(0)->value <= 0 && vertical->data()->at(1)->value >= 1); // over the tallest bar
        QCOMPARE(vertical->pen().style(), Qt::DashLine);
        core::ReportPlot scatter;
        scatter.kind = core::ReportPlot::Kind::Scatter;
        scatter.yMarker = 0.5;
        scatter.series << core::PlotSeries{QStringLiteral("contigs"), {300, 900, 2500}, {0.39, 0.41, 0.74}};
        std::unique_ptr<QCustomPlot> s(ui::PlotFactory::create(scatter));
        QCOMPARE(s->graphCount(), 2);
        const QCPGraph* horizontal = s->graph(1);
        QCOMPARE(horizontal->data()->at(0)->value, 0.5);
        QCOMPARE(horizontal->data()->at(1)->value, 0.5);
        QVERIFY(horizontal->data()->at(0)->key <= 300 && horizontal->data()->at(1)->key >= 2500);
        QVERIFY(!s->legend->visible());
        core::ReportPlot none = scatter; // no marker: no line
        none.yMarker = std::numeric_limits<double>::quiet_NaN();
        QCOMPARE(std::unique_ptr<QCustomPlot>(ui::PlotFactory::create(none))->graphCount(), 1);
    }

    void histogramCountsEveryFiniteValueOnce()
    {
        core::ReportPlot spec;
        spec.bins = 4;
        spec.series << core::PlotSeries{QString(), {0.0, 0.1, 0.5, 0.99, 1.0, std::nan(""), std::numeric_limits<double>::infinity()}, {}};
        std::unique_ptr<QCustomPlot> plot(ui::PlotFactory::create(spec));
        auto* bars = qobject_cast<QCPBars*>(plot->plottable(0));
        QVERIFY(bars);
        double total = 0;
        QList<double> counts;
        for (auto it = bars->data()->constBegin(); it != bars->data()->constEnd(); ++it) {
            total += it->value;
            counts << it->value;
        }
        QCOMPARE(total, 5.0);
        QCOMPARE(counts, (QList<double>{2, 0, 1, 2})); // bins of 0.25; the maximum falls in the last bin
    }

    void probabilitiesShowTheirWholeRangeWithWholeEdgeBars()
    {
        // Scores bunched at 0.41-0.425 are drawn on 0..1 (not zoomed to the data).
        core::ReportPlot spec;
        spec.bins = 20;
        spec.xMin = 0;
        spec.xMax = 1;
        spec.series << core::PlotSeries{QString(), {0.41, 0.415, 0.42, 0.425, 0.0, 1.0}, {}};
        std::unique_ptr<QCustomPlot> plot(ui::PlotFactory::create(spec));
        const QCPRange x = plot->xAxis->range();
        QVERIFY(x.lower <= 0 && x.upper >= 1);
        auto* bars = qobject_cast<QCPBars*>(plot->plottable(0));
        // Every bar, the edge ones too, lies wholly inside the axis range.
        for (auto it = bars->data()->constBegin(); it != bars->data()->constEnd(); ++it)
            QVERIFY2(it->key - bars->width() / 2 >= x.lower && it->key + bars->width() / 2 <= x.upper, qPrintable(QString::number(it->key)));
        QCOMPARE(bars->data()->constBegin()->value, 1.0);         // the 0.0
        QCOMPARE((bars->data()->constEnd() - 1)->value, 1.0);     // the 1.0
    }

    void tickLabelsThinOutOnSmallPlots()
    {
        core::ReportPlot spec;
        spec.kind = core::ReportPlot::Kind::Scatter;
        spec.series << core::PlotSeries{QString(), {1, 2, 3, 4, 5}, {0.1, 0.2, 0.3, 0.4, 0.5}};
        std::unique_ptr<QCustomPlot> plot(ui::PlotFactory::create(spec));
        plot->resize(900, 600);
        plot->replot();
        const int bigX = plot->xAxis->ticker()->tickCount(), bigY = plot->yAxis->ticker()->tickCount();
        plot->resize(300, 140); // a plot in a 700 px tall window's tab
        plot->replot();
        QVERIFY2(plot->xAxis->ticker()->tickCount() < bigX, qPrintable(QString::number(plot->xAxis->ticker()->tickCount())));
        QVERIFY(plot->yAxis->ticker()->tickCount() < bigY);
        QVERIFY(plot->yAxis->ticker()->tickCount() * 40 <= std::max(80, plot->height()));
    }

    // One contig (one length, one score): a range around its point, whose tick labels differ (all
    // eleven read "3·10⁶"); a histogram's counts tick at whole numbers (0.25, 0.5, 1.5 were drawn).
    void onePointGetsARangeAndCountsTickWhole()
    {
        core::ReportPlot spec;
        spec.kind = core::ReportPlot::Kind::Scatter;
        spec.series << core::PlotSeries{QStringLiteral("contigs"), {3e6}, {0.42}};
        std::unique_ptr<QCustomPlot> plot(ui::PlotFactory::create(spec));
        plot->resize(600, 400);
        plot->replot();
        QVERIFY2(plot->xAxis->range().size() >= 1e5 && plot->xAxis->range().contains(3e6), qPrintable(QString::number(plot->xAxis->range().size())));
        QVERIFY(plot->yAxis->range().size() > 0.01 && plot->yAxis->range().contains(0.42));
        const QVector<double> xTicks = plot->xAxis->tickVector();
        QVERIFY(xTicks.size() >= 2);
        QStringList labels;
        for (double t : xTicks)
            labels << plot->locale().toString(t, 'g', 6);
        labels.removeDuplicates();
        QCOMPARE(labels.size(), xTicks.size());
        core::ReportPlot counts;
        counts.series << core::PlotSeries{QString(), {0.2, 0.4, 0.4, 0.9}, {}};
        counts.bins = 5;
        ui::PlotFactory::fill(plot.get(), counts);
        plot->replot();
        QVERIFY(!plot->yAxis->tickVector().isEmpty());
        for (double t : plot->yAxis->tickVector())
            QVERIFY2(t == std::round(t), qPrintable(QString::number(t)));
        ui::PlotFactory::fill(plot.get(), spec); // the same plot refilled: a scatter's own ticks again
        plot->replot();
        QVERIFY(qSharedPointerDynamicCast<QCPAxisTickerFixed>(plot->yAxis->ticker()).isNull());
    }

    // Lengths spanning orders of magnitude: a log10 axis on which the short contigs are apart (seven
    // contigs under 3 kb were one dot at 0 beside a 1.5-megabase one: trial 18); a narrow span, and
    // the same plot refilled with a histogram, linear again.
    void lengthsSpanningDecadesGetALogAxis()
    {
        core::ReportPlot spec;
        spec.kind = core::ReportPlot::Kind::Scatter;
        spec.xLogWhenWide = true;
        spec.series << core::PlotSeries{QStringLiteral("contigs"), {300, 420, 900, 1500, 2500, 1.5e6}, {0.1, 0.2, 0.3, 0.4, 0.5, 0.6}};
        std::unique_ptr<QCustomPlot> plot(ui::PlotFactory::create(spec));
        plot->resize(600, 400);
        plot->replot();
        QCOMPARE(plot->xAxis->scaleType(), QCPAxis::stLogarithmic);
        QVERIFY(!qSharedPointerDynamicCast<QCPAxisTickerLog>(plot->xAxis->ticker()).isNull());
        const QCPRange x = plot->xAxis->range();
        QVERIFY2(x.lower > 0 && x.lower < 300 && x.upper > 1.5e6, qPrintable(QStringLiteral("[%1, %2]").arg(x.lower).arg(x.upper)));
        // 300 and 420 bases are at least 10 px apart (on a linear axis they are under one pixel).
        QVERIFY(plot->xAxis->coordToPixel(420) - plot->xAxis->coordToPixel(300) >= 10);

        core::ReportPlot narrow = spec;
        narrow.series[0].x = {300, 420, 900, 1500, 2500, 20000};
        ui::PlotFactory::fill(plot.get(), narrow);
        QCOMPARE(plot->xAxis->scaleType(), QCPAxis::stLinear);
        ui::PlotFactory::fill(plot.get(), spec);
        QCOMPARE(plot->xAxis->scaleType(), QCPAxis::stLogarithmic);
        core::ReportPlot counts;
        counts.xLogWhenWide = true; // a histogram's bins are even on a linear axis
        counts.series << core::PlotSeries{QString(), {1.0, 500.0}, {}};
        ui::PlotFactory::fill(plot.get(), counts);
        QCOMPARE(plot->xAxis->scaleType(), QCPAxis::stLinear);
        QVERIFY(qSharedPointerDynamicCast<QCPAxisTickerLog>(plot->xAxis->ticker()).isNull());
        core::ReportPlot zero = spec; // a value of 0 has no logarithm: linear
        zero.series[0].x[0] = 0;
        ui::PlotFactory::fill(plot.get(), zero);
        QCOMPARE(plot->xAxis->scaleType(), QCPAxis::stLinear);
    }

    void degenerateInputStillPlots()
    {
        core::ReportPlot one;
        one.series << core::PlotSeries{QString(), {3.0, 3.0}, {}};
        std::unique_ptr<QCustomPlot> a(ui::PlotFactory::create(one));
        QVERIFY(a->xAxis->range().size() > 0);
        core::ReportPlot none;
        none.kind = core::ReportPlot::Kind::Scatter;
        QVERIFY(!ui::PlotFactory::render(none, QSize(200, 100)).isNull());
        // An empty plot says so (an empty frame said nothing: trial 17), and refilled with values, no more.
        none.emptyNote = QStringLiteral("no gnomAD LOEUF values in this run");
        std::unique_ptr<QCustomPlot> b(ui::PlotFactory::create(none));
        QCOMPARE(b->itemCount(), 1);
        auto* note = qobject_cast<QCPItemText*>(b->item(0));
        QVERIFY(note);
        QCOMPARE(note->text(), none.emptyNote);
        none.series << core::PlotSeries{QString(), {1.0}, {2.0}};
        ui::PlotFactory::fill(b.get(), none);
        QCOMPARE(b->itemCount(), 0);
        QCOMPARE(a->itemCount(), 0);
    }
};

QTEST_MAIN(TstPlotFactory)
#include "tst_plot_factory.moc"
