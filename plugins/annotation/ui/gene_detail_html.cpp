#include "gene_detail_html.h"

#include "pipeline/annotation_outputs.h"

#include <QCoreApplication>
#include <QJsonArray>
#include <QLocale>
#include <QStringList>

namespace bioforge::annotation {
namespace {

QString esc(const QString& s) { return s.toHtmlEscaped(); }

} // namespace

QString detailText(const QJsonValue& v)
{
    if (v.isArray()) {
        QStringList parts;
        for (const QJsonValue& x : v.toArray())
            parts << detailText(x);
        return parts.join(QStringLiteral(", "));
    }
    if (!v.isObject())
        return cellText(v);
    const QJsonObject o = v.toObject();
    if (o.contains(QLatin1String("seqname")) && o.value(QLatin1String("start")).isDouble() && o.value(QLatin1String("end")).isDouble()) {
        const QLocale english(QLocale::English);
        QString seq = o.value(QLatin1String("seqname")).toString();
        if (!seq.startsWith(QLatin1String("chr")))
            seq.prepend(QStringLiteral("chr"));
        const QString strand = o.value(QLatin1String("strand")).toString();
        return QStringLiteral("%1:%2–%3%4").arg(seq, english.toString(o.value(QLatin1String("start")).toInteger()), english.toString(o.value(QLatin1String("end")).toInteger()),
                                               strand.isEmpty() ? QString() : QStringLiteral(" (%1)").arg(strand));
    }
    QStringList parts;
    for (auto it = o.begin(); it != o.end(); ++it)
        parts << QStringLiteral("%1 %2").arg(it.key(), detailText(it.value()));
    return parts.join(QStringLiteral("; "));
}

QString geneDetailHtml(const QJsonObject& gene, const QString& key)
{
    const QJsonObject record = gene.value(QStringLiteral("gene")).toObject();
    QString html = QStringLiteral("<h3>%1 <small>%2</small></h3><p>%3 · %4 · input '%5'</p>")
                       .arg(esc(gene.value(QStringLiteral("symbol")).toString()), esc(key), esc(record.value(QStringLiteral("name")).toString()),
                            esc(record.value(QStringLiteral("location")).toString()), esc(gene.value(QStringLiteral("input")).toString()));
    const QJsonObject sources = gene.value(QStringLiteral("sources")).toObject();
    for (auto it = sources.begin(); it != sources.end(); ++it) {
        const QJsonObject s = it.value().toObject();
        html += QStringLiteral("<h4>%1 — %2</h4>").arg(esc(it.key()), esc(s.value(QStringLiteral("status")).toString()));
        html += QStringLiteral("<p>joined on %1%2<br>fetched %3</p>")
                    .arg(esc(s.value(QStringLiteral("joined_on")).toString()),
                         s.value(QStringLiteral("symbol_fallback")).toBool() ? QCoreApplication::translate("bioforge::annotation::AnnotationResultsPanel", " <b>(by symbol: check the gene)</b>") : QString(),
                         esc(s.value(QStringLiteral("fetched_at")).toString()));
        for (const QJsonValue& r : s.value(QStringLiteral("releases")).toArray()) {
            const QJsonObject o = r.toObject();
            html += QStringLiteral("<p style='color:#555'>release: %1 — %2 (sha256 %3…, imported %4)</p>")
                        .arg(esc(o.value(QStringLiteral("release")).toString()), esc(o.value(QStringLiteral("file")).toString()),
                             esc(o.value(QStringLiteral("sha256")).toString().left(12)), esc(o.value(QStringLiteral("imported_at")).toString()));
        }
        if (s.contains(QStringLiteral("error")))
            html += QStringLiteral("<p style='color:#a33'>%1</p>").arg(esc(s.value(QStringLiteral("error")).toString()));
        const QJsonObject value = s.value(QStringLiteral("value")).toObject();
        if (!value.isEmpty()) {
            html += QStringLiteral("<table cellspacing=2>");
            for (auto v = value.begin(); v != value.end(); ++v)
                html += QStringLiteral("<tr><td><i>%1</i></td><td>%2</td></tr>").arg(esc(v.key()), esc(detailText(v.value()).left(600)));
            html += QStringLiteral("</table>");
        }
    }
    return html;
}

} // namespace bioforge::annotation
