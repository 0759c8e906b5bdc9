#include "identity/gene_list.h"

#include "io/line_reader.h"
#include "io/table_values.h"
#include "io/text_decoding.h"

#include <QHash>
#include <QRegularExpression>
#include <QSet>

#include <algorithm>

namespace bioforge::annotation {
namespace {

// The words of a column's title, however it is joined ("Gene stable ID", "gene_name", "Gene.symbol",
// "HGNC symbol"), lower case.
QStringList titleWords(const QString& token)
{
    static const QRegularExpression joins(QStringLiteral("[\\s_.\\-]+"));
    return token.trimmed().toLower().split(joins, Qt::SkipEmptyParts);
}

// A column's title: every word one a title is made of, as Ensembl BioMart ("Gene stable ID", "Gene
// name", "HGNC symbol"), NCBI ("GeneID"), UniProt ("Gene names"), GENCODE ("gene_name") and GEO2R
// ("Gene.symbol") write them. A word was taken for a gene: "ID" annotated as ID1 (trial 20).
bool isTitle(const QString& token)
{
    static const QSet<QString> words{
        QStringLiteral("gene"),      QStringLiteral("genes"),      QStringLiteral("symbol"),   QStringLiteral("symbols"),     QStringLiteral("name"),
        QStringLiteral("names"),     QStringLiteral("id"),         QStringLiteral("ids"),      QStringLiteral("identifier"),  QStringLiteral("identifiers"),
        QStringLiteral("stable"),    QStringLiteral("ensembl"),    QStringLiteral("entrez"),   QStringLiteral("ncbi"),        QStringLiteral("hgnc"),
        QStringLiteral("hugo"),      QStringLiteral("approved"),   QStringLiteral("official"), QStringLiteral("accession"),   QStringLiteral("geneid"),
        QStringLiteral("genesymbol"), QStringLiteral("genename"),  QStringLiteral("genenames"), QStringLiteral("list"),       QStringLiteral("of")};
    const QStringList w = titleWords(token);
    return !w.isEmpty() && std::all_of(w.begin(), w.end(), [](const QString& word) { return words.contains(word); });
}

// Of a header's titles, the one of symbols before names, names before genes, genes before ids
// ("Gene stable ID, Gene name": the names).
int titleRank(const QString& title)
{
    const QStringList w = titleWords(title);
    const auto has = [&](std::initializer_list<const char*> any) {
        return std::any_of(any.begin(), any.end(), [&](const char* word) { return w.contains(QLatin1String(word)); });
    };
    return has({"symbol", "symbols", "genesymbol"}) ? 3 : has({"name", "names", "genename", "genenames"}) ? 2 : has({"gene", "genes"}) ? 1 : 0;
}

struct Line {
    QString text; // without its comment
    qint64 number = 0;
};

QString unquoted(const QString& token)
{
    QString t = token.trimmed();
    if (t.size() >= 2 && t.startsWith(QLatin1Char('"')) && t.endsWith(QLatin1Char('"')))
        t = t.mid(1, t.size() - 2).trimmed();
    return t;
}

QStringList fieldsOf(const QString& line)
{
    static const QRegularExpression separators(QStringLiteral("[,;\\t]"));
    QStringList fields = line.split(separators);
    for (QString& f : fields)
        f = unquoted(f);
    return fields;
}

bool isNumberLike(const QString& field, bool* integer)
{
    static const QSet<QString> infinite{QStringLiteral("inf"), QStringLiteral("-inf"), QStringLiteral("+inf")};
    if (core::isMissingValueText(field) || infinite.contains(field.toLower()) || core::isMissingValueText(field.toUpper())) {
        *integer = true;
        return true;
    }
    bool ok = false;
    field.toDouble(&ok);
    bool isInt = false;
    field.toLongLong(&isInt);
    *integer = isInt;
    return ok;
}

// The rule of a table without a header naming the genes: from line `skip` on, every line has
// `columns` fields, every field after the first a number (or NA, empty), and some first field not
// a number or some other field not an integer (else it is a list of NCBI ids, several a line).
bool genesThenNumbers(const QList<Line>& lines, qsizetype skip, qsizetype columns, QStringList (*split)(const QString&))
{
    bool someFirstNotNumber = false, someOtherNotInteger = false;
    for (qsizetype l = skip; l < lines.size(); ++l) {
        const QStringList fields = split(lines[l].text);
        if (fields.size() != columns)
            return false;
        bool integer = false;
        if (!isNumberLike(fields[0], &integer))
            someFirstNotNumber = true;
        for (qsizetype i = 1; i < fields.size(); ++i) {
            if (!isNumberLike(fields[i], &integer))
                return false;
            someOtherNotInteger = someOtherNotInteger || !integer;
        }
    }
    return someFirstNotNumber || someOtherNotInteger;
}

// The column that holds the genes when the lines are a table (see gene_list.h), or -1; skip: the
// lines before the data (a header, or a title line of one field), title: the column's title.
int geneColumn(const QList<Line>& lines, int& skip, QString& title, qsizetype& columns)
{
    skip = 0;
    if (lines.isEmpty())
        return -1;
    const QStringList first = fieldsOf(lines.first().text);
    columns = first.size();
    if (first.size() >= 2) {
        int best = -1;
        for (qsizetype i = 0; i < first.size(); ++i)
            if (isTitle(first[i]) && (best < 0 || titleRank(first[i]) > titleRank(first[best])))
                best = int(i);
        if (best >= 0) {
            skip = 1;
            title = first[best];
            return best;
        }
    }
    if (first.size() == 1 && isTitle(first[0]))
        skip = 1; // "gene" over a table without the other columns' titles
    if (skip >= lines.size())
        return -1;
    columns = fieldsOf(lines[skip].text).size();
    if (columns < 2)
        return -1;
    return genesThenNumbers(lines, skip, columns, fieldsOf) ? 0 : -1;
}

// Fields of a line aligned with spaces (a copy from a PDF table, a terminal's `column -t`, R's print()).
QStringList spacedFieldsOf(const QString& line)
{
    static const QRegularExpression spaces(QStringLiteral("\\s+"));
    QStringList fields = line.split(spaces, Qt::SkipEmptyParts);
    for (QString& f : fields)
        f = unquoted(f);
    return fields;
}

// The same rule as geneColumn for lines without tabs, commas or semicolons, whose fields are apart
// by spaces ("PKD1 2.5"): a gene and its numbers, column 1 — the numbers read as NCBI ids were
// genes of their own (2 is A2M). Only the numbers rule: a title line is skipped when its first
// word is a title ("gene score"); the genes are always the first column.
int spacedGeneColumn(const QList<Line>& lines, int& skip, qsizetype& columns)
{
    static const QRegularExpression delimiters(QStringLiteral("[,;\\t]"));
    for (const Line& l : lines)
        if (l.text.contains(delimiters))
            return -1;
    skip = !lines.isEmpty() && !spacedFieldsOf(lines.first().text).isEmpty() && isTitle(spacedFieldsOf(lines.first().text).first()) ? 1 : 0;
    if (skip >= lines.size())
        return -1;
    columns = spacedFieldsOf(lines[skip].text).size();
    if (columns < 2)
        return -1;
    return genesThenNumbers(lines, skip, columns, spacedFieldsOf) ? 0 : -1;
}

QList<GeneListEntry> entriesOf(const QList<Line>& lines, QString* layout)
{
    QList<GeneListEntry> out;
    int skip = 0;
    QString title;
    qsizetype columns = 0;
    if (const int spaced = spacedGeneColumn(lines, skip, columns); spaced >= 0) {
        for (qsizetype i = skip; i < lines.size(); ++i)
            if (const QStringList fields = spacedFieldsOf(lines[i].text); !fields.isEmpty())
                out.append({fields[0], lines[i].number, {}});
        if (layout)
            *layout = QStringLiteral("read as a table of columns apart by spaces: the genes are column 1 of %1 (every other column holds "
                                     "numbers, which were skipped)")
                          .arg(columns);
        return out;
    }
    skip = 0;
    if (const int column = geneColumn(lines, skip, title, columns); column >= 0) {
        for (qsizetype i = skip; i < lines.size(); ++i) {
            const QStringList fields = fieldsOf(lines[i].text);
            if (column < fields.size() && !fields[column].isEmpty())
                out.append({fields[column], lines[i].number, {}});
        }
        if (layout)
            *layout = !title.isEmpty() ? QStringLiteral("read as a table: the genes are column %1 ('%2') of %3; the other columns are not genes and were skipped")
                                   .arg(QString::number(column + 1), title, QString::number(columns))
                             : QStringLiteral("read as a table: the genes are column 1 of %1 (every other column holds numbers, which were skipped)")
                                   .arg(columns);
        return out;
    }
    static const QRegularExpression separators(QStringLiteral("[,;\\t\\s]+"));
    static const QRegularExpression bareNumber(QStringLiteral("^[-+]?(?:\\d+\\.?\\d*|\\.\\d+)(?:[eE][-+]?\\d+)?$"));
    for (qsizetype i = 0; i < lines.size(); ++i) {
        if (i == 0 && isTitle(lines[i].text))
            continue;
        // A name and then bare numbers on one line ("CD2AP  2": a row of a results table pasted into a
        // typed list, which the table rules do not see as a table): the numbers are a score or a count,
        // not NCBI ids (2 is A2M, annotated beside the genes listed: trial 23 T23-9). Listed unknown,
        // saying why; NCBIGene:2 or a line of its own is an id.
        QString name;
        for (const QString& token : lines[i].text.split(separators, Qt::SkipEmptyParts)) {
            const QString t = unquoted(token);
            if (t.isEmpty())
                continue;
            GeneListEntry e{t, lines[i].number, {}};
            if (name.isEmpty() && !bareNumber.match(t).hasMatch())
                name = t;
            else if (!name.isEmpty() && bareNumber.match(t).hasMatch())
                e.problem = QStringLiteral("'%1' follows '%2' on line %3: a bare number beside a name is read as a score or a count, not as NCBI "
                                           "gene %1; write an NCBI gene id on a line of its own, or as NCBIGene:%1")
                                .arg(t, name, QString::number(lines[i].number));
            out.append(e);
        }
    }
    return out;
}

// What a copy from a web page, Word or a spreadsheet brings along: no-break spaces between names
// (a separator, as a space is) and invisible characters inside them (zero-width spaces and
// joiners, a byte-order mark mid-file), which made "'\u200BUMOD' is no symbol" read as "'UMOD'".
QString withoutInvisibles(const QString& line)
{
    QString out = core::withoutZeroWidth(line);
    for (QChar& c : out) {
        const char16_t u = c.unicode();
        if (u == 0x00a0 || u == 0x2007 || u == 0x202f)
            c = QLatin1Char(' ');
        else if ((u >= 0x2010 && u <= 0x2015) || u == 0x2212) // Word's and PDFs' hyphens, dashes and minus: HLA‐B is HLA-B
            c = QLatin1Char('-');
    }
    // Compatibility forms as their plain letters: a CJK input method's full-width ＷＴ１ is WT1.
    return out.normalized(QString::NormalizationForm_KC);
}

void addLine(QList<Line>& lines, const QString& rawLine, qint64 number)
{
    QString text = withoutInvisibles(rawLine);
    if (const qsizetype hash = text.indexOf(QLatin1Char('#')); hash >= 0)
        text.truncate(hash);
    // A list's bullet or number ("- WT1", "* LAMB2", "1. PKD2", "2) UMOD") is no entry: where a
    // space parts it from one name that is not a number. A table's row is left whole ("-\t12", a
    // missing gene and its score, or "- 12" apart by spaces: the score would become NCBI gene 12).
    static const QRegularExpression bullet(QStringLiteral("^\\s*(?:[-*\u2022\u00b7]|\\d{1,4}[.)]) +(\\S+)\\s*$"));
    static const QRegularExpression numeric(QStringLiteral("^[-+]?[0-9.,eE]+$"));
    if (const QRegularExpressionMatch m = bullet.match(text); m.hasMatch() && !m.captured(1).contains(numeric) && !text.contains(QRegularExpression(QStringLiteral("[\\t,;]"))))
        text = m.captured(1);
    if (!text.trimmed().isEmpty())
        lines.append({text, number});
}

// What R, pandas and spreadsheets write for a missing value is never a gene here ("NA" is also an
// alias of XK: a pasted results table had XK annotated for every row without a symbol).
void markMissingValues(QList<GeneListEntry>& entries)
{
    for (GeneListEntry& e : entries)
        if (e.problem.isEmpty() && !e.text.isEmpty() && core::isMissingValueText(e.text))
            e.problem = QStringLiteral("'%1' is how R, pandas and spreadsheets write a missing value, not a gene (if a gene is meant, write its "
                                       "approved symbol)")
                            .arg(e.text);
}

} // namespace

QList<GeneListEntry> parseGeneList(const QString& text, QString* layout)
{
    QList<Line> lines;
    qint64 line = 0;
    for (const QString& l : text.split(QRegularExpression(QStringLiteral("\\r\\n|\\r|\\n"))))
        addLine(lines, l, ++line);
    QList<GeneListEntry> out = entriesOf(lines, layout);
    markMissingValues(out);
    for (GeneListEntry& e : out) // a file's bad bytes, read into the editor as U+FFFD
        if (e.text.contains(QChar::ReplacementCharacter))
            e.problem = QStringLiteral("holds U+FFFD, the mark of a byte that was not valid UTF-8 where the text came from");
    return out;
}

core::Expected<QList<GeneListEntry>> readGeneList(const QString& path, QString* layout)
{
    auto reader = core::LineReader::open(path);
    if (!reader)
        return reader.error();
    QList<Line> lines;
    QHash<qint64, QString> badBytes; // line → what is wrong with it
    for (;;) {
        auto l = (*reader)->next();
        if (!l)
            return l.error();
        if (!*l)
            break;
        const qint64 number = (*reader)->lineNumber();
        // A file of another kind given as the list: its lines would be looked up as genes ("1 0 obj" of a
        // PDF is NCBI gene 1; a FASTA's sequence lines are "no symbol"). Named by its first line.
        if (lines.isEmpty() && !(*l)->trimmed().isEmpty()) {
            const QByteArray first = (*l)->trimmed();
            const QString kind = first.startsWith("%PDF")  ? QStringLiteral("a PDF document")
                                 : first.startsWith('>')   ? QStringLiteral("FASTA (sequences; the viral plugin reads those)")
                                 : first.startsWith("@HD") ? QStringLiteral("SAM (aligned reads)")
                                 : first.startsWith("##fileformat=VCF") ? QStringLiteral("VCF (variant calls)")
                                                                         : QString();
            if (!kind.isEmpty())
                return core::Error(QStringLiteral("%1:%2: this looks like %3, not a gene list (symbols or ids, one or more per line); it starts '%4'")
                                       .arg(path, QString::number(number), kind, QString::fromUtf8(first.left(40))));
        }
        // Every byte that is not UTF-8 (a Latin-1 list has one per accented letter), the first few named.
        QStringList named;
        qsizetype count = 0;
        for (qsizetype from = 0; from < (*l)->size();) {
            const qsizetype offset = core::firstInvalidUtf8(QByteArrayView(**l).sliced(from));
            if (offset < 0)
                break;
            const qsizetype bad = from + offset;
            if (++count <= 4)
                named << QStringLiteral("%1 (0x%2)").arg(QString::number(bad + 1), QStringLiteral("%1").arg(uchar((**l)[bad]), 2, 16, QLatin1Char('0')));
            from = bad + 1;
        }
        if (count > 0)
            badBytes.insert(number, QStringLiteral("%1 %2%3 of line %4%5 %6 not valid UTF-8; save the list as UTF-8 text (it may be Latin-1 or Windows-1252)")
                                        .arg(count == 1 ? QStringLiteral("byte") : QStringLiteral("bytes"), named.join(QStringLiteral(", ")),
                                             count > 4 ? QStringLiteral(", …") : QString(), QString::number(number),
                                             count > 1 ? QStringLiteral(" (%1 in all)").arg(count) : QString(),
                                             count == 1 ? QStringLiteral("is") : QStringLiteral("are")));
        addLine(lines, QString::fromUtf8(**l), number); // bad bytes become U+FFFD
    }
    QList<GeneListEntry> out = entriesOf(lines, layout);
    markMissingValues(out);
    for (GeneListEntry& e : out)
        if (e.text.contains(QChar::ReplacementCharacter) && badBytes.contains(e.line))
            e.problem = badBytes.value(e.line);
    if (out.isEmpty())
        return core::Error(QStringLiteral("%1: no gene in the list (expected symbols or ids, one or more per line)").arg(path));
    return out;
}

} // namespace bioforge::annotation
