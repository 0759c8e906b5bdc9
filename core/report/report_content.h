#pragma once

// What a run's report says, as data: sections of text, tables and plot
// specifications. Plugins' engines build it headlessly; the ui/ report
// builder renders it to HTML and PDF with the same QCustomPlot helpers the
// pages use.

#include <QList>
#include <QString>
#include <QStringList>

#include <limits>

#include <vector>

namespace bioforge::core {

struct ReportTable {
    QString caption;
    QStringList header;
    QList<QStringList> rows;
};

struct PlotSeries {
    QString name;
    std::vector<double> x;
    std::vector<double> y; // unused for histograms
};

struct ReportPlot {
    enum class Kind { Histogram, Scatter, Line };
    Kind kind = Kind::Histogram;
    QString caption;
    QString xLabel;
    QString yLabel;
    QList<PlotSeries> series;
    int bins = 30;
    // A fixed axis range where the quantity has one (a probability: 0..1),
    // used when both ends are finite; otherwise the axis fits the data.
    double xMin = std::numeric_limits<double>::quiet_NaN();
    double xMax = std::numeric_limits<double>::quiet_NaN();
    double yMin = std::numeric_limits<double>::quiet_NaN();
    double yMax = std::numeric_limits<double>::quiet_NaN();
    // A quantity against its own expectation (a clock's age against chronological age): both axes
    // get one range, and the line y = x is drawn across it (not in the legend).
    bool identity = false;
    // A scatter's or line's x on a log10 scale where its values (all positive) span two orders of
    // magnitude or more: contig lengths from 300 bases to a megabase, where a linear axis drew every
    // short contig as one dot at 0 (trial 18). Linear otherwise.
    bool xLogWhenWide = false;
    // A dashed line at a value that matters on the x axis (a histogram's threshold) or the y axis (a
    // scatter's), where finite; the caption says what it is.
    double xMarker = std::numeric_limits<double>::quiet_NaN();
    double yMarker = std::numeric_limits<double>::quiet_NaN();
    // Said across the plot where no series has a point (an empty frame said nothing); empty: "no
    // values to plot".
    QString emptyNote{};
};

struct ReportSection {
    QString heading;
    QStringList paragraphs;
    QList<ReportTable> tables;
    QList<ReportPlot> plots;
};

struct ReportContent {
    QString title;
    QString summary;
    QList<ReportSection> sections;
};

} // namespace bioforge::core
