#include "annotation_summary_charts.h"

#include "pipeline/constraint_series.h"
#include "plot/plot_factory.h"

#include <QGridLayout>

#include <qcustomplot.h>

namespace bioforge::annotation {

AnnotationSummaryCharts::AnnotationSummaryCharts(QWidget* parent) : QScrollArea(parent)
{
    setWidgetResizable(true);
    setFrameShape(QFrame::NoFrame);
    auto* charts = new QWidget(this);
    auto* chartsLayout = new QGridLayout(charts);
    m_perSource = new QCustomPlot(charts);
    m_loeuf = new QCustomPlot(charts);
    m_scatter = new QCustomPlot(charts);
    m_perSource->setMinimumHeight(kBarsHeight);
    m_loeuf->setMinimumSize(260, kChartHeight);
    m_scatter->setMinimumSize(260, kChartHeight);
    chartsLayout->addWidget(m_perSource, 0, 0, 1, 2);
    // Sources' names slanted (side by side they ran together: "clinvagnomad"), the legend in a row
    // under the axes, not over the bars.
    m_perSource->xAxis->setTickLabelRotation(45);
    auto* legendRow = new QCPLayoutGrid;
    m_perSource->plotLayout()->addElement(1, 0, legendRow);
    legendRow->setMargins(QMargins(5, 0, 5, 5));
    legendRow->addElement(0, 0, m_perSource->legend);
    m_perSource->legend->setFillOrder(QCPLegend::foColumnsFirst);
    m_perSource->plotLayout()->setRowStretchFactor(1, 0.001);
    chartsLayout->addWidget(m_loeuf, 1, 0);
    chartsLayout->addWidget(m_scatter, 1, 1);
    setWidget(charts);
}

void AnnotationSummaryCharts::show(const QJsonObject& summary, const QStringList& geneHeader, const QList<QStringList>& genes)
{
    // Genes per source: found / absent / failed, stacked.
    m_perSource->clearPlottables();
    const QJsonObject sources = summary.value(QStringLiteral("sources")).toObject();
    QVector<double> ticks, found, absent, failed;
    QVector<QString> labels;
    for (auto it = sources.begin(); it != sources.end(); ++it) {
        ticks << ticks.size() + 1;
        labels << it.key();
        found << it.value().toObject().value(QStringLiteral("found")).toDouble();
        absent << it.value().toObject().value(QStringLiteral("absent")).toDouble();
        failed << it.value().toObject().value(QStringLiteral("failed")).toDouble();
    }
    auto* f = new QCPBars(m_perSource->xAxis, m_perSource->yAxis);
    auto* a = new QCPBars(m_perSource->xAxis, m_perSource->yAxis);
    auto* x = new QCPBars(m_perSource->xAxis, m_perSource->yAxis);
    f->setName(tr("found"));
    a->setName(tr("absent"));
    x->setName(tr("failed"));
    f->setBrush(QColor(0x4c, 0x8c, 0x4a));
    a->setBrush(QColor(0xd9, 0xa4, 0x41));
    x->setBrush(QColor(0xb0, 0x30, 0x30));
    a->moveAbove(f);
    x->moveAbove(a);
    f->setData(ticks, found);
    a->setData(ticks, absent);
    x->setData(ticks, failed);
    auto ticker = QSharedPointer<QCPAxisTickerText>::create();
    ticker->addTicks(ticks, labels);
    m_perSource->xAxis->setTicker(ticker);
    m_perSource->yAxis->setLabel(tr("genes"));
    m_perSource->legend->setVisible(true);
    m_perSource->rescaleAxes();
    m_perSource->xAxis->setRange(0, ticks.size() + 1);
    m_perSource->replot();
    // LOEUF and kidney cortex expression, when the run has them.
    const auto [values, scatter] = constraintSeries(geneHeader, genes);
    core::ReportPlot loeufPlot{core::ReportPlot::Kind::Histogram, tr("LOEUF"), tr("LOEUF"), tr("genes"), {values}, 20};
    loeufPlot.emptyNote = tr("no gnomAD LOEUF values in this run");
    ui::PlotFactory::fill(m_loeuf, loeufPlot);
    core::ReportPlot scatterPlot{core::ReportPlot::Kind::Scatter, tr("Kidney cortex TPM against LOEUF"), tr("LOEUF"), tr("GTEx Kidney_Cortex TPM"), {scatter}, 0};
    scatterPlot.emptyNote = tr("no gene with both gnomAD LOEUF and GTEx kidney cortex TPM in this run");
    ui::PlotFactory::fill(m_scatter, scatterPlot);
}

} // namespace bioforge::annotation
