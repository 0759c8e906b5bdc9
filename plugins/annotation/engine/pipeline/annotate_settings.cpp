#include "pipeline/annotate_settings.h"

#include "sources/annotation_source.h"

#include <QJsonArray>

namespace bioforge::annotation {

using T = core::ParameterSpec::Type;

core::VerbSpec annotateVerb()
{
    QStringList ids;
    for (const auto& s : allSources())
        ids << s->id();
    return {QStringLiteral("annotate"),
            QStringLiteral("a gene list against the annotation sources: identities, evidence per source with its release, resolution table"),
            {{QStringLiteral("genes"), T::Path, QStringLiteral("the gene list: symbols, HGNC ids, Ensembl or NCBI gene ids, one or more per line"), QString(), {}, 0, 0, true},
             {QStringLiteral("genes_text"), T::String, QStringLiteral("the gene list as text (instead of a file)"), QString(), {}, 0, 0},
             {QStringLiteral("sources"), T::String, QStringLiteral("sources, comma-separated (%1); empty: every source with its files imported").arg(ids.join(QLatin1Char(','))),
              QString(), {}, 0, 0},
             {QStringLiteral("offline"), T::Boolean, QStringLiteral("from imported bulk files only; false: the providers' APIs answer what the files do not "
                                                                    "(the gene list then leaves this machine)"), true, {}, 0, 0},
             {QStringLiteral("api_urls"), T::String, QStringLiteral("API base URLs instead of the providers' own, e.g. hgnc=https://mirror.example,gnomad=…"),
              QString(), {}, 0, 0},
             {QStringLiteral("cache"), T::String, QStringLiteral("the API answers' cache (SQLite); empty: the project's"), QString(), {}, 0, 0, false, true, true},
             {QStringLiteral("identity"), T::Choice, QStringLiteral("identity authority: auto (HGNC when imported, else org.Hs.eg.db), hgnc or orgdb"),
              QStringLiteral("auto"), {QStringLiteral("auto"), QStringLiteral("hgnc"), QStringLiteral("orgdb")}, 0, 0},
             {QStringLiteral("library"), T::String, QStringLiteral("the annotation library (SQLite); empty: the per-user one"), QString(), {}, 0, 0, false, true, true},
             {QStringLiteral("import_dir"), T::String, QStringLiteral("a folder of provider files to import into the library first (each recognised by its "
                                                                       "source, skipped when it is already the active release)"), QString(), {}, 0, 0, false, true},
             {QStringLiteral("orgdb"), T::String, QStringLiteral("org.Hs.eg.sqlite to import first: a path, or auto (where R installs Debian's r-bioc-org.hs.eg.db)"),
              QString(), {}, 0, 0, false, true},
             {QStringLiteral("batch"), T::Integer, QStringLiteral("values stored per transaction"), 200, {}, 1, 100000}}};
}

core::Expected<AnnotateSettings> AnnotateSettings::fromParameters(const QJsonObject& p)
{
    AnnotateSettings s;
    s.genesFile = p.value(QLatin1String("genes")).toString();
    s.genesText = p.value(QLatin1String("genes_text")).toString();
    if (s.genesFile.isEmpty() == s.genesText.trimmed().isEmpty())
        return core::Error(s.genesFile.isEmpty() ? QStringLiteral("annotate: give a gene list (--genes FILE or --genes_text \"PKD1 PKD2 …\")")
                                                 : QStringLiteral("annotate: give --genes or --genes_text, not both"));
    for (const QString& id : p.value(QLatin1String("sources")).toString().split(QLatin1Char(','), Qt::SkipEmptyParts)) {
        const QString t = id.trimmed().toLower();
        if (!sourceById(t)) {
            QStringList ids;
            for (const auto& src : allSources())
                ids << src->id();
            return core::Error(QStringLiteral("annotate: no source '%1'; sources: %2").arg(t, ids.join(QStringLiteral(", "))));
        }
        if (!s.sources.contains(t))
            s.sources << t;
    }
    s.offline = p.value(QLatin1String("offline")).toBool(true);
    const QString identity = p.value(QLatin1String("identity")).toString();
    s.identity = identity == QLatin1String("auto") ? QString() : identity;
    s.library = p.value(QLatin1String("library")).toString();
    s.importDir = p.value(QLatin1String("import_dir")).toString();
    s.cachePath = p.value(QLatin1String("cache")).toString();
    for (const QString& pair : p.value(QLatin1String("api_urls")).toString().split(QLatin1Char(','), Qt::SkipEmptyParts)) {
        const qsizetype eq = pair.indexOf(QLatin1Char('='));
        if (eq <= 0 || !sourceById(pair.left(eq).trimmed()))
            return core::Error(QStringLiteral("annotate: api_urls entry '%1' is not SOURCE=URL with a known source").arg(pair));
        s.apiUrls.insert(pair.left(eq).trimmed(), pair.mid(eq + 1).trimmed());
    }
    s.orgDb = p.value(QLatin1String("orgdb")).toString();
    s.batch = p.value(QLatin1String("batch")).toInt(200);
    return s;
}

} // namespace bioforge::annotation
