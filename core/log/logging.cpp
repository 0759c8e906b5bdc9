#include "log/logging.h"

#include "io/folder.h"
#include "log/log.h"
#include "log/log_ring.h"

#include <QDateTime>
#include <QDir>
#include <QSet>

#include <spdlog/sinks/base_sink.h>
#include <spdlog/sinks/dist_sink.h>
#include <spdlog/sinks/rotating_file_sink.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <cstdio>
#include <mutex>

#include <unistd.h>

namespace bioforge::core {
namespace {

class RingSink final : public spdlog::sinks::base_sink<std::mutex> {
public:
    explicit RingSink(LogRing& ring) : m_ring(ring) {}

protected:
    void sink_it_(const spdlog::details::log_msg& msg) override
    {
        const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(msg.time.time_since_epoch()).count();
        m_ring.append(ms, int(msg.level), QString::fromUtf8(msg.payload.data(), qsizetype(msg.payload.size())));
    }
    void flush_() override {}

private:
    LogRing& m_ring;
};

// The logger whose messages the console leaves out (Logging::errorNotOnConsole).
constexpr const char* kNotOnConsole = "bioforge.not-on-console";

// The console: stderr, less the messages of the kNotOnConsole logger.
class ConsoleSink final : public spdlog::sinks::sink {
public:
    ConsoleSink() : m_stderr(std::make_shared<spdlog::sinks::stderr_sink_mt>()) {}
    void log(const spdlog::details::log_msg& msg) override
    {
        if (msg.logger_name != kNotOnConsole)
            m_stderr->log(msg);
    }
    void flush() override { m_stderr->flush(); }
    void set_pattern(const std::string& pattern) override { m_stderr->set_pattern(pattern); }
    void set_formatter(std::unique_ptr<spdlog::formatter> formatter) override { m_stderr->set_formatter(std::move(formatter)); }

private:
    std::shared_ptr<spdlog::sinks::sink> m_stderr;
};

struct LoggingState {
    std::mutex mutex;
    std::shared_ptr<spdlog::sinks::dist_sink_mt> sinks;
    std::shared_ptr<spdlog::sinks::sink> console;
    std::shared_ptr<spdlog::sinks::sink> file;
    std::shared_ptr<spdlog::logger> logger;
    std::shared_ptr<spdlog::logger> notOnConsole; // the same sinks; the console skips its messages
};

LoggingState& state()
{
    static LoggingState s;
    return s;
}

// Qt's note that a headless session (root, ssh, cron) has no runtime folder: Qt picks one itself,
// nothing is wrong, and on the terminal it read as an error in every `report`.
bool isRuntimeFolderNote(const QString& message) { return message.startsWith(QLatin1String("QStandardPaths: XDG_RUNTIME_DIR not set")); }

// Qt's font engine on a script its shaper does not cover ("OpenType support missing for "DejaVu
// Sans", script 16"), once for each string of that script drawn: a model's reply in Cyrillic or CJK
// filled the Log dock with them and buried the workbench's own messages (trial 19). The text is
// drawn; nothing for the user to do: debug.
bool isFontShapingNote(const QString& message) { return message.contains(QLatin1String("OpenType support missing for")); }

// Each such note once a process (a handful of fonts and scripts): repeated, they filled the log's
// ring and file at debug too (review 62).
bool firstFontShapingNote(const QString& message)
{
    static std::mutex mutex;
    static QSet<QString> seen;
    std::lock_guard lock(mutex);
    if (seen.contains(message))
        return false;
    seen.insert(message);
    return true;
}

QtMessageHandler g_qtDefaultHandler = nullptr;

void earlyQtMessageHandler(QtMsgType type, const QMessageLogContext& context, const QString& message)
{
    if (type == QtWarningMsg && isRuntimeFolderNote(message))
        log::info(message);
    else if (type == QtWarningMsg && isFontShapingNote(message))
        return; // before the log is set up: not for a terminal either
    else if (g_qtDefaultHandler)
        g_qtDefaultHandler(type, context, message);
    else
        std::fprintf(stderr, "%s\n", qPrintable(qFormatLogMessage(type, context, message)));
}

void qtMessageHandler(QtMsgType type, const QMessageLogContext&, const QString& message)
{
    switch (type) {
    case QtDebugMsg: log::debug(message); break;
    case QtInfoMsg: log::info(message); break;
    case QtWarningMsg:
        if (isRuntimeFolderNote(message))
            log::info(message);
        else if (isFontShapingNote(message)) {
            if (firstFontShapingNote(message))
                log::debug(message);
        }
        else
            log::warn(message);
        break;
    case QtCriticalMsg:
    case QtFatalMsg: log::error(message); break;
    }
}

std::shared_ptr<spdlog::logger> logger()
{
    LoggingState& s = state();
    std::lock_guard lock(s.mutex);
    if (!s.logger) {
        s.sinks = std::make_shared<spdlog::sinks::dist_sink_mt>();
        s.sinks->add_sink(std::make_shared<RingSink>(Logging::ring()));
        s.logger = std::make_shared<spdlog::logger>("bioforge", s.sinks);
        s.logger->set_level(spdlog::level::debug);
        s.logger->set_pattern("%Y-%m-%d %H:%M:%S.%e [%l] [t%t] %v");
        s.logger->flush_on(spdlog::level::warn);
        s.notOnConsole = s.logger->clone(kNotOnConsole);
    }
    return s.logger;
}

void write(spdlog::level::level_enum level, const QString& message)
{
    logger()->log(level, "{}", message.toStdString());
}

} // namespace

namespace log {
void debug(const QString& message) { write(spdlog::level::debug, message); }
void info(const QString& message) { write(spdlog::level::info, message); }
void warn(const QString& message) { write(spdlog::level::warn, message); }
void error(const QString& message) { write(spdlog::level::err, message); }
} // namespace log

LogRing& Logging::ring()
{
    static LogRing ring;
    return ring;
}

void Logging::initialize(Console console)
{
    auto lg = logger();
    LoggingState& s = state();
    std::lock_guard lock(s.mutex);
    if (s.console)
        s.sinks->remove_sink(s.console);
    s.console.reset();
    if (console != Console::Off) {
        s.console = std::make_shared<ConsoleSink>();
        s.console->set_level(console == Console::All ? spdlog::level::info : spdlog::level::warn);
        // On a terminal a progress line may be open (\r, no newline): clear it before the message.
        s.console->set_pattern(isatty(STDERR_FILENO) == 1 ? "\r\033[Kbioforge: %l: %v" : "bioforge: %l: %v");
        s.sinks->add_sink(s.console);
    }
    qInstallMessageHandler(qtMessageHandler);
}

void Logging::quietenQtBeforeInitialize()
{
    const QtMessageHandler previous = qInstallMessageHandler(earlyQtMessageHandler);
    if (previous == qtMessageHandler) { // initialize() came first: its handler stays
        qInstallMessageHandler(previous);
        return;
    }
    if (previous != earlyQtMessageHandler)
        g_qtDefaultHandler = previous;
}

bool Logging::attachFile(const QString& folder, QString* why)
{
    auto lg = logger();
    detachFile();
    if (const Status made = makeFolder(folder); !made) { // with the system's reason
        if (why)
            *why = made.error().message();
        return false;
    }
    LoggingState& s = state();
    std::lock_guard lock(s.mutex);
    try {
        const std::string path = QDir(folder).filePath(QStringLiteral("bioforge.log")).toStdString();
        s.file = std::make_shared<spdlog::sinks::rotating_file_sink_mt>(path, 5 * 1024 * 1024, 3);
        s.file->set_pattern("%Y-%m-%d %H:%M:%S.%e [%l] [t%t] %v");
        s.sinks->add_sink(s.file);
    } catch (const spdlog::spdlog_ex& e) {
        s.file.reset();
        if (why)
            *why = QString::fromLocal8Bit(e.what());
        return false;
    }
    return true;
}

void Logging::detachFile()
{
    LoggingState& s = state();
    std::lock_guard lock(s.mutex);
    if (s.file && s.sinks) {
        s.file->flush();
        s.sinks->remove_sink(s.file);
    }
    s.file.reset();
}

void Logging::flush()
{
    logger()->flush();
}

void Logging::errorNotOnConsole(const QString& message)
{
    logger(); // made with it
    std::shared_ptr<spdlog::logger> lg;
    {
        LoggingState& s = state();
        std::lock_guard lock(s.mutex);
        lg = s.notOnConsole;
    }
    lg->log(spdlog::level::err, "{}", message.toStdString());
}

} // namespace bioforge::core
