#include "sources/hpo_source.h"

#include "io/delimited_file.h"
#include "io/line_reader.h"
#include "io/text_decoding.h"

#include <QHash>
#include <QSet>

namespace bioforge::annotation {
namespace {

// Roots of the kidney subset (HPO): Abnormality of the upper urinary tract,
// of the kidney, abnormal renal morphology, of the urinary system.
const QStringList& kidneyRoots()
{
    static const QStringList r{QStringLiteral("HP:0010935"), QStringLiteral("HP:0000077"), QStringLiteral("HP:0012210"), QStringLiteral("HP:0000079")};
    return r;
}

constexpr int kKeptPhenotypes = 200;

struct Term {
    QString name;
    QStringList parents;
    bool obsolete = false;
};

} // namespace

QString HpoSource::id() const { return QStringLiteral("hpo"); }
QString HpoSource::title() const { return QStringLiteral("HPO"); }

QList<BulkPart> HpoSource::parts() const
{
    return {{QStringLiteral("genes_to_phenotype"), QStringLiteral("genes_to_phenotype.txt (HPO annotation release: ncbi_gene_id, gene_symbol, hpo_id, hpo_name, frequency, disease_id)"), true, QStringLiteral("http://purl.obolibrary.org/obo/hp/hpoa/genes_to_phenotype.txt")},
            {QStringLiteral("ontology"), QStringLiteral("hp.obo of the same release (marks the kidney phenotypes)"), false, QStringLiteral("http://purl.obolibrary.org/obo/hp.obo")}};
}

core::Expected<QString> HpoSource::detectPart(const QString& path) const
{
    auto head = textHead(path);
    if (!head)
        return head.error();
    if (head->startsWith("format-version:"))
        return QStringLiteral("ontology");
    const QByteArray first = head->left(head->indexOf('\n'));
    if (first.contains("ncbi_gene_id") && first.contains("hpo_id"))
        return QStringLiteral("genes_to_phenotype");
    return unknownPart(*this, path);
}

core::Expected<QString> HpoSource::importPart(const QString& part, const QString& path, BulkWriter& writer, const StreamControl& control) const
{
    if (part == QLatin1String("ontology")) {
        auto reader = core::LineReader::open(path);
        if (!reader)
            return reader.error();
        QHash<QString, Term> terms;
        QString current, release;
        bool inTerm = false;
        for (;;) {
            auto l = (*reader)->next();
            if (!l)
                return l.error();
            if (!*l)
                break;
            auto text = core::decodeUtf8Line(**l, path, (*reader)->lineNumber());
            if (!text)
                return text.error();
            const QString line = text->trimmed();
            if (line.startsWith(QLatin1Char('['))) {
                inTerm = line == QLatin1String("[Term]");
                current.clear();
            } else if (line.startsWith(QLatin1String("data-version:")) && release.isEmpty()) {
                release = line.mid(13).trimmed();
            } else if (inTerm && line.startsWith(QLatin1String("id: "))) {
                current = line.mid(4).trimmed();
                terms[current];
            } else if (inTerm && !current.isEmpty() && line.startsWith(QLatin1String("name: "))) {
                terms[current].name = line.mid(6).trimmed();
            } else if (inTerm && !current.isEmpty() && line.startsWith(QLatin1String("is_a: "))) {
                terms[current].parents << line.mid(6).section(QLatin1Char(' '), 0, 0).trimmed();
            } else if (inTerm && !current.isEmpty() && line == QLatin1String("is_obsolete: true")) {
                terms[current].obsolete = true;
            }
            if ((*reader)->lineNumber() % 20000 == 0 && control.stopped())
                return core::Error(QStringLiteral("%1: stopped").arg(path));
        }
        if (terms.isEmpty())
            return core::Error(QStringLiteral("%1: no [Term] stanzas; is this hp.obo?").arg(path));
        // Kidney = a root or below one (is_a, transitively).
        QHash<QString, int> memo; // 0 unknown, 1 kidney, 2 not, 3 on the stack
        std::function<bool(const QString&)> kidney = [&](const QString& id) -> bool {
            if (kidneyRoots().contains(id))
                return true;
            const int m = memo.value(id);
            if (m == 1 || m == 2 || m == 3)
                return m == 1;
            memo[id] = 3;
            bool k = false;
            for (const QString& p : terms.value(id).parents)
                if (kidney(p)) {
                    k = true;
                    break;
                }
            memo[id] = k ? 1 : 2;
            return k;
        };
        for (auto it = terms.begin(); it != terms.end(); ++it)
            if (auto st = writer.put(it.key(), QString(), QJsonObject{{QStringLiteral("name"), it->name}, {QStringLiteral("kidney"), kidney(it.key())},
                                                                      {QStringLiteral("obsolete"), it->obsolete}});
                !st)
                return st.error();
        return release.isEmpty() ? QStringLiteral("HPO ontology (%1)").arg(fileRelease(path)) : QStringLiteral("HPO %1").arg(release);
    }
    auto file = DelimitedFile::open(path, {});
    if (!file)
        return file.error();
    DelimitedFile& f = **file;
    if (auto st = f.readHeader({QStringLiteral("ncbi_gene_id"), QStringLiteral("gene_symbol"), QStringLiteral("hpo_id"), QStringLiteral("hpo_name"),
                                QStringLiteral("disease_id")});
        !st)
        return st.error();
    const int gene = f.column(QStringLiteral("ncbi_gene_id")), symbol = f.column(QStringLiteral("gene_symbol")), hpo = f.column(QStringLiteral("hpo_id")),
              name = f.column(QStringLiteral("hpo_name")), disease = f.column(QStringLiteral("disease_id"));
    struct Tally {
        QString symbol;
        QSet<QString> phenotypeIds;
        QJsonArray phenotypes;
        QSet<QString> diseases;
    };
    QHash<QString, Tally> byGene;
    for (qint64 rows = 0;; ++rows) {
        auto row = f.next();
        if (!row)
            return row.error();
        if (!*row)
            break;
        const QList<QByteArrayView>& r = **row;
        auto id = f.text(r[gene]);
        auto sym = f.text(r[symbol]);
        auto term = f.text(r[hpo]);
        auto termName = f.text(r[name]);
        auto dis = f.text(r[disease]);
        if (!id || !sym || !term || !termName || !dis)
            return (!id ? id : !sym ? sym : !term ? term : !termName ? termName : dis).error();
        QString geneId = id->trimmed();
        if (geneId.startsWith(QLatin1String("NCBIGene:")))
            geneId = geneId.mid(9);
        Tally& t = byGene[geneId];
        t.symbol = *sym;
        if (!t.phenotypeIds.contains(*term)) {
            t.phenotypeIds.insert(*term);
            t.phenotypes.append(QJsonObject{{QStringLiteral("id"), *term}, {QStringLiteral("name"), *termName}});
        }
        if (!dis->isEmpty() && *dis != QLatin1String("-"))
            t.diseases.insert(*dis);
        if (auto st = f.poll(rows, control, 8192); !st)
            return st.error();
    }
    for (auto it = byGene.begin(); it != byGene.end(); ++it) {
        QStringList diseases(it->diseases.begin(), it->diseases.end());
        diseases.sort();
        if (auto st = writer.put(it.key(), it->symbol,
                                 QJsonObject{{QStringLiteral("phenotypes"), it->phenotypes}, {QStringLiteral("diseases"), QJsonArray::fromStringList(diseases)}});
            !st)
            return st.error();
    }
    return QStringLiteral("HPO genes_to_phenotype (%1)").arg(fileRelease(path));
}

bool HpoSource::listsNothing(const QJsonObject& value) const
{
    return value.value(QStringLiteral("phenotype_count")).toInteger() == 0 && value.value(QStringLiteral("disease_count")).toInteger() == 0;
}

core::Expected<SourceValue> HpoSource::annotate(const GeneRecord& gene, const BulkView& view, const ListContext&) const
{
    SourceValue v;
    v.releases = view.releasesJson();
    auto row = joinValue(view, QStringLiteral("genes_to_phenotype"), {{QStringLiteral("NCBI gene"), gene.ncbiGeneId}}, gene.symbol, v);
    if (!row)
        return row.error();
    if (!*row) {
        if (v.error.isEmpty() && isExtract(view, QStringLiteral("genes_to_phenotype"))) { // not known: an online run asks the API
            v.error = QStringLiteral("%1 is not in %2, an extract of HPO's genes_to_phenotype (%3 rows)")
                          .arg(gene.symbol, view.parts().value(QStringLiteral("genes_to_phenotype")).fileName,
                               QString::number(view.parts().value(QStringLiteral("genes_to_phenotype")).rows));
        } else if (v.error.isEmpty()) {
            // The file lists every gene HPO annotates: absence means no phenotype, not a gap.
            v.status = SourceValue::Status::Found;
            v.joinedOn = QStringLiteral("not in genes_to_phenotype (no annotated phenotype)");
            v.value = QJsonObject{{QStringLiteral("phenotype_count"), 0}, {QStringLiteral("disease_count"), 0}};
        }
        return v;
    }
    const QJsonArray phenotypes = (*row)->value(QStringLiteral("phenotypes")).toArray();
    const QJsonArray diseases = (*row)->value(QStringLiteral("diseases")).toArray();
    QJsonArray kept, kidney;
    const bool haveOntology = view.has(QStringLiteral("ontology"));
    for (const QJsonValue& p : phenotypes) {
        const QString id = p.toObject().value(QStringLiteral("id")).toString();
        if (kept.size() < kKeptPhenotypes)
            kept.append(p);
        if (haveOntology) {
            auto term = view.byId(QStringLiteral("ontology"), id);
            if (!term)
                return term.error();
            if (*term && (*term)->value(QStringLiteral("kidney")).toBool())
                kidney.append(p);
        }
    }
    v.status = SourceValue::Status::Found;
    v.value = QJsonObject{{QStringLiteral("phenotype_count"), phenotypes.size()}, {QStringLiteral("phenotypes"), kept},
                          {QStringLiteral("disease_count"), diseases.size()}, {QStringLiteral("diseases"), diseases}};
    if (haveOntology) {
        v.value.insert(QStringLiteral("kidney_phenotype_count"), kidney.size());
        v.value.insert(QStringLiteral("kidney_phenotypes"), kidney);
        v.value.insert(QStringLiteral("has_kidney_phenotype"), !kidney.isEmpty());
    }
    return v;
}

QStringList HpoSource::tableColumns() const
{
    return {QStringLiteral("phenotype_count"), QStringLiteral("disease_count"), QStringLiteral("kidney_phenotype_count")};
}

} // namespace bioforge::annotation
