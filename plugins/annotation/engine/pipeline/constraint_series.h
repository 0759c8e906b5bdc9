#pragma once

// The annotated genes' gnomAD LOEUF values, and their (LOEUF, GTEx kidney
// cortex TPM) pairs where both are known: the report's and the page's
// "Constraint and kidney expression" plots read the same series.

#include "report/report_content.h"

#include <QList>
#include <QString>
#include <QStringList>

#include <utility>

namespace bioforge::annotation {

// `header` and `rows`: annotations.tsv (columns gnomad.loeuf, gtex.kidney_cortex; a column that is
// not there gives no values). Returns {LOEUF values (x), LOEUF against TPM (x, y)}.
inline std::pair<core::PlotSeries, core::PlotSeries> constraintSeries(const QStringList& header, const QList<QStringList>& rows)
{
    const int loeuf = int(header.indexOf(QStringLiteral("gnomad.loeuf"))), cortex = int(header.indexOf(QStringLiteral("gtex.kidney_cortex")));
    core::PlotSeries values{QStringLiteral("LOEUF"), {}, {}}, scatter{QStringLiteral("genes"), {}, {}};
    for (const QStringList& row : rows) {
        bool okL = false, okC = false;
        const double l = loeuf >= 0 ? row.value(loeuf).toDouble(&okL) : 0, c = cortex >= 0 ? row.value(cortex).toDouble(&okC) : 0;
        if (okL)
            values.x.push_back(l);
        if (okL && okC) {
            scatter.x.push_back(l);
            scatter.y.push_back(c);
        }
    }
    return {values, scatter};
}

} // namespace bioforge::annotation
