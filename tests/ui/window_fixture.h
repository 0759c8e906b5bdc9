#pragma once

// A session and its main window on a new project, shown offscreen, for the window's tests; closed
// with every run paused first (a run's worker never outlives the window).

#include "jobs/job_scheduler.h"
#include "log/logging.h"
#include "runs/session.h"
#include "shell/main_window.h"

#include <QStandardPaths>
#include <QtTest>

#include <functional>
#include <memory>

namespace bioforge::test {

struct WindowFixture {
    std::unique_ptr<core::Session> session;
    std::unique_ptr<ui::MainWindow> window;

    // `beforeWindow` runs once the session exists and before the window is made (a test that
    // clears the window's remembered layout). False, with a test failure, where the project or the
    // window does not open.
    bool open(const QString& projectFolder, const std::function<void()>& beforeWindow = {})
    {
        QStandardPaths::setTestModeEnabled(true);
        core::Logging::initialize(core::Logging::Console::Off);
        session = std::make_unique<core::Session>(core::Session::Options{});
        if (beforeWindow)
            beforeWindow();
        window = std::make_unique<ui::MainWindow>(*session);
        if (!window->openProject(projectFolder, true))
            return false;
        window->show();
        return QTest::qWaitForWindowExposed(window.get());
    }

    void close()
    {
        session->scheduler().pauseAllAndWait();
        window.reset();
        session.reset();
    }
};

} // namespace bioforge::test
