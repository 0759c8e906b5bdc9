// bioforge llm tokenize / generate.

#include "command_support.h"
#include "llm_commands.h"

#include "io/text_decoding.h"
#include "runtime/conversation.h"
#include "util/terminal_text.h"

#include <QJsonArray>

#include <cstdio>

namespace bioforge::llm::cli {

int cmdTokenize(const QJsonObject& args, QTextStream& out, QTextStream& err)
{
    OpenModel m;
    const QString path = args.value(QLatin1String("model")).toString();
    if (!openModel(path, false, 1, m, err))
        return openFailureCode(path, m);
    const std::string text = core::encodeArgument(args.value(QLatin1String("text")).toString()).toStdString(); // the bytes as typed
    const std::vector<TokenId> ids = m.tokenizer->tokenize(text, !args.value(QLatin1String("no-bos")).toBool(),
                                                           args.value(QLatin1String("special")).toBool());
    if (args.value(QLatin1String("ids-only")).toBool()) {
        QStringList s;
        for (TokenId id : ids)
            s << QString::number(id);
        out << s.join(QLatin1Char(' ')) << Qt::endl;
        return 0;
    }
    for (TokenId id : ids)
        out << qSetFieldWidth(8) << id << qSetFieldWidth(0) << " '" << core::shownOnTerminal(QString::fromStdString(m.tokenizer->piece(id, true))) << "'\n";
    out << ids.size() << " tokens" << Qt::endl;
    return 0;
}

int cmdGenerate(const QJsonObject& args, QTextStream& out, QTextStream& err)
{
    // The prompt first: a usage error before the model is read (and standard input read once).
    auto prompt = promptFrom(args, QStringLiteral("prompt"), QStringLiteral("prompt-file"), true);
    if (!prompt) {
        err << "bioforge: " << prompt.error().message() << Qt::endl;
        return prompt.error().kind() == core::Error::Kind::NotFound ? 6 : 2;
    }
    OpenModel m;
    const QString path = args.value(QLatin1String("model")).toString();
    if (!openModel(path, true, args.value(QLatin1String("threads")).toInt(), m, err, args.value(QLatin1String("device")).toString()))
        return openFailureCode(path, m);
    GenerationRequest request;
    request.prompt = std::move(*prompt);
    request.parseSpecialInPrompt = args.value(QLatin1String("special")).toBool();
    request.maxTokens = args.value(QLatin1String("n")).toInt();
    request.sampling = samplingFrom(args);
    const int64_t context = commandContext(args, *m.model, err);
    if (context == 0)
        return 2;
    Conversation conversation(*m.model, *m.tokenizer, context);
    const bool ids = args.value(QLatin1String("ids")).toBool();
    const bool terminal = core::stdoutIsTerminal();
    GenerationEvents events;
    events.onText = [&](const std::string& text, TokenId) {
        if (ids)
            return;
        if (terminal) {
            out << core::shownOnTerminal(QString::fromStdString(text));
            out.flush();
        } else { // the model's bytes as they are, invalid UTF-8 included, to a file or pipe
            out.flush();
            std::fwrite(text.data(), 1, text.size(), stdout);
            std::fflush(stdout);
        }
    };
    events.onContextShift = [&](int dropped) { err << "\n[context full: " << dropped << " tokens shifted out]" << Qt::endl; };
    auto result = conversation.generate(request, events);
    if (!result) {
        err << "bioforge: " << result.error().message() << Qt::endl;
        return result.error().kind() == core::Error::Kind::Invalid ? 2 : 1; // a prompt longer than --ctx: the command's arguments
    }
    if (ids) {
        // The prompt ids (BOS included) then each generated id: the layout of llama.cpp references.
        QStringList s;
        for (TokenId id : m.tokenizer->tokenize(request.prompt, true, request.parseSpecialInPrompt))
            s << QString::number(id);
        for (TokenId id : result->tokens)
            s << QString::number(id);
        out << s.join(QLatin1Char(' ')) << Qt::endl;
    } else {
        out << Qt::endl;
    }
    err << QStringLiteral("[%1 prompt tokens in %2 s, %3 tokens generated in %4 s: %5 tokens/s; stopped: %6]")
               .arg(QString::number(result->promptTokens), QString::number(result->promptSeconds, 'f', 3), QString::number(result->tokens.size()),
                    QString::number(result->generationSeconds, 'f', 3),
                    QString::number(result->generationSeconds > 0 ? double(result->tokens.size()) / result->generationSeconds : 0.0, 'f', 1),
                    QLatin1String(stopName(result->stop)))
        << Qt::endl;
    return 0;
}

} // namespace bioforge::llm::cli
