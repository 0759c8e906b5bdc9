#pragma once

// Turns a run's ReportContent and RunRecord into a report: title, summary,
// sections with tables and plots (rendered by PlotFactory), and a provenance
// appendix (parameters, inputs, models and outputs with SHA-256, software
// versions, device). Writes a self-contained HTML file and a PDF.

#include "provenance/run_record.h"
#include "report/report_content.h"
#include "util/expected.h"

#include <QImage>
#include <QList>
#include <QString>

namespace bioforge::ui {

class ReportBuilder {
public:
    ReportBuilder(core::RunRecord run, core::ReportContent content);

    // HTML with plots embedded as data URIs (imagePrefix empty) or referring
    // to resource names "plot-N.png" (for QTextDocument).
    QString html(bool embedImages) const;
    core::Status writeHtml(const QString& path) const;
    core::Status writePdf(const QString& path) const;
    const QList<QImage>& plotImages() const { return m_images; }

private:
    QString provenanceAppendix() const;
    QString warningsSection() const;
    core::RunRecord m_run;
    core::ReportContent m_content;
    QList<QImage> m_images;
};

} // namespace bioforge::ui
