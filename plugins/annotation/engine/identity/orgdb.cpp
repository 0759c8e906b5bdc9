#include "identity/orgdb.h"

#include "io/delimited_file.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QSqlError>
#include <QSqlQuery>
#include <QStandardPaths>

#include <cstdlib>

namespace bioforge::annotation {
namespace {

constexpr const char* kRelative = "org.Hs.eg.db/extdata/org.Hs.eg.sqlite";

QStringList split(const QString& joined)
{
    QStringList out = splitList(joined, QLatin1Char('|'));
    out.removeDuplicates();
    return out;
}

} // namespace

QString OrgDb::findInstalled()
{
    QStringList roots;
    for (const char* env : {"R_LIBS_USER", "R_LIBS_SITE", "R_LIBS"})
        for (const QString& r : QString::fromLocal8Bit(qgetenv(env)).split(QLatin1Char(':'), Qt::SkipEmptyParts))
            roots << r;
    roots << QStringLiteral("/usr/local/lib/R/site-library") << QStringLiteral("/usr/lib/R/site-library") << QStringLiteral("/usr/lib/R/library");
    for (const QString& root : roots) {
        const QString p = QDir(root).filePath(QLatin1String(kRelative));
        if (QFileInfo(p).isFile())
            return p;
    }
    return {};
}

core::Expected<std::unique_ptr<OrgDb>> OrgDb::open(const QString& sqlitePath)
{
    auto db = SqliteDb::openReadOnly(sqlitePath);
    if (!db)
        return db.error();
    std::unique_ptr<OrgDb> o(new OrgDb);
    o->m_db = std::move(*db);
    QSqlQuery q(o->m_db->database());
    if (!q.exec(QStringLiteral("SELECT name, value FROM metadata")))
        return core::Error(QStringLiteral("%1: no metadata table; is this an AnnotationDbi OrgDb (org.Hs.eg.sqlite)?").arg(sqlitePath));
    while (q.next())
        o->m_metadata.insert(q.value(0).toString(), q.value(1).toString());
    if (o->m_metadata.value(QStringLiteral("DBSCHEMA")) != QLatin1String("HUMAN_DB"))
        return core::Error(QStringLiteral("%1: DBSCHEMA is '%2', expected HUMAN_DB (org.Hs.eg.db)").arg(sqlitePath, o->m_metadata.value(QStringLiteral("DBSCHEMA"))));
    // <pkg>/extdata/org.Hs.eg.sqlite -> <pkg>/DESCRIPTION "Version: 3.16.0"
    QFile description(QFileInfo(sqlitePath).dir().filePath(QStringLiteral("../DESCRIPTION")));
    if (description.open(QIODevice::ReadOnly))
        for (const QByteArray& line : description.readAll().split('\n'))
            if (line.startsWith("Version:"))
                o->m_packageVersion = QString::fromUtf8(line.mid(8).trimmed());
    return o;
}

QString OrgDb::release() const
{
    const QString date = m_metadata.value(QStringLiteral("EGSOURCEDATE"));
    return m_packageVersion.isEmpty() ? QStringLiteral("org.Hs.eg.db (NCBI Gene %1)").arg(date)
                                      : QStringLiteral("org.Hs.eg.db %1 (NCBI Gene %2)").arg(m_packageVersion, date);
}

core::Status OrgDb::forEachGene(const std::function<core::Status(const GeneRecord&)>& each, const StreamControl& control) const
{
    QSqlQuery q(m_db->database());
    q.setForwardOnly(true);
    const QString sql = QStringLiteral(
        "SELECT g.gene_id, i.symbol, i.gene_name,"
        " (SELECT group_concat(alias_symbol, '|') FROM alias a WHERE a._id = g._id),"
        " (SELECT group_concat(ensembl_id, '|') FROM ensembl e WHERE e._id = g._id),"
        " (SELECT group_concat(uniprot_id, '|') FROM uniprot u WHERE u._id = g._id),"
        " (SELECT group_concat(omim_id, '|') FROM omim o WHERE o._id = g._id),"
        " (SELECT group_concat(cytogenetic_location, '|') FROM cytogenetic_locations c WHERE c._id = g._id),"
        " (SELECT group_concat(gene_type, '|') FROM genetype t WHERE t._id = g._id)"
        " FROM genes g JOIN gene_info i ON i._id = g._id ORDER BY g._id");
    if (!q.exec(sql))
        return core::Error(QStringLiteral("%1: cannot read genes (%2)").arg(m_db->path(), q.lastError().text()));
    qint64 n = 0;
    while (q.next()) {
        GeneRecord r;
        r.ncbiGeneId = q.value(0).toString();
        r.key = QStringLiteral("NCBIGene:") + r.ncbiGeneId;
        r.symbol = q.value(1).toString();
        r.name = q.value(2).toString();
        r.status = QStringLiteral("live");
        r.aliasSymbols = split(q.value(3).toString());
        r.aliasSymbols.removeAll(r.symbol);
        QStringList ensembl = split(q.value(4).toString());
        ensembl.sort();
        r.ensemblGeneId = ensembl.value(0);
        r.uniprotIds = split(q.value(5).toString());
        r.omimIds = split(q.value(6).toString());
        r.location = split(q.value(7).toString()).join(QLatin1Char(','));
        r.locusType = split(q.value(8).toString()).join(QLatin1Char(','));
        if (auto st = each(r); !st)
            return st;
        if (++n % 2000 == 0) {
            if (control.progress)
                control.progress(n, 0);
            if (control.stopped())
                return core::Error(QStringLiteral("%1: stopped").arg(m_db->path()));
        }
    }
    if (n == 0)
        return core::Error(QStringLiteral("%1: no genes").arg(m_db->path()));
    return core::okStatus();
}

core::Expected<std::optional<QJsonObject>> OrgDb::annotation(const QString& ncbiGeneId) const
{
    QSqlQuery id(m_db->database());
    id.prepare(QStringLiteral("SELECT _id FROM genes WHERE gene_id = ?"));
    id.addBindValue(ncbiGeneId);
    if (!id.exec())
        return core::Error(QStringLiteral("%1: %2").arg(m_db->path(), id.lastError().text()));
    if (!id.next())
        return std::optional<QJsonObject>();
    const qint64 key = id.value(0).toLongLong();
    QJsonObject out;
    auto list = [&](const QString& sql) -> QStringList {
        QSqlQuery q(m_db->database());
        q.prepare(sql);
        q.addBindValue(key);
        QStringList v;
        if (q.exec())
            while (q.next())
                v << q.value(0).toString();
        return v;
    };
    for (const auto& [name, table] : {std::pair{"go_bp", "go_bp"}, std::pair{"go_cc", "go_cc"}, std::pair{"go_mf", "go_mf"}}) {
        QStringList terms = list(QStringLiteral("SELECT DISTINCT go_id FROM %1 WHERE _id = ? ORDER BY go_id").arg(QLatin1String(table)));
        out.insert(QLatin1String(name), QJsonArray::fromStringList(terms));
    }
    const QStringList pmids = list(QStringLiteral("SELECT pubmed_id FROM pubmed WHERE _id = ? ORDER BY CAST(pubmed_id AS INTEGER) DESC"));
    out.insert(QStringLiteral("pubmed_count"), pmids.size());
    out.insert(QStringLiteral("pubmed_newest"), QJsonArray::fromStringList(pmids.mid(0, 20)));
    out.insert(QStringLiteral("cytogenetic_location"), list(QStringLiteral("SELECT cytogenetic_location FROM cytogenetic_locations WHERE _id = ?")).join(QLatin1Char(',')));
    out.insert(QStringLiteral("gene_type"), list(QStringLiteral("SELECT gene_type FROM genetype WHERE _id = ?")).join(QLatin1Char(',')));
    QSqlQuery loc(m_db->database());
    loc.prepare(QStringLiteral("SELECT seqname, start_location, end_location FROM chromosome_locations WHERE _id = ? ORDER BY seqname LIMIT 1"));
    loc.addBindValue(key);
    // AnnotationDbi writes minus-strand genes with negative positions.
    if (loc.exec() && loc.next())
        out.insert(QStringLiteral("chromosome_location"),
                   QJsonObject{{QStringLiteral("seqname"), loc.value(0).toString()},
                               {QStringLiteral("start"), std::abs(loc.value(1).toLongLong())},
                               {QStringLiteral("end"), std::abs(loc.value(2).toLongLong())},
                               {QStringLiteral("strand"), loc.value(1).toLongLong() < 0 ? QStringLiteral("-") : QStringLiteral("+")}});
    return std::optional<QJsonObject>(out);
}

} // namespace bioforge::annotation
