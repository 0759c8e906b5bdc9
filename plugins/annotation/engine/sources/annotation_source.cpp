#include "sources/annotation_source.h"

#include <algorithm>

#include "sources/clinvar_source.h"
#include "sources/descartes_source.h"
#include "sources/ensembl_source.h"
#include "sources/gnomad_source.h"
#include "sources/gtex_source.h"
#include "sources/hgnc_source.h"
#include "sources/hpo_source.h"
#include "sources/mgi_source.h"
#include "sources/orgdb_source.h"
#include "sources/pubtator_source.h"
#include "sources/string_source.h"
#include "sources/uniprot_source.h"

#include "io/line_reader.h"

#include <QFileInfo>

namespace bioforge::annotation {

QString statusName(SourceValue::Status s)
{
    switch (s) {
    case SourceValue::Status::Found: return QStringLiteral("found");
    case SourceValue::Status::Absent: return QStringLiteral("absent");
    case SourceValue::Status::Failed: return QStringLiteral("failed");
    }
    return {};
}

core::Expected<std::optional<QJsonObject>> BulkView::byId(const QString& part, const QString& id) const
{
    const auto it = m_parts.find(part);
    if (it == m_parts.end() || id.isEmpty())
        return std::optional<QJsonObject>();
    return m_library->value(it->id, id);
}

core::Expected<QList<std::pair<QString, QJsonObject>>> BulkView::bySymbol(const QString& part, const QString& symbol) const
{
    const auto it = m_parts.find(part);
    if (it == m_parts.end() || symbol.isEmpty())
        return QList<std::pair<QString, QJsonObject>>();
    return m_library->valuesBySymbol(it->id, symbol);
}

core::Expected<QString> BulkView::symbolOf(const QString& part, const QString& id) const
{
    const auto it = m_parts.find(part);
    if (it == m_parts.end() || id.isEmpty())
        return QString();
    return m_library->symbolOf(it->id, id);
}

core::Expected<QHash<QString, QString>> BulkView::symbolsOf(const QString& part, const QStringList& ids) const
{
    const auto it = m_parts.find(part);
    if (it == m_parts.end() || ids.isEmpty())
        return QHash<QString, QString>();
    return m_library->symbolsOf(it->id, ids);
}

core::Expected<QList<GeneRecord>> BulkView::genesById(const QString& part, const QString& column, const QString& id) const
{
    const auto it = m_parts.find(part);
    if (it == m_parts.end() || id.isEmpty())
        return QList<GeneRecord>();
    auto keys = m_library->keysById(it->id, column, id);
    if (!keys)
        return keys.error();
    QList<GeneRecord> genes;
    for (const QString& key : *keys) {
        auto gene = m_library->gene(it->id, key);
        if (!gene)
            return gene.error();
        if (*gene)
            genes.append(**gene);
    }
    return genes;
}

QJsonArray BulkView::releasesJson() const
{
    QStringList names = m_parts.keys();
    names.sort();
    QJsonArray out;
    for (const QString& n : names)
        out.append(m_parts.value(n).toJson());
    return out;
}

const QList<std::shared_ptr<const AnnotationSource>>& allSources()
{
    static const QList<std::shared_ptr<const AnnotationSource>> all{
        std::make_shared<HgncSource>(),     std::make_shared<GnomadSource>(),  std::make_shared<GtexSource>(),
        std::make_shared<DescartesSource>(), std::make_shared<ClinvarSource>(), std::make_shared<HpoSource>(),
        std::make_shared<MgiSource>(),      std::make_shared<StringSource>(),  std::make_shared<EnsemblSource>(),
        std::make_shared<UniprotSource>(),  std::make_shared<PubtatorSource>(), std::make_shared<OrgDbSource>(),
    };
    return all;
}

std::shared_ptr<const AnnotationSource> sourceById(const QString& id)
{
    for (const auto& s : allSources())
        if (s->id() == id)
            return s;
    return nullptr;
}

core::Expected<std::optional<QJsonObject>> joinValue(const BulkView& view, const QString& part, const QList<JoinKey>& keys, const QString& symbol,
                                                     SourceValue& out)
{
    for (const JoinKey& k : keys) {
        if (k.id.isEmpty())
            continue;
        auto v = view.byId(part, k.id);
        if (!v)
            return v.error();
        if (*v) {
            out.joinedOn = QStringLiteral("%1 %2").arg(k.label, k.id);
            return v;
        }
    }
    auto bySymbol = view.bySymbol(part, symbol);
    if (!bySymbol)
        return bySymbol.error();
    if (bySymbol->isEmpty())
        return std::optional<QJsonObject>();
    if (bySymbol->size() > 1) {
        QStringList ids;
        for (const auto& [id, value] : *bySymbol)
            ids << id;
        out.error = QStringLiteral("no id matched, and symbol %1 names %2 entries (%3): not guessed").arg(symbol, QString::number(ids.size()),
                                                                                                          ids.mid(0, 5).join(QStringLiteral(", ")));
        return std::optional<QJsonObject>();
    }
    out.joinedOn = QStringLiteral("symbol %1 (fallback: no id matched)").arg(symbol);
    out.symbolFallback = true;
    return std::optional<QJsonObject>(bySymbol->first().second);
}

core::Expected<SourceValue> lookupValue(const BulkView& view, const QString& part, const QList<JoinKey>& keys, const QString& symbol,
                                        const QString& absentReason)
{
    SourceValue v;
    v.releases = view.releasesJson();
    auto row = joinValue(view, part, keys, symbol, v);
    if (!row)
        return row.error();
    if (!*row) {
        if (v.error.isEmpty())
            v.error = absentReason;
        return v;
    }
    v.status = SourceValue::Status::Found;
    v.value = **row;
    return v;
}

QString fileRelease(const QString& path)
{
    const QFileInfo f(path);
    // The file's modification time on this disk, said as such: not a release date.
    return QStringLiteral("%1, modified %2").arg(f.fileName(), f.lastModified().toUTC().toString(QStringLiteral("yyyy-MM-dd")));
}

core::Expected<QByteArray> textHead(const QString& path)
{
    auto reader = core::LineReader::open(path);
    if (!reader)
        return reader.error();
    if ((*reader)->head().trimmed().isEmpty())
        return core::Error(QStringLiteral("%1: the file is empty").arg(path));
    return (*reader)->head();
}

QString partTitle(const AnnotationSource& source, const QString& part)
{
    const bool said = part.isEmpty() || source.title().compare(part, Qt::CaseInsensitive) == 0
                      || source.title().endsWith(QLatin1Char(' ') + part, Qt::CaseInsensitive); // its last word
    return said ? source.title() : QStringLiteral("%1 %2").arg(source.title(), part);
}

core::Error unknownPart(const AnnotationSource& source, const QString& path)
{
    QStringList parts;
    for (const BulkPart& p : source.parts())
        parts << QStringLiteral("%1 — %2").arg(p.id, p.description);
    return core::Error(QStringLiteral("%1: not a file %2 imports; it takes: %3").arg(path, source.title(), parts.join(QStringLiteral("; "))));
}

bool isUnknownPart(const core::Error& error)
{
    return error.message().contains(QLatin1String(": not a file ")) && error.message().contains(QLatin1String(" imports; it takes: "));
}

core::Expected<HttpResponse> getJson(const OnlineContext& context, const QUrl& url, std::initializer_list<int> accepted)
{
    HttpRequest r;
    r.url = url;
    r.expect = HttpRequest::Expect::Json;
    auto answer = context.http->send(r, context.stop);
    if (!answer)
        return answer.error();
    if (answer->status >= 400 && std::find(accepted.begin(), accepted.end(), answer->status) == accepted.end())
        return core::Error(QStringLiteral("%1: HTTP %2").arg(displayUrl(url), QString::number(answer->status)));
    return answer;
}

} // namespace bioforge::annotation
