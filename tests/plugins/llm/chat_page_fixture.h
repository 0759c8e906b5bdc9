// A chat page, offscreen, on a fresh project; the small synthesized model the chat page tests
// load through it.
#pragma once

#include "chat_page.h"
#include "log/logging.h"
#include "runs/session.h"
#include "synth/model_synthesizer.h"

#include <QStandardPaths>
#include <QTemporaryDir>

#include <memory>

namespace bioforge::test {

struct ChatPageFixture {
    QTemporaryDir dir;
    std::unique_ptr<core::Session> session;
    std::unique_ptr<llm::ChatPage> page;

    /// A project in dir/project and the page on it, shown at 1100x700; false if the project
    /// cannot be made.
    bool open()
    {
        QStandardPaths::setTestModeEnabled(true);
        core::Logging::initialize(core::Logging::Console::Off);
        session = std::make_unique<core::Session>(core::Session::Options{});
        if (!session->openProject(dir.filePath(QStringLiteral("project")), true))
            return false;
        page = std::make_unique<llm::ChatPage>(ui::PageContext{session.get()});
        page->resize(1100, 700);
        page->show();
        return true;
    }

    /// dir/chat.gguf: random weights, embedding 64, feed-forward 128, vocabulary 800 (answers in
    /// well under a second each).
    core::Status writeModel() const
    {
        llm::SynthSpec spec;
        spec.embedding = 64;
        spec.feedForward = 128;
        spec.vocab = 800;
        return llm::ModelSynthesizer::write(spec, modelPath());
    }
    QString modelPath() const { return dir.filePath(QStringLiteral("chat.gguf")); }

    void close()
    {
        page.reset();
        session.reset();
    }
};

} // namespace bioforge::test
