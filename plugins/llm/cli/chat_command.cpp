// bioforge llm chat: an interactive chat in the terminal.

#include "command_support.h"
#include "llm_commands.h"

#include "runtime/conversation.h"
#include "util/terminal_text.h"

#include <csignal>
#include <iostream>
#include <string>

#include <signal.h>
#include <unistd.h>

namespace bioforge::llm::cli {
namespace {

volatile std::sig_atomic_t g_stopReply = 0;

extern "C" void stopReplyOnInterrupt(int) { g_stopReply = 1; }

// While a reply is written, Ctrl-C (SIGINT) stops the reply before its next token and the chat
// goes on, as the window's Stop and llama.cpp's interactive mode do (it ended the program and the
// conversation was lost: trial 19); at the prompt, Ctrl-C quits as before.
class ReplyInterrupt {
public:
    ReplyInterrupt()
    {
        g_stopReply = 0;
        struct sigaction action {};
        action.sa_handler = stopReplyOnInterrupt;
        sigemptyset(&action.sa_mask);
        ::sigaction(SIGINT, &action, &m_previous);
    }
    ~ReplyInterrupt() { ::sigaction(SIGINT, &m_previous, nullptr); }
    ReplyInterrupt(const ReplyInterrupt&) = delete;
    ReplyInterrupt& operator=(const ReplyInterrupt&) = delete;
    static bool requested() { return g_stopReply != 0; }

private:
    struct sigaction m_previous {};
};

} // namespace

int cmdChat(const QJsonObject& args, QTextStream& out, QTextStream& err)
{
    OpenModel m;
    const QString path = args.value(QLatin1String("model")).toString();
    if (!openModel(path, true, args.value(QLatin1String("threads")).toInt(), m, err, args.value(QLatin1String("device")).toString()))
        return openFailureCode(path, m);
    GenerationRequest request;
    request.sampling = samplingFrom(args);
    request.maxTokens = args.value(QLatin1String("n")).toInt();
    request.chatTemplate = ChatTemplate::detect(m.tokenizer->vocab().chatTemplate);
    const QString override = args.value(QLatin1String("template")).toString();
    if (!override.isEmpty()) {
        auto t = ChatTemplate::fromJson(override.toStdString());
        if (!t) {
            err << "bioforge: " << t.error().message() << Qt::endl;
            return 2;
        }
        request.chatTemplate = *t;
    }
    const QString system = args.value(QLatin1String("system")).toString();
    if (!system.isEmpty())
        request.messages.push_back({"system", system.toStdString()});
    const int64_t context = commandContext(args, *m.model, err);
    if (context == 0)
        return 2;
    Conversation conversation(*m.model, *m.tokenizer, context);
    if (core::Status room = conversation.checkSystemPromptRoom(request); !room) {
        err << "bioforge: --system: " << room.error().message() << Qt::endl;
        return 2;
    }
    out << "chat with " << core::shownOnTerminal(QString::fromStdString(m.model->config().name)) << " (" << QString::fromStdString(request.chatTemplate.family)
        << " format). /reset starts over, /exit or end of input quits, /help lists these; //text sends /text; Ctrl-C stops a reply." << Qt::endl;
    // Input from a pipe or file (a script): each message is echoed after its prompt, so the output is a
    // transcript, and a message that got no answer makes the exit status 1 (a terminal's user saw it).
    const bool piped = isatty(STDIN_FILENO) != 1;
    int unanswered = 0, sent = 0;
    std::string line;
    for (;;) {
        out << "\n> " << Qt::flush;
        if (!std::getline(std::cin, line))
            break;
        while (!line.empty() && (line.back() == '\r' || line.back() == ' ' || line.back() == '\t')) // CRLF input, a trailing space
            line.pop_back();
        if (piped)
            out << core::shownOnTerminal(QString::fromStdString(line)) << Qt::endl;
        if (line == "/exit")
            break;
        if (line == "/reset") {
            conversation.reset();
            request.messages.resize(system.isEmpty() ? 0 : 1);
            out << (system.isEmpty() ? "(conversation cleared)" : "(conversation cleared; the system prompt stays)") << Qt::endl;
            continue;
        }
        if (line.empty())
            continue;
        // "/help", a misspelt "/rest": a command, never the user's message to the model ("//" sends a leading "/").
        if (line.rfind("//", 0) == 0) {
            line.erase(0, 1);
        } else if (line[0] == '/') {
            if (line != "/help")
                out << "unknown command " << QString::fromStdString(line.substr(0, line.find(' '))) << "; ";
            out << "the commands are /reset (start over), /exit (quit) and /help; a message that starts with / is written //…; Ctrl-C stops a "
                   "reply, and quits at the prompt" << Qt::endl;
            continue;
        }
        request.messages.push_back({"user", line});
        ++sent;
        GenerationEvents events;
        events.onText = [&](const std::string& text, TokenId) { // a terminal UI: controls shown, never obeyed
            out << core::shownOnTerminal(QString::fromStdString(text));
            out.flush();
        };
        events.onContextShift = [&](int dropped) { err << "\n[context full: the oldest " << dropped << " tokens were shifted out]" << Qt::endl; };
        events.stopRequested = [] { return ReplyInterrupt::requested(); };
        auto result = [&] {
            const ReplyInterrupt interrupt;
            return conversation.generate(request, events);
        }();
        if (!result) {
            err << "bioforge: " << result.error().message() << Qt::endl;
            request.messages.pop_back();
            ++unanswered;
            continue;
        }
        request.messages.push_back({"assistant", result->text});
        out << Qt::endl;
        if (result->stop == GenerationResult::Stop::Cancelled)
            err << "[stopped (Ctrl-C): the reply so far stays in the conversation]" << Qt::endl;
        err << QStringLiteral("[%1 tokens, %2 tokens/s, context %3/%4]")
                   .arg(QString::number(result->tokens.size()),
                        QString::number(result->generationSeconds > 0 ? double(result->tokens.size()) / result->generationSeconds : 0.0, 'f', 1),
                        QString::number(result->contextUsed), QString::number(conversation.contextSize()))
            << Qt::endl;
    }
    if (piped && unanswered > 0) {
        err << "bioforge: " << unanswered << " of " << sent << (sent == 1 ? " message was" : " messages were") << " not answered (said above)" << Qt::endl;
        return 1;
    }
    return 0;
}

} // namespace bioforge::llm::cli
