#include "pipeline/annotation_outputs.h"

#include "io/atomic_file.h"
#include "io/csv_writer.h"
#include "jobs/job.h"
#include "jobs/job_context.h"
#include "provenance/provenance_recorder.h"

#include <QDir>
#include <QLocale>
#include <QJsonDocument>
#include <QSaveFile>

#include <map>

namespace bioforge::annotation {

using core::orThrow;

QString cellText(const QJsonValue& v)
{
    switch (v.type()) {
    case QJsonValue::Bool: return v.toBool() ? QStringLiteral("true") : QStringLiteral("false");
    case QJsonValue::Double: {
        const double d = v.toDouble();
        return d == double(qint64(d)) && std::abs(d) < 1e15 ? QString::number(qint64(d)) : QString::number(d, 'g', QLocale::FloatingPointShortest);
    }
    case QJsonValue::String: return v.toString();
    case QJsonValue::Array: {
        QStringList parts;
        for (const QJsonValue& x : v.toArray())
            parts << (x.isObject() ? QString::fromUtf8(QJsonDocument(x.toObject()).toJson(QJsonDocument::Compact)) : cellText(x));
        return parts.join(QLatin1Char(','));
    }
    case QJsonValue::Object: return QString::fromUtf8(QJsonDocument(v.toObject()).toJson(QJsonDocument::Compact));
    default: return {};
    }
}

namespace {

class Output {
public:
    Output(core::JobContext& ctx, const QString& name) : m_ctx(ctx), m_name(name), m_file(QDir(ctx.outputDir()).filePath(name))
    {
        if (!m_file.open(QIODevice::WriteOnly))
            throw core::JobFailure(QStringLiteral("%1: cannot write: %2").arg(m_file.fileName(), core::AtomicFile::failureReason(m_file)));
    }
    void write(const QByteArray& bytes)
    {
        if (m_file.write(bytes) != bytes.size())
            throw core::JobFailure(QStringLiteral("%1: write failed: %2").arg(m_file.fileName(), core::AtomicFile::failureReason(m_file)));
    }
    void row(const QStringList& fields, QChar delimiter = QLatin1Char('\t'))
    {
        core::CsvWriter w(delimiter);
        w.writeRow(fields);
        write(w.data());
    }
    void commit()
    {
        if (core::Status done = core::AtomicFile::commit(m_file); !done)
            throw core::JobFailure(done.error().message());
        m_ctx.provenance().addOutput(m_name, m_name);
    }

private:
    core::JobContext& m_ctx;
    QString m_name;
    QSaveFile m_file;
};

struct SourceCounts {
    qint64 found = 0, absent = 0, failed = 0, fallback = 0;
    qint64 foundListingNothing = 0; // of `found`: a real zero (AnnotationSource::listsNothing)
    QJsonArray releases;
    QString firstError; // of a failed value
};

} // namespace

void writeAnnotationOutputs(core::JobContext& ctx, const RunStore& store, const GeneResolver& resolver, const QList<Resolution>& resolutions,
                            const QList<std::shared_ptr<const AnnotationSource>>& sources, const QStringList& skippedSources, const QJsonObject& online)
{
    Output resolution(ctx, QStringLiteral("resolution.tsv"));
    resolution.row({QStringLiteral("line"), QStringLiteral("input"), QStringLiteral("status"), QStringLiteral("via"), QStringLiteral("gene_key"),
                    QStringLiteral("symbol"), QStringLiteral("candidates"), QStringLiteral("reason")});
    std::map<QString, qint64> byStatus;
    for (const Resolution& r : resolutions) {
        resolution.row({QString::number(r.line), r.input, statusName(r.status), r.via, r.key, r.symbol, r.candidates.join(QStringLiteral("; ")), r.reason});
        ++byStatus[statusName(r.status)];
    }
    resolution.commit();

    Output table(ctx, QStringLiteral("annotations.tsv"));
    Output json(ctx, QStringLiteral("annotations.json"));
    Output coverage(ctx, QStringLiteral("coverage.tsv"));
    QStringList header{QStringLiteral("gene_key"), QStringLiteral("symbol")};
    for (const auto& s : sources) {
        header << s->id() + QStringLiteral(".status");
        for (const QString& c : s->tableColumns())
            header << s->id() + QLatin1Char('.') + c;
    }
    table.row(header);
    coverage.row({QStringLiteral("gene_key"), QStringLiteral("symbol"), QStringLiteral("source"), QStringLiteral("status"), QStringLiteral("reason")});
    json.write("[\n");
    QHash<QString, SourceCounts> counts;
    bool first = true;
    for (const Resolution& r : resolutions) {
        if (r.status != ResolutionStatus::Resolved)
            continue;
        const std::optional<GeneRecord> gene = orThrow(resolver.record(r.key));
        QStringList row{r.key, r.symbol};
        QJsonObject perSource;
        for (const auto& s : sources) {
            const std::optional<StoredValue> v = orThrow(store.value(s->id(), r.key));
            SourceCounts& c = counts[s->id()];
            if (!v) { // cannot happen after a finished annotate stage; say so rather than hide it
                row << QStringLiteral("missing");
                for (int i = 0; i < s->tableColumns().size(); ++i)
                    row << QString();
                coverage.row({r.key, r.symbol, s->id(), QStringLiteral("missing"), QStringLiteral("no stored value")});
                continue;
            }
            const SourceValue& sv = v->value;
            row << statusName(sv.status);
            for (const QString& column : s->tableColumns())
                row << cellText(sv.value.value(column));
            switch (sv.status) {
            case SourceValue::Status::Found:
                ++c.found;
                c.foundListingNothing += s->listsNothing(sv.value) ? 1 : 0;
                break;
            case SourceValue::Status::Absent: ++c.absent; break;
            case SourceValue::Status::Failed:
                ++c.failed;
                if (c.firstError.isEmpty())
                    c.firstError = sv.error;
                break;
            }
            if (sv.symbolFallback)
                ++c.fallback;
            if (c.releases.isEmpty())
                c.releases = sv.releases;
            if (sv.status != SourceValue::Status::Found)
                coverage.row({r.key, r.symbol, s->id(), statusName(sv.status), sv.error});
            QJsonObject o{{QStringLiteral("status"), statusName(sv.status)}, {QStringLiteral("joined_on"), sv.joinedOn},
                          {QStringLiteral("symbol_fallback"), sv.symbolFallback}, {QStringLiteral("value"), sv.value},
                          {QStringLiteral("releases"), sv.releases}, {QStringLiteral("fetched_at"), v->fetchedAt.toUTC().toString(Qt::ISODate)}};
            if (!sv.error.isEmpty())
                o.insert(QStringLiteral("error"), sv.error);
            perSource.insert(s->id(), o);
        }
        table.row(row);
        const QJsonObject entry{{QStringLiteral("key"), r.key}, {QStringLiteral("symbol"), r.symbol}, {QStringLiteral("input"), r.input},
                                {QStringLiteral("gene"), gene ? gene->toJson() : QJsonObject()}, {QStringLiteral("sources"), perSource}};
        json.write((first ? QByteArray() : QByteArray(",\n")) + QJsonDocument(entry).toJson(QJsonDocument::Compact));
        first = false;
        ctx.advance();
    }
    json.write("\n]\n");
    table.commit();
    json.commit();
    coverage.commit();

    QJsonObject resolved;
    for (const auto& [status, n] : byStatus)
        resolved.insert(status, n);
    QJsonObject perSource;
    for (const auto& s : sources) {
        const SourceCounts c = counts.value(s->id());
        perSource.insert(s->id(), QJsonObject{{QStringLiteral("title"), s->title()}, {QStringLiteral("found"), c.found},
                                              {QStringLiteral("found_listing_nothing"), c.foundListingNothing}, {QStringLiteral("absent"), c.absent},
                                              {QStringLiteral("failed"), c.failed}, {QStringLiteral("symbol_fallback"), c.fallback},
                                              {QStringLiteral("releases"), c.releases}});
    }
    QJsonObject summary{{QStringLiteral("inputs"), resolutions.size()},
                              {QStringLiteral("resolution"), resolved},
                              {QStringLiteral("identity"), resolver.release().toJson()},
                              {QStringLiteral("sources"), perSource},
                              {QStringLiteral("sources_not_imported"), QJsonArray::fromStringList(skippedSources)}};
    if (!online.isEmpty())
        summary.insert(QStringLiteral("online"), online); // requests made, cache hits and misses, circuit states
    Output s(ctx, QStringLiteral("summary.json"));
    s.write(QJsonDocument(summary).toJson(QJsonDocument::Indented));
    s.commit();
    // Values that could not be had (a network down, a provider's error) are said where the run is
    // read, and a run in which every value failed fails: it annotated nothing, and a resume asks
    // for the failed values again.
    qint64 had = 0, failed = 0;
    QStringList why;
    for (const auto& src : sources) {
        const SourceCounts c = counts.value(src->id());
        had += c.found + c.absent;
        failed += c.failed;
        if (c.failed > 0) {
            ctx.warn(QStringLiteral("%1: %2 of %3 values failed (%4); coverage.tsv lists each")
                         .arg(src->title(), QString::number(c.failed), QString::number(c.found + c.absent + c.failed), c.firstError));
            why << QStringLiteral("%1: %2").arg(src->id(), c.firstError);
        }
    }
    if (failed > 0 && had == 0)
        throw core::JobFailure(QStringLiteral("annotate: every value failed, nothing was annotated (%1); once the cause is fixed, resuming the run "
                                              "asks for them again")
                                   .arg(why.join(QStringLiteral("; "))));
    // A list in which no entry is a gene (a file of something else, the wrong column, a list of
    // another species) annotated nothing: a run that "finished" would tell a script all went well.
    if (!resolutions.isEmpty() && !byStatus.contains(statusName(ResolutionStatus::Resolved))) {
        QStringList counted;
        for (const auto& [status, count] : byStatus)
            counted << QStringLiteral("%1 %2").arg(QString::number(count), status);
        throw core::JobFailure::needingNewRun(QStringLiteral("annotate: no entry of the gene list is a gene in %1 (%2 %3: %4), nothing was annotated; resolution.tsv "
                                              "says why for each. Check that the list holds human gene symbols or ids; a corrected list needs a new run")
                                   .arg(resolver.release().release, QString::number(resolutions.size()),
                                        resolutions.size() == 1 ? QStringLiteral("entry") : QStringLiteral("entries"), counted.join(QStringLiteral(", "))));
    }
}

} // namespace bioforge::annotation
