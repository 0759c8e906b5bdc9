#pragma once

// QCustomPlot helpers every page and the report builder share: a plot made
// from a ReportPlot specification (histogram, scatter, line), on screen or
// rendered to an image, so a report shows exactly what the page shows.

#include "report/report_content.h"

#include <QImage>
#include <QSize>

class QCustomPlot;
class QWidget;

namespace bioforge::ui {

class PlotFactory {
public:
    static QCustomPlot* create(const core::ReportPlot& spec, QWidget* parent = nullptr);
    // Fills an existing plot (cleared first).
    static void fill(QCustomPlot* plot, const core::ReportPlot& spec);
    static QImage render(const core::ReportPlot& spec, QSize size = QSize(900, 480));
    static void histogram(QCustomPlot* plot, const std::vector<double>& values, int bins, const QString& xLabel);
};

} // namespace bioforge::ui
