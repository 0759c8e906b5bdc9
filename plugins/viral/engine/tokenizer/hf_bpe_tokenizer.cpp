#include "tokenizer/hf_bpe_tokenizer.h"

#include "io/json_file.h"

#include <QChar>
#include <QFile>
#include <QJsonArray>
#include <QJsonObject>

#include <algorithm>
#include <cmath>
#include <limits>
#include <queue>

namespace bioforge::viral {

using core::Error;

namespace {

// One UTF-8 code point at s[i]; returns its byte length (1 for a bad byte).
int codePointAt(std::string_view s, size_t i, char32_t& cp)
{
    const auto b = static_cast<unsigned char>(s[i]);
    int len = b < 0x80 ? 1 : (b >> 5) == 0x6 ? 2 : (b >> 4) == 0xE ? 3 : (b >> 3) == 0x1E ? 4 : 1;
    if (i + size_t(len) > s.size())
        len = 1;
    cp = len == 1 ? b : char32_t(b & (0x7F >> len));
    for (int k = 1; k < len; ++k)
        cp = (cp << 6) | (static_cast<unsigned char>(s[i + size_t(k)]) & 0x3F);
    return len;
}

// Regex classes of the Whitespace pre-tokenizer (\w, \s), Unicode-aware.
bool isWordChar(char32_t c)
{
    if (c < 0x80)
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
    switch (QChar::category(c)) {
    case QChar::Number_DecimalDigit:
    case QChar::Number_Letter:
    case QChar::Mark_NonSpacing:
    case QChar::Mark_SpacingCombining:
    case QChar::Mark_Enclosing:
    case QChar::Punctuation_Connector: return true;
    default: return QChar::isLetter(c) || c == 0x200C || c == 0x200D;
    }
}

bool isSpaceChar(char32_t c) { return c < 0x80 ? (c == ' ' || (c >= '\t' && c <= '\r')) : QChar::isSpace(c); }

uint64_t pairKey(int64_t a, int64_t b) { return (uint64_t(uint32_t(a)) << 32) | uint32_t(b); }

// A token id as tokenizer.json writes it: a whole number from 0 to 2^31 - 1 (pairKey packs two
// into 64 bits; the model checks ids against its embedding rows later). Errors name `where`.
core::Expected<int64_t> tokenIdOf(const QJsonValue& v, const QString& source, const QString& where)
{
    const auto id = core::wholeNumberIn(v, 0, std::numeric_limits<int32_t>::max());
    if (!id)
        return Error(QStringLiteral("%1: %2 is not a token id (a whole number from 0 to 2^31 - 1): %3").arg(source, where, core::jsonText(v)));
    return int64_t(*id);
}

core::Status unsupported(const QString& source, const QString& what, const QJsonValue& value)
{
    return Error(QStringLiteral("%1: %2 '%3' is not supported by this reader").arg(source, what, value.toVariant().toString()));
}

} // namespace

core::Expected<HfBpeTokenizer> HfBpeTokenizer::fromFile(const QString& path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return Error(QStringLiteral("%1: cannot open the tokenizer: %2").arg(path, file.errorString()));
    return fromJson(file.readAll(), path);
}

core::Expected<HfBpeTokenizer> HfBpeTokenizer::fromJson(const QByteArray& json, const QString& source)
{
    auto parsed = core::parseJsonObject(json, source);
    if (!parsed)
        return parsed.error().withContext(QStringLiteral("tokenizer.json"));
    const QJsonObject root = *parsed;
    HfBpeTokenizer t;

    const QJsonObject model = root.value(QLatin1String("model")).toObject();
    if (model.value(QLatin1String("type")).toString() != QLatin1String("BPE"))
        return unsupported(source, QStringLiteral("model type"), model.value(QLatin1String("type"))).error();
    if (model.value(QLatin1String("byte_fallback")).toBool())
        return Error(QStringLiteral("%1: BPE byte_fallback is not supported by this reader").arg(source));
    for (const char* key : {"continuing_subword_prefix", "end_of_word_suffix"})
        if (!model.value(QLatin1String(key)).isNull() && !model.value(QLatin1String(key)).toString().isEmpty())
            return unsupported(source, QStringLiteral("BPE %1").arg(QLatin1String(key)), model.value(QLatin1String(key))).error();
    const QJsonObject vocab = model.value(QLatin1String("vocab")).toObject();
    if (vocab.isEmpty())
        return Error(QStringLiteral("%1: model.vocab is missing or empty").arg(source));
    for (auto it = vocab.begin(); it != vocab.end(); ++it) {
        auto id = tokenIdOf(it.value(), source, QStringLiteral("model.vocab['%1']").arg(it.key()));
        if (!id)
            return id.error();
        t.m_vocab.emplace(it.key().toStdString(), *id);
    }
    const QJsonArray merges = model.value(QLatin1String("merges")).toArray();
    for (qsizetype rank = 0; rank < merges.size(); ++rank) {
        QString left, right;
        const QJsonValue m = merges[rank];
        if (m.isString()) {
            const QString text = m.toString();
            const qsizetype space = text.indexOf(QLatin1Char(' '));
            if (space <= 0)
                return Error(QStringLiteral("%1: merge %2 ('%3') is not 'left right'").arg(source, QString::number(rank), text));
            left = text.left(space);
            right = text.mid(space + 1);
        } else if (m.isArray() && m.toArray().size() == 2) {
            left = m.toArray()[0].toString();
            right = m.toArray()[1].toString();
        } else {
            return Error(QStringLiteral("%1: merge %2 is neither a string nor a pair").arg(source, QString::number(rank)));
        }
        const int64_t a = t.tokenId(left.toStdString()), b = t.tokenId(right.toStdString());
        const int64_t merged = t.tokenId((left + right).toStdString());
        if (a < 0 || b < 0 || merged < 0)
            return Error(QStringLiteral("%1: merge %2 ('%3 %4') names a token outside the vocabulary").arg(source, QString::number(rank), left, right));
        t.m_merges.try_emplace(pairKey(a, b), Merge{int(rank), merged});
    }
    const QJsonValue unk = model.value(QLatin1String("unk_token"));
    if (!unk.isNull() && !unk.isUndefined()) {
        t.m_unk = t.tokenId(unk.toString().toStdString());
        if (t.m_unk < 0)
            return Error(QStringLiteral("%1: unk_token '%2' is not in the vocabulary").arg(source, unk.toString()));
    }
    t.m_fuseUnk = model.value(QLatin1String("fuse_unk")).toBool();
    t.m_pad = std::max(t.tokenId("[PAD]"), t.tokenId("<pad>"));

    for (const QJsonValue& v : root.value(QLatin1String("added_tokens")).toArray()) {
        const QJsonObject a = v.toObject();
        const std::string content = a.value(QLatin1String("content")).toString().toStdString();
        if (content.empty())
            continue;
        auto id = tokenIdOf(a.value(QLatin1String("id")), source, QStringLiteral("added token '%1'").arg(QString::fromStdString(content)));
        if (!id)
            return id.error();
        t.m_added.emplace_back(content, *id);
    }
    std::stable_sort(t.m_added.begin(), t.m_added.end(), [](const auto& x, const auto& y) { return x.first.size() > y.first.size(); });

    const QJsonValue normalizer = root.value(QLatin1String("normalizer"));
    if (!normalizer.isNull() && !normalizer.isUndefined())
        return unsupported(source, QStringLiteral("normalizer"), normalizer.toObject().value(QLatin1String("type"))).error();
    const QJsonValue pre = root.value(QLatin1String("pre_tokenizer"));
    if (pre.isObject()) {
        if (pre.toObject().value(QLatin1String("type")).toString() != QLatin1String("Whitespace"))
            return unsupported(source, QStringLiteral("pre_tokenizer"), pre.toObject().value(QLatin1String("type"))).error();
        t.m_whitespacePreTokenizer = true;
    }

    const QJsonObject post = root.value(QLatin1String("post_processor")).toObject();
    const QString postType = post.value(QLatin1String("type")).toString();
    if (postType == QLatin1String("TemplateProcessing")) {
        const QJsonObject specials = post.value(QLatin1String("special_tokens")).toObject();
        for (const QJsonValue& item : post.value(QLatin1String("single")).toArray()) {
            const QJsonObject o = item.toObject();
            TemplatePiece piece;
            if (o.contains(QLatin1String("Sequence"))) {
                piece.sequence = true;
            } else {
                const QString id = o.value(QLatin1String("SpecialToken")).toObject().value(QLatin1String("id")).toString();
                const QJsonArray ids = specials.value(id).toObject().value(QLatin1String("ids")).toArray();
                if (ids.isEmpty())
                    return Error(QStringLiteral("%1: post_processor names special token '%2' without ids").arg(source, id));
                for (const QJsonValue& x : ids) {
                    auto tokenId = tokenIdOf(x, source, QStringLiteral("post_processor special token '%1'").arg(id));
                    if (!tokenId)
                        return tokenId.error();
                    piece.ids.push_back(*tokenId);
                }
            }
            t.m_template.push_back(std::move(piece));
        }
    } else if (postType == QLatin1String("BertProcessing")) {
        auto cls = tokenIdOf(post.value(QLatin1String("cls")).toArray().at(1), source, QStringLiteral("post_processor cls"));
        auto sep = tokenIdOf(post.value(QLatin1String("sep")).toArray().at(1), source, QStringLiteral("post_processor sep"));
        if (!cls)
            return cls.error();
        if (!sep)
            return sep.error();
        t.m_template = {{false, {*cls}}, {true, {}}, {false, {*sep}}};
    } else if (!postType.isEmpty()) {
        return unsupported(source, QStringLiteral("post_processor"), postType).error();
    }
    return t;
}

int64_t HfBpeTokenizer::tokenId(std::string_view token) const
{
    auto it = m_vocab.find(std::string(token));
    return it == m_vocab.end() ? -1 : it->second;
}

void HfBpeTokenizer::encodeWord(std::string_view word, std::vector<int64_t>& out) const
{
    // Symbols as a linked list over the word's characters.
    struct Symbol {
        int64_t id;
        int prev, next;
        bool alive;
    };
    std::vector<Symbol> symbols;
    for (size_t i = 0; i < word.size();) {
        char32_t cp;
        const int len = codePointAt(word, i, cp);
        int64_t id = tokenId(word.substr(i, size_t(len)));
        i += size_t(len);
        if (id < 0) {
            if (m_unk < 0)
                continue; // no unk token: the character is dropped, as the reference does
            if (m_fuseUnk && !symbols.empty() && symbols.back().id == m_unk)
                continue;
            id = m_unk;
        }
        const int index = int(symbols.size());
        symbols.push_back({id, index - 1, index + 1, true});
    }
    if (symbols.empty())
        return;
    symbols.back().next = -1;

    // Lowest rank first, then leftmost (the reference's priority queue order).
    struct Candidate {
        int rank, pos;
        int64_t result;
        bool operator>(const Candidate& o) const { return rank != o.rank ? rank > o.rank : pos > o.pos; }
    };
    std::priority_queue<Candidate, std::vector<Candidate>, std::greater<>> queue;
    auto consider = [&](int left) {
        if (left < 0 || symbols[size_t(left)].next < 0)
            return;
        auto it = m_merges.find(pairKey(symbols[size_t(left)].id, symbols[size_t(symbols[size_t(left)].next)].id));
        if (it != m_merges.end())
            queue.push({it->second.rank, left, it->second.result});
    };
    for (int i = 0; i + 1 < int(symbols.size()); ++i)
        consider(i);
    while (!queue.empty()) {
        const Candidate top = queue.top();
        queue.pop();
        Symbol& left = symbols[size_t(top.pos)];
        if (!left.alive || left.next < 0)
            continue;
        Symbol& right = symbols[size_t(left.next)];
        auto it = m_merges.find(pairKey(left.id, right.id));
        if (it == m_merges.end() || it->second.result != top.result)
            continue; // stale: one side changed since it was queued
        left.id = top.result;
        right.alive = false;
        left.next = right.next;
        if (right.next >= 0)
            symbols[size_t(right.next)].prev = top.pos;
        consider(left.prev);
        consider(top.pos);
    }
    for (int i = 0; i >= 0; i = symbols[size_t(i)].next)
        out.push_back(symbols[size_t(i)].id);
}

void HfBpeTokenizer::encodePlain(std::string_view text, std::vector<int64_t>& out) const
{
    if (!m_whitespacePreTokenizer) {
        encodeWord(text, out);
        return;
    }
    // \w+ | [^\w\s]+ ; white space separates.
    size_t i = 0;
    while (i < text.size()) {
        char32_t cp;
        int len = codePointAt(text, i, cp);
        if (isSpaceChar(cp)) {
            i += size_t(len);
            continue;
        }
        const bool word = isWordChar(cp);
        const size_t begin = i;
        while (i < text.size()) {
            len = codePointAt(text, i, cp);
            if (isSpaceChar(cp) || isWordChar(cp) != word)
                break;
            i += size_t(len);
        }
        encodeWord(text.substr(begin, i - begin), out);
    }
}

std::vector<int64_t> HfBpeTokenizer::encode(std::string_view text, bool addSpecialTokens) const
{
    std::vector<int64_t> body;
    // Added tokens first: leftmost match, the longest at that position.
    size_t done = 0;
    for (size_t i = 0; i < text.size();) {
        const std::pair<std::string, int64_t>* hit = nullptr;
        for (const auto& a : m_added)
            if (text.compare(i, a.first.size(), a.first) == 0) {
                hit = &a;
                break;
            }
        if (!hit) {
            ++i;
            continue;
        }
        encodePlain(text.substr(done, i - done), body);
        body.push_back(hit->second);
        i += hit->first.size();
        done = i;
    }
    encodePlain(text.substr(done), body);
    if (!addSpecialTokens || m_template.empty())
        return body;
    std::vector<int64_t> out;
    out.reserve(body.size() + 4);
    for (const TemplatePiece& piece : m_template)
        out.insert(out.end(), piece.sequence ? body.begin() : piece.ids.begin(), piece.sequence ? body.end() : piece.ids.end());
    return out;
}

} // namespace bioforge::viral
