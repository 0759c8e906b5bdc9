#pragma once

// What a chat is generated with: system prompt, sampling, reply length, an
// optional chat-template override (JSON) and context size. Saved with each
// conversation.

#include "sampling/sampler.h"

#include <QJsonObject>
#include <QString>

namespace bioforge::llm {

struct ChatSettings {
    QString systemPrompt = QStringLiteral("You are a careful assistant for a research scientist. Answer concisely.");
    SamplingSettings sampling;
    int maxTokens = 512;
    int contextSize = 4096;
    QString templateOverride; // JSON; empty: the model's own format

    QJsonObject toJson() const;
    static ChatSettings fromJson(const QJsonObject& json);
};

} // namespace bioforge::llm
