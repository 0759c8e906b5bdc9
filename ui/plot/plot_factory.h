#pragma once

// QCustomPlot helpers every page and the report builder share: a plot made
// from a ReportPlot specification (histogram, scatter, line), on screen or
// rendered to an image, so a report shows exactly what the page shows.

#include "report/report_content.h"

#include <QImage>
#include <QSize>

#include <limits>
#include <vector>

class QCustomPlot;
class QWidget;

namespace bioforge::ui {

class PlotFactory {
public:
    static QCustomPlot* create(const core::ReportPlot& spec, QWidget* parent = nullptr);
    // Fills an existing plot (cleared first).
    static void fill(QCustomPlot* plot, const core::ReportPlot& spec);
    static QImage render(const core::ReportPlot& spec, QSize size = QSize(900, 480));
    // Bins over [lo, hi] = the fixed range when given (values outside count
    // in the edge bins), else the data's; the axis shows half a bin beyond
    // each end so the edge bars are whole.
    static void histogram(QCustomPlot* plot, const std::vector<double>& values, int bins, const QString& xLabel,
                          double fixedLo = std::numeric_limits<double>::quiet_NaN(),
                          double fixedHi = std::numeric_limits<double>::quiet_NaN());
    // As many tick labels as fit the axes' length in pixels (about one per
    // 90 px across, one per 40 px up), kept so when the plot is resized.
    static void fitTicks(QCustomPlot* plot);
};

} // namespace bioforge::ui
