#include "chat/chat_template.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

namespace bioforge::llm {
namespace {

std::string fill(const std::string& format, const std::string& content)
{
    std::string out = format;
    const std::string key = "{content}";
    for (size_t pos = 0; (pos = out.find(key, pos)) != std::string::npos; pos += content.size())
        out.replace(pos, key.size(), content);
    return out;
}

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

std::string ChatTemplate::render(const std::vector<ChatMessage>& messages, bool addGenerationPrompt) const
{
    std::string out = bos;
    std::string pendingSystem;
    for (const ChatMessage& m : messages) {
        if (m.role == "system") {
            if (systemFormat.empty())
                pendingSystem += fill(systemJoin, m.content);
            else
                out += fill(systemFormat, m.content);
        } else if (m.role == "user") {
            out += fill(userFormat, pendingSystem + m.content);
            pendingSystem.clear();
        } else {
            out += fill(assistantFormat, m.content);
        }
    }
    if (addGenerationPrompt)
        out += generationPrompt;
    return out;
}

core::Expected<ChatTemplate> ChatTemplate::fromJson(const std::string& json)
{
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(QByteArray::fromStdString(json), &error);
    if (!doc.isObject())
        return core::Error(QStringLiteral("chat template override: not a JSON object (%1)").arg(error.errorString()));
    const QJsonObject o = doc.object();
    ChatTemplate t = named(o.value(QLatin1String("family")).toString(QStringLiteral("chatml")).toStdString());
    t.family = o.contains(QLatin1String("family")) ? t.family : "custom";
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
    if (o.contains(QLatin1String("stop"))) {
        t.stop.clear();
        for (const QJsonValue& v : o.value(QLatin1String("stop")).toArray())
            t.stop.push_back(v.toString().toStdString());
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
