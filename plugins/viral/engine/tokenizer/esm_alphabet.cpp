#include "tokenizer/esm_alphabet.h"

#include <QFile>

#include <algorithm>
#include <cctype>

namespace bioforge::viral {

using core::Error;

namespace {

bool isSpace(char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; }

std::string_view stripRight(std::string_view s)
{
    while (!s.empty() && isSpace(s.back()))
        s.remove_suffix(1);
    return s;
}

std::string_view stripLeft(std::string_view s)
{
    while (!s.empty() && isSpace(s.front()))
        s.remove_prefix(1);
    return s;
}

} // namespace

core::Expected<EsmAlphabet> EsmAlphabet::fromVocabFile(const QString& path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return Error(QStringLiteral("%1: cannot open the ESM vocabulary: %2").arg(path, file.errorString()));
    std::vector<std::string> tokens;
    const QList<QByteArray> lines = file.readAll().split('\n');
    for (qsizetype i = 0; i < lines.size(); ++i) {
        const QByteArray line = lines[i].trimmed();
        if (line.isEmpty()) {
            if (i == lines.size() - 1)
                break; // the final newline
            return Error(QStringLiteral("%1:%2: empty line in the vocabulary (one token per line expected)").arg(path, QString::number(i + 1)));
        }
        tokens.push_back(line.toStdString());
    }
    return fromTokens(std::move(tokens), path);
}

core::Expected<EsmAlphabet> EsmAlphabet::fromTokens(std::vector<std::string> tokens, const QString& source)
{
    EsmAlphabet a;
    for (size_t i = 0; i < tokens.size(); ++i) {
        if (tokens[i].empty()) // it would split every text at every position
            return Error(QStringLiteral("%1:%2: an empty token (one token per line expected)").arg(source, QString::number(i + 1)));
        if (!a.m_ids.emplace(tokens[i], int64_t(i)).second)
            return Error(QStringLiteral("%1:%2: token '%3' appears twice").arg(source, QString::number(i + 1), QString::fromStdString(tokens[i])));
        if (tokens[i].size() == 1 && !isSpace(tokens[i][0]))
            a.m_singleCharFast[static_cast<unsigned char>(tokens[i][0])] = true;
    }
    // The per-character fast path is exact only if no longer token is made of such characters.
    a.m_fastPath = true;
    for (const std::string& t : tokens)
        if (t.size() > 1 && std::all_of(t.begin(), t.end(), [&](char c) { return a.m_singleCharFast[static_cast<unsigned char>(c)]; }))
            a.m_fastPath = false;
    a.m_tokens = std::move(tokens);
    auto idOf = [&](const char* name, int64_t& out) -> core::Status {
        auto it = a.m_ids.find(std::string_view(name));
        if (it == a.m_ids.end())
            return Error(QStringLiteral("%1: the vocabulary has no %2 token").arg(source, QLatin1String(name)));
        out = it->second;
        return core::okStatus();
    };
    for (auto [name, out] : {std::pair{"<cls>", &a.m_cls}, {"<pad>", &a.m_pad}, {"<eos>", &a.m_eos}, {"<unk>", &a.m_unk}, {"<mask>", &a.m_mask}})
        if (auto st = idOf(name, *out); !st)
            return st.error();
    return a;
}

std::vector<std::string> EsmAlphabet::tokenize(std::string_view text) const
{
    std::vector<std::string> out;
    // Fast path: every character a token of its own (translated proteins).
    bool simple = m_fastPath && !text.empty();
    for (char c : text)
        simple = simple && m_singleCharFast[static_cast<unsigned char>(c)];
    if (simple) {
        for (char c : text)
            out.emplace_back(1, c);
        return out;
    }
    if (stripLeft(text).empty())
        return out;
    // Split on each vocabulary token in turn; pieces equal to a token stay whole.
    std::vector<std::string> pieces{std::string(text)};
    for (const std::string& token : m_tokens) {
        std::vector<std::string> next;
        for (const std::string& piece : pieces) {
            if (m_ids.count(piece)) {
                next.push_back(piece);
                continue;
            }
            std::vector<std::string_view> parts;
            std::string_view rest = piece;
            for (size_t at; (at = rest.find(token)) != std::string_view::npos;) {
                parts.push_back(rest.substr(0, at));
                rest.remove_prefix(at + token.size());
            }
            parts.push_back(rest);
            for (size_t i = 0; i < parts.size(); ++i) {
                std::string_view sub = parts[i];
                const bool last = i + 1 == parts.size();
                if (!last)
                    sub = stripRight(sub);
                if (i > 0)
                    sub = stripLeft(sub);
                if (i == 0 && sub.empty()) {
                    next.push_back(token);
                    continue;
                }
                if (!sub.empty())
                    next.emplace_back(sub);
                if (!last)
                    next.push_back(token);
            }
        }
        pieces = std::move(next);
    }
    for (const std::string& piece : pieces) {
        if (m_ids.count(piece)) {
            out.push_back(piece);
            continue;
        }
        std::string_view rest = piece; // white-space split of what no token matched
        while (!(rest = stripLeft(rest)).empty()) {
            size_t end = 0;
            while (end < rest.size() && !isSpace(rest[end]))
                ++end;
            out.emplace_back(rest.substr(0, end));
            rest.remove_prefix(end);
        }
    }
    return out;
}

EsmEncoding EsmAlphabet::encode(std::string_view text) const
{
    EsmEncoding e;
    const std::vector<std::string> pieces = tokenize(text);
    e.ids.reserve(pieces.size() + 2);
    e.ids.push_back(m_cls);
    for (const std::string& p : pieces) {
        auto it = m_ids.find(p);
        if (it == m_ids.end()) {
            e.ids.push_back(m_unk);
            e.unknownPieces.push_back(p);
        } else {
            e.ids.push_back(it->second);
        }
    }
    e.ids.push_back(m_eos);
    return e;
}

} // namespace bioforge::viral
