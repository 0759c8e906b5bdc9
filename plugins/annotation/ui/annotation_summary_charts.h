#pragma once

// The annotation results' Summary tab: genes per source (found / absent /
// failed, stacked bars), the LOEUF histogram and kidney cortex TPM against
// LOEUF. Each chart keeps a readable height and the tab scrolls (squeezed into
// the page they were some 10 px high, labels over each other: trial 23 T23-10).

#include <QJsonObject>
#include <QList>
#include <QScrollArea>
#include <QStringList>

class QCustomPlot;

namespace bioforge::annotation {

class AnnotationSummaryCharts final : public QScrollArea {
    Q_OBJECT
public:
    explicit AnnotationSummaryCharts(QWidget* parent = nullptr);
    // A run's summary.json and its genes table (header, rows: annotations.tsv).
    void show(const QJsonObject& summary, const QStringList& geneHeader, const QList<QStringList>& genes);

    static constexpr int kBarsHeight = 320;  // pixels, at least
    static constexpr int kChartHeight = 280; // pixels, at least

    QCustomPlot* perSource() const { return m_perSource; }

private:
    QCustomPlot* m_perSource;
    QCustomPlot* m_loeuf;
    QCustomPlot* m_scatter;
};

} // namespace bioforge::annotation
