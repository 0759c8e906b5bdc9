#include "identity/hgnc_reader.h"

#include "io/delimited_file.h"
#include "io/line_reader.h"

#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QRegularExpression>

#include <nlohmann/json.hpp>
#include <zlib.h>

#include <istream>
#include <streambuf>

namespace bioforge::annotation {
namespace {

// Bytes of a plain or gzip file as a std::istream (zlib's gzread reads both).
class GzStreamBuf : public std::streambuf {
public:
    explicit GzStreamBuf(gzFile f) : m_file(f) {}
    ~GzStreamBuf() override
    {
        if (m_file)
            gzclose(m_file);
    }
    qint64 compressedOffset() const { return m_file ? qint64(gzoffset(m_file)) : 0; }
    bool failed() const { return m_failed; }

protected:
    int_type underflow() override
    {
        if (gptr() < egptr())
            return traits_type::to_int_type(*gptr());
        const int n = gzread(m_file, m_buffer, sizeof m_buffer);
        if (n < 0)
            m_failed = true;
        if (n <= 0)
            return traits_type::eof();
        setg(m_buffer, m_buffer, m_buffer + n);
        return traits_type::to_int_type(*gptr());
    }

private:
    gzFile m_file;
    char m_buffer[1 << 16];
    bool m_failed = false;
};

QStringList stringList(const QJsonValue& v)
{
    QStringList out;
    if (v.isArray()) {
        for (const QJsonValue& x : v.toArray())
            if (!x.toString().trimmed().isEmpty())
                out << x.toString().trimmed();
    } else if (v.isString()) {
        out = splitList(v.toString(), QLatin1Char('|'));
    } else if (v.isDouble()) {
        out << QString::number(v.toInteger());
    }
    return out;
}

QString scalar(const QJsonValue& v)
{
    if (v.isDouble())
        return QString::number(v.toInteger());
    if (v.isArray())
        return stringList(v).value(0);
    return v.toString().trimmed();
}

void setMane(GeneRecord& r, const QStringList& mane)
{
    for (const QString& m : mane) {
        if (m.startsWith(QLatin1String("ENST")))
            r.maneSelectEnsembl = m;
        else if (m.startsWith(QLatin1String("NM_")) || m.startsWith(QLatin1String("NR_")))
            r.maneSelectRefseq = m;
    }
}

} // namespace

GeneRecord geneFromHgncDoc(const QJsonObject& d)
{
    GeneRecord r;
    r.hgncId = scalar(d.value(QLatin1String("hgnc_id")));
    r.key = r.hgncId;
    r.symbol = scalar(d.value(QLatin1String("symbol")));
    r.name = scalar(d.value(QLatin1String("name")));
    r.status = scalar(d.value(QLatin1String("status")));
    r.locusGroup = scalar(d.value(QLatin1String("locus_group")));
    r.locusType = scalar(d.value(QLatin1String("locus_type")));
    r.location = scalar(d.value(QLatin1String("location")));
    r.ncbiGeneId = scalar(d.value(QLatin1String("entrez_id")));
    r.ensemblGeneId = scalar(d.value(QLatin1String("ensembl_gene_id")));
    r.uniprotIds = stringList(d.value(QLatin1String("uniprot_ids")));
    r.omimIds = stringList(d.value(QLatin1String("omim_id")));
    r.refseqAccessions = stringList(d.value(QLatin1String("refseq_accession")));
    r.previousSymbols = stringList(d.value(QLatin1String("prev_symbol")));
    r.aliasSymbols = stringList(d.value(QLatin1String("alias_symbol")));
    setMane(r, stringList(d.value(QLatin1String("mane_select"))));
    r.dateModified = scalar(d.value(QLatin1String("date_modified")));
    return r;
}

namespace {

struct EndOfRead {}; // thrown out of the parser when `each` fails or a stop is asked

core::Expected<QString> readJson(const QString& path, const std::function<core::Status(const GeneRecord&)>& each, const StreamControl& control)
{
    gzFile f = gzopen(QFile::encodeName(path).constData(), "rb");
    if (!f)
        return core::Error(QStringLiteral("%1: cannot open").arg(path));
    gzbuffer(f, 1 << 17);
    GzStreamBuf buffer(f);
    std::istream in(&buffer);
    const qint64 size = QFileInfo(path).size();
    QString newest;
    qint64 docs = 0;
    core::Status failure;
    bool inDocs = false, stopped = false;
    using json = nlohmann::json;
    // Depths: 0 the envelope, 1 "response", 2 "docs" (the array), 3 a doc.
    json::parser_callback_t callback = [&](int depth, json::parse_event_t event, json& parsed) -> bool {
        if (event == json::parse_event_t::key && depth == 2)
            inDocs = parsed == "docs";
        if (event != json::parse_event_t::object_end || depth != 3 || !inDocs)
            return true;
        const QJsonDocument d = QJsonDocument::fromJson(QByteArray::fromStdString(parsed.dump()));
        GeneRecord r = geneFromHgncDoc(d.object());
        ++docs;
        if (r.hgncId.isEmpty() || r.symbol.isEmpty())
            failure = core::Error(QStringLiteral("%1: doc %2 has no hgnc_id or symbol; is this HGNC's complete set?").arg(path, QString::number(docs)));
        else if (auto st = each(r); !st)
            failure = st;
        if (r.dateModified > newest)
            newest = r.dateModified;
        if (control.progress && docs % 1000 == 0)
            control.progress(buffer.compressedOffset(), size);
        if (control.stopped())
            stopped = true;
        if (!failure || stopped)
            throw EndOfRead{};
        return false; // the doc is not kept in the tree: memory stays flat
    };
    try {
        const json discarded = json::parse(in, callback, true, false); // every doc was handled in the callback
        (void)discarded;
    } catch (const EndOfRead&) {
    } catch (const json::parse_error& e) {
        return core::Error(QStringLiteral("%1: not valid JSON at byte %2: %3").arg(path, QString::number(qint64(e.byte)), QString::fromUtf8(e.what())));
    } catch (const json::exception& e) {
        // The parser throws more than parse_error: out_of_range 406 for a number beyond a double
        // ("number overflow parsing '1e999'"), which names the number but not its offset.
        return core::Error(QStringLiteral("%1: not valid JSON: %2").arg(path, QString::fromUtf8(e.what())));
    }
    if (buffer.failed())
        return core::Error(QStringLiteral("%1: the file is damaged or truncated (gzip read failed)").arg(path));
    if (!failure)
        return failure.error();
    if (stopped)
        return core::Error(QStringLiteral("%1: stopped").arg(path));
    if (docs == 0)
        return core::Error(QStringLiteral("%1: no genes in response.docs; is this HGNC's complete set (hgnc_complete_set.json)?").arg(path));
    return newest;
}

core::Expected<QString> readTsv(const QString& path, const std::function<core::Status(const GeneRecord&)>& each, const StreamControl& control)
{
    auto file = DelimitedFile::open(path, {});
    if (!file)
        return file.error();
    DelimitedFile& f = **file;
    if (auto st = f.readHeader({QStringLiteral("hgnc_id"), QStringLiteral("symbol"), QStringLiteral("status")}); !st)
        return st.error();
    QString newest;
    qint64 rows = 0;
    for (;;) {
        auto row = f.next();
        if (!row)
            return row.error();
        if (!*row)
            break;
        QJsonObject doc;
        for (int c = 0; c < f.header().size(); ++c) {
            const QByteArrayView field = unquoted((**row)[c]);
            if (field.isEmpty())
                continue;
            auto t = f.text(field);
            if (!t)
                return t.error();
            doc.insert(f.header()[c], *t);
        }
        GeneRecord r = geneFromHgncDoc(doc);
        if (r.hgncId.isEmpty() || r.symbol.isEmpty())
            return f.errorAt(QStringLiteral("no hgnc_id or symbol"));
        if (auto st = each(r); !st)
            return st.error();
        if (r.dateModified > newest)
            newest = r.dateModified;
        if (control.progress && ++rows % 1000 == 0)
            control.progress(f.bytesRead(), f.fileSize());
        if (control.stopped())
            return core::Error(QStringLiteral("%1: stopped").arg(path));
    }
    return newest;
}

} // namespace

core::Expected<QString> readHgncCompleteSet(const QString& path, const std::function<core::Status(const GeneRecord&)>& each, const StreamControl& control)
{
    // The line reader refuses what is not text (other compressions, binary, HTML checked below).
    auto probe = core::LineReader::open(path);
    if (!probe)
        return probe.error();
    const QByteArray head = (*probe)->head().trimmed();
    probe->reset();
    if (head.startsWith('{'))
        return readJson(path, each, control);
    if (head.startsWith("hgnc_id"))
        return readTsv(path, each, control);
    if (head.startsWith('<'))
        return core::Error(QStringLiteral("%1: an HTML or XML page, not HGNC's complete set (a download that returned an error page?)").arg(path));
    return core::Error(QStringLiteral("%1: neither HGNC's JSON complete set (starts with '{') nor its TSV (header starting 'hgnc_id')").arg(path));
}

core::Status readHgncWithdrawn(const QString& path, const std::function<core::Status(const WithdrawnSymbol&)>& each)
{
    auto file = DelimitedFile::open(path, {});
    if (!file)
        return file.error();
    DelimitedFile& f = **file;
    if (auto st = f.readHeader({QStringLiteral("HGNC_ID"), QStringLiteral("STATUS"), QStringLiteral("WITHDRAWN_SYMBOL")}); !st)
        return st;
    const int id = f.column(QStringLiteral("HGNC_ID")), status = f.column(QStringLiteral("STATUS")), symbol = f.column(QStringLiteral("WITHDRAWN_SYMBOL"));
    int merged = f.column(QStringLiteral("MERGED_INTO_REPORT(S)"));
    if (merged < 0)
        merged = f.column(QStringLiteral("MERGED_INTO_REPORT(S) (i.e HGNC_ID|SYMBOL|STATUS)"));
    static const QRegularExpression report(QStringLiteral("HGNC:\\d+\\|([^|,\\s]+)\\|([A-Za-z ]+)"));
    for (;;) {
        auto row = f.next();
        if (!row)
            return row.error();
        if (!*row)
            return core::okStatus();
        WithdrawnSymbol w;
        auto i = f.text(unquoted((**row)[id]));
        auto st = f.text(unquoted((**row)[status]));
        auto sy = f.text(unquoted((**row)[symbol]));
        if (!i || !st || !sy)
            return (!i ? i : !st ? st : sy).error();
        w.hgncId = *i;
        w.status = *st;
        w.symbol = *sy;
        if (merged >= 0) {
            auto m = f.text(unquoted((**row)[merged]));
            if (!m)
                return m.error();
            for (auto it = report.globalMatch(*m); it.hasNext();) {
                const auto match = it.next();
                if (match.captured(2).trimmed() == QLatin1String("Approved"))
                    w.mergedInto << match.captured(1);
            }
        }
        if (w.symbol.isEmpty())
            return f.errorAt(QStringLiteral("no WITHDRAWN_SYMBOL"));
        if (auto s = each(w); !s)
            return s;
    }
}

} // namespace bioforge::annotation
