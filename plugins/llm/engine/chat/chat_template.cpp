#include "chat/chat_template.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

namespace bioforge::llm {
namespace {

using Segments = std::vector<TextSegment>;

void append(Segments& out, const std::string& text, bool parseSpecial)
{
    if (!text.empty())
        out.push_back({text, parseSpecial});
}

// `format` with every "{content}" replaced by `content` (itself segments).
Segments fill(const std::string& format, const Segments& content)
{
    Segments out;
    const std::string key = "{content}";
    size_t from = 0;
    for (size_t pos; (pos = format.find(key, from)) != std::string::npos; from = pos + key.size()) {
        append(out, format.substr(from, pos - from), true);
        out.insert(out.end(), content.begin(), content.end());
    }
    append(out, format.substr(from), true);
    return out;
}

Segments text(const std::string& content) { return content.empty() ? Segments{} : Segments{{content, false}}; }

bool contains(const std::string& s, const char* what) { return s.find(what) != std::string::npos; }

} // namespace

ChatTemplate ChatTemplate::named(const std::string& family)
{
    ChatTemplate t;
    t.family = family;
    if (family == "llama3") {
        t.bos = "<|begin_of_text|>";
        t.systemFormat = "<|start_header_id|>system<|end_header_id|>\n\n{content}<|eot_id|>";
        t.userFormat = "<|start_header_id|>user<|end_header_id|>\n\n{content}<|eot_id|>";
        t.assistantFormat = "<|start_header_id|>assistant<|end_header_id|>\n\n{content}<|eot_id|>";
        t.generationPrompt = "<|start_header_id|>assistant<|end_header_id|>\n\n";
        t.stop = {"<|eot_id|>"};
    } else if (family == "llama2") {
        t.bos = "<s>";
        t.systemFormat = "";
        t.systemJoin = "<<SYS>>\n{content}\n<</SYS>>\n\n";
        t.userFormat = "[INST] {content} [/INST]";
        t.assistantFormat = " {content} </s><s>";
        t.stop = {"</s>"};
    } else if (family == "mistral") {
        t.bos = "<s>";
        t.systemFormat = "";
        t.systemJoin = "{content}\n\n";
        t.userFormat = "[INST] {content} [/INST]";
        t.assistantFormat = "{content}</s>";
        t.stop = {"</s>"};
    } else if (family == "gemma") {
        t.bos = "<bos>";
        t.systemFormat = "";
        t.systemJoin = "{content}\n\n";
        t.userFormat = "<start_of_turn>user\n{content}<end_of_turn>\n";
        t.assistantFormat = "<start_of_turn>model\n{content}<end_of_turn>\n";
        t.generationPrompt = "<start_of_turn>model\n";
        t.stop = {"<end_of_turn>"};
    } else if (family == "phi3") {
        t.systemFormat = "<|system|>\n{content}<|end|>\n";
        t.userFormat = "<|user|>\n{content}<|end|>\n";
        t.assistantFormat = "<|assistant|>\n{content}<|end|>\n";
        t.generationPrompt = "<|assistant|>\n";
        t.stop = {"<|end|>", "<|endoftext|>"};
    } else if (family == "zephyr") {
        t.systemFormat = "<|system|>\n{content}</s>\n";
        t.userFormat = "<|user|>\n{content}</s>\n";
        t.assistantFormat = "<|assistant|>\n{content}</s>\n";
        t.generationPrompt = "<|assistant|>\n";
        t.stop = {"</s>"};
    } else { // chatml, and the default
        t.family = "chatml";
        t.systemFormat = "<|im_start|>system\n{content}<|im_end|>\n";
        t.userFormat = "<|im_start|>user\n{content}<|im_end|>\n";
        t.assistantFormat = "<|im_start|>assistant\n{content}<|im_end|>\n";
        t.generationPrompt = "<|im_start|>assistant\n";
        t.stop = {"<|im_end|>"};
    }
    return t;
}

ChatTemplate ChatTemplate::detect(const std::string& jinja)
{
    if (contains(jinja, "<|im_start|>"))
        return named("chatml");
    if (contains(jinja, "<|start_header_id|>"))
        return named("llama3");
    if (contains(jinja, "<start_of_turn>"))
        return named("gemma");
    if (contains(jinja, "<|assistant|>") && contains(jinja, "<|end|>"))
        return named("phi3");
    if (contains(jinja, "<|assistant|>"))
        return named("zephyr");
    if (contains(jinja, "[INST]"))
        return named(contains(jinja, "<<SYS>>") ? "llama2" : "mistral");
    return named("chatml");
}

std::vector<TextSegment> ChatTemplate::renderSegments(const std::vector<ChatMessage>& messages, bool addGenerationPrompt) const
{
    Segments out;
    append(out, bos, true);
    Segments pendingSystem;
    auto add = [&out](const Segments& s) { out.insert(out.end(), s.begin(), s.end()); };
    for (const ChatMessage& m : messages) {
        if (m.role == "system") {
            if (systemFormat.empty()) {
                const Segments joined = fill(systemJoin, text(m.content));
                pendingSystem.insert(pendingSystem.end(), joined.begin(), joined.end());
            } else {
                add(fill(systemFormat, text(m.content)));
            }
        } else if (m.role == "user") {
            Segments content = pendingSystem;
            const Segments typed = text(m.content);
            content.insert(content.end(), typed.begin(), typed.end());
            add(fill(userFormat, content));
            pendingSystem.clear();
        } else {
            add(fill(assistantFormat, text(m.content)));
        }
    }
    if (addGenerationPrompt)
        append(out, generationPrompt, true);
    return out;
}

std::string ChatTemplate::render(const std::vector<ChatMessage>& messages, bool addGenerationPrompt) const
{
    std::string out;
    for (const TextSegment& s : renderSegments(messages, addGenerationPrompt))
        out += s.text;
    return out;
}

core::Expected<ChatTemplate> ChatTemplate::fromJson(const std::string& json)
{
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(QByteArray::fromStdString(json), &error);
    if (!doc.isObject())
        return core::Error(QStringLiteral("chat template override: not a JSON object (%1)").arg(error.errorString()));
    const QJsonObject o = doc.object();
    // A misspelt key ("sytem") or family would be ignored and the chat formatted otherwise than
    // meant: both are refused, naming what is taken.
    static const QStringList keys{QStringLiteral("family"), QStringLiteral("bos"), QStringLiteral("system"), QStringLiteral("systemJoin"),
                                  QStringLiteral("user"), QStringLiteral("assistant"), QStringLiteral("generation"), QStringLiteral("stop")};
    for (auto it = o.begin(); it != o.end(); ++it)
        if (!keys.contains(it.key()))
            return core::Error(QStringLiteral("chat template override: unknown field \"%1\" (the fields: %2)").arg(it.key(), keys.join(QStringLiteral(", "))),
                               core::Error::Kind::Invalid);
    static const QStringList families{QStringLiteral("chatml"), QStringLiteral("llama2"), QStringLiteral("llama3"), QStringLiteral("mistral"),
                                      QStringLiteral("gemma"), QStringLiteral("phi3"), QStringLiteral("zephyr"), QStringLiteral("custom")};
    if (o.value(QLatin1String("family")).isString() && !families.contains(o.value(QLatin1String("family")).toString()))
        return core::Error(QStringLiteral("chat template override: unknown family \"%1\" (the families: %2; custom starts from ChatML)")
                               .arg(o.value(QLatin1String("family")).toString(), families.join(QStringLiteral(", "))),
                           core::Error::Kind::Invalid);
    // A known family fills what the override leaves out ("custom" starts from ChatML); the name
    // is kept as given, so a saved override reads back as it was written.
    const std::string family = o.value(QLatin1String("family")).toString(QStringLiteral("custom")).toStdString();
    ChatTemplate t = named(family);
    t.family = family;
    auto field = [&](const char* key, std::string& out) {
        if (o.contains(QLatin1String(key)))
            out = o.value(QLatin1String(key)).toString().toStdString();
    };
    field("bos", t.bos);
    field("system", t.systemFormat);
    field("systemJoin", t.systemJoin);
    field("user", t.userFormat);
    field("assistant", t.assistantFormat);
    field("generation", t.generationPrompt);
    for (const char* key : {"bos", "system", "systemJoin", "user", "assistant", "generation", "family"})
        if (o.contains(QLatin1String(key)) && !o.value(QLatin1String(key)).isString())
            return core::Error(QStringLiteral("chat template override: \"%1\" must be a string").arg(QLatin1String(key)));
    if (o.contains(QLatin1String("stop"))) {
        // A list of strings; a single string is taken as a list of one.
        const QJsonValue stop = o.value(QLatin1String("stop"));
        const QJsonArray list = stop.isString() ? QJsonArray{stop} : stop.toArray();
        if (!stop.isString() && !stop.isArray())
            return core::Error(QStringLiteral("chat template override: \"stop\" must be a list of strings (or one string)"));
        t.stop.clear();
        for (const QJsonValue& v : list) {
            if (!v.isString() || v.toString().isEmpty())
                return core::Error(QStringLiteral("chat template override: every entry of \"stop\" must be a non-empty string"));
            t.stop.push_back(v.toString().toStdString());
        }
    }
    if (t.userFormat.find("{content}") == std::string::npos)
        return core::Error(QStringLiteral("chat template override: \"user\" must contain {content}"));
    return t;
}

std::string ChatTemplate::toJson() const
{
    QJsonArray stops;
    for (const std::string& s : stop)
        stops.append(QString::fromStdString(s));
    const QJsonObject o{{QStringLiteral("family"), QString::fromStdString(family)},
                        {QStringLiteral("bos"), QString::fromStdString(bos)},
                        {QStringLiteral("system"), QString::fromStdString(systemFormat)},
                        {QStringLiteral("systemJoin"), QString::fromStdString(systemJoin)},
                        {QStringLiteral("user"), QString::fromStdString(userFormat)},
                        {QStringLiteral("assistant"), QString::fromStdString(assistantFormat)},
                        {QStringLiteral("generation"), QString::fromStdString(generationPrompt)},
                        {QStringLiteral("stop"), stops}};
    return QJsonDocument(o).toJson(QJsonDocument::Indented).toStdString();
}

} // namespace bioforge::llm
