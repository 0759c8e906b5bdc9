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
    // Seed 42, as `bioforge llm chat` and `llm generate` default to: the page's first answer is the
    // command line's (it was 0: trial 22 T22-15).
    SamplingSettings sampling = [] {
        SamplingSettings s;
        s.seed = 42;
        return s;
    }();
    int maxTokens = 512;
    int contextSize = 4096;
    QString templateOverride; // JSON; empty: the model's own format

    QJsonObject toJson() const;
    static ChatSettings fromJson(const QJsonObject& json);
};

// A setting held as a float, as it was written (0.95, not 0.949999988079071): the shortest decimal
// that reads back as the same float (7 significant digits), for JSON exports.
double decimalOf(float value);

} // namespace bioforge::llm
