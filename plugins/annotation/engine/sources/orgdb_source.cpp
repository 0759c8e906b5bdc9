#include "sources/orgdb_source.h"

#include "identity/orgdb.h"

#include <QFile>

#include <map>

namespace bioforge::annotation {
namespace {

// One read-only connection per thread and file (QtSql connections are per thread).
core::Expected<const OrgDb*> orgDbAt(const QString& path)
{
    thread_local std::map<QString, std::unique_ptr<OrgDb>> open;
    auto it = open.find(path);
    if (it == open.end()) {
        auto db = OrgDb::open(path);
        if (!db)
            return db.error();
        it = open.emplace(path, std::move(*db)).first;
    }
    return it->second.get();
}

} // namespace

QString OrgDbSource::id() const { return QStringLiteral("orgdb"); }
QString OrgDbSource::title() const { return QStringLiteral("NCBI Gene (org.Hs.eg.db)"); }

QList<BulkPart> OrgDbSource::parts() const
{
    return {{QStringLiteral("genes"), QStringLiteral("org.Hs.eg.sqlite (Debian r-bioc-org.hs.eg.db: /usr/lib/R/site-library/org.Hs.eg.db/extdata), read in place"), true}};
}

core::Expected<QString> OrgDbSource::detectPart(const QString& path) const
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return core::Error(QStringLiteral("%1: cannot open: %2").arg(path, f.errorString()));
    if (f.read(16) == QByteArray("SQLite format 3\0", 16))
        return QStringLiteral("genes");
    return unknownPart(*this, path);
}

core::Expected<QString> OrgDbSource::importPart(const QString&, const QString& path, BulkWriter& writer, const StreamControl& control) const
{
    auto db = OrgDb::open(path);
    if (!db)
        return db.error();
    if (auto st = (*db)->forEachGene([&](const GeneRecord& g) { return writer.putGene(g); }, control); !st)
        return st.error();
    return (*db)->release();
}

core::Expected<SourceValue> OrgDbSource::annotate(const GeneRecord& gene, const BulkView& view, const ListContext&) const
{
    SourceValue v;
    v.releases = view.releasesJson();
    if (!view.has(QStringLiteral("genes"))) {
        v.status = SourceValue::Status::Failed;
        v.error = QStringLiteral("org.Hs.eg.db is not imported (bioforge annotation import-bulk orgdb)");
        return v;
    }
    if (gene.ncbiGeneId.isEmpty()) {
        v.error = QStringLiteral("%1 has no NCBI gene id").arg(gene.symbol);
        return v;
    }
    const QString path = view.parts().value(QStringLiteral("genes")).filePath;
    auto db = orgDbAt(path);
    if (!db) {
        v.status = SourceValue::Status::Failed;
        v.error = db.error().message();
        return v;
    }
    auto a = (*db)->annotation(gene.ncbiGeneId);
    if (!a)
        return a.error();
    if (!*a) {
        v.error = QStringLiteral("NCBI gene %1 is not in %2").arg(gene.ncbiGeneId, (*db)->release());
        return v;
    }
    v.status = SourceValue::Status::Found;
    v.joinedOn = QStringLiteral("NCBI gene %1").arg(gene.ncbiGeneId);
    v.value = **a;
    v.value.insert(QStringLiteral("go_term_count"), v.value.value(QStringLiteral("go_bp")).toArray().size() + v.value.value(QStringLiteral("go_cc")).toArray().size()
                                                        + v.value.value(QStringLiteral("go_mf")).toArray().size());
    return v;
}

QStringList OrgDbSource::tableColumns() const
{
    return {QStringLiteral("gene_type"), QStringLiteral("cytogenetic_location"), QStringLiteral("go_term_count"), QStringLiteral("pubmed_count")};
}

} // namespace bioforge::annotation
