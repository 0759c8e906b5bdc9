// The window's Resume of a run whose input files moved since it began (resume_locating.h): it
// names the files gone, asks for the folder they are in now, and resumes on them there when their
// content is the one the run began with; declined, nothing is resumed (a paused run could only be
// resumed by moving its files back: trial 21).

#include "jobs/resume_locating.h"

#include "compute/device_discovery.h"
#include "compute/device_lease.h"
#include "jobs/clock.h"
#include "jobs/job_scheduler.h"
#include "log/logging.h"
#include "runs/run_service.h"
#include "store/project.h"
#include "support/input_list_plugin.h"
#include "support/test_support.h"

#include <QAbstractButton>
#include <QApplication>
#include <QDir>
#include <QFileDialog>
#include <QJsonArray>
#include <QMessageBox>
#include <QTemporaryDir>
#include <QTimer>
#include <QtTest>

using namespace bioforge;
using namespace bioforge::core;
using bioforge::ui::resumeLocatingInputs;

class TstResumeLocating : public QObject {
    Q_OBJECT

    // Answers the next "Locate folder…" question (pressing it, or Cancel), then the folder dialog
    // with `folder`; `said` gets the question's text.
    void answer(bool locate, const QString& folder, QString& said)
    {
        QTimer::singleShot(0, this, [this, locate, folder, &said] {
            auto* box = qobject_cast<QMessageBox*>(QApplication::activeModalWidget());
            if (!box)
                return;
            said = box->text();
            QAbstractButton* button = locate ? box->findChild<QAbstractButton*>(QStringLiteral("locateInputsButton")) : box->button(QMessageBox::Cancel);
            if (locate)
                QTimer::singleShot(0, this, [folder] {
                    if (auto* dialog = qobject_cast<QFileDialog*>(QApplication::activeModalWidget())) {
                        dialog->selectFile(folder);
                        QMetaObject::invokeMethod(dialog, "accept");
                    }
                });
            button->click();
        });
    }

private slots:
    void initTestCase() { Logging::initialize(Logging::Console::Off); }

    void aMovedInputIsLocatedInTheFolderChosen()
    {
        QTemporaryDir dir;
        auto project = Project::open(dir.filePath(QStringLiteral("project")), true);
        QVERIFY(project);
        const auto plugins = test::listPlugins();
        DeviceLeasePool devices({DeviceDiscovery::cpu()});
        JobScheduler scheduler(devices, SteadyClock::instance(), 1);
        RunService runs(**project, *plugins, scheduler);
        const QString input = dir.filePath(QStringLiteral("in/a.fa")), movedTo = dir.filePath(QStringLiteral("lab"));
        QVERIFY(QDir().mkpath(QFileInfo(input).path()) && QDir().mkpath(movedTo));
        {
            QFile f(input);
            QVERIFY(f.open(QIODevice::WriteOnly) && f.write(">a\nACGT\n") == 8);
        }
        auto paused = runs.start(QStringLiteral("lists"), QStringLiteral("copy"), {{QStringLiteral("inputs"), QJsonArray{input}}});
        QVERIFY(paused);
        QVERIFY(scheduler.waitForIdle(60000));
        QCOMPARE((*project)->store().run(*paused)->state, RunState::Paused);
        QWidget parent;

        // In place: resumed with no question. (A second paused run for the rest.)
        auto second = runs.start(QStringLiteral("lists"), QStringLiteral("copy"), {{QStringLiteral("inputs"), QJsonArray{input}}});
        QVERIFY(second && scheduler.waitForIdle(60000));
        QVERIFY(resumeLocatingInputs(runs, *second, &parent));
        QVERIFY(scheduler.waitForIdle(60000));

        QVERIFY(QFile::rename(input, QDir(movedTo).filePath(QStringLiteral("a.fa"))));
        QCOMPARE(*runs.goneInputs(*paused), QStringList{input});
        QString said;
        answer(false, {}, said);
        const auto declined = resumeLocatingInputs(runs, *paused, &parent);
        QVERIFY(!declined);
        QVERIFY2(said.contains(input), qPrintable(said));
        QVERIFY(!continuationOf(*(*project)->store().runs(), *paused)); // nothing resumed

        answer(true, movedTo, said);
        const auto resumed = resumeLocatingInputs(runs, *paused, &parent);
        QVERIFY2(resumed, resumed ? "" : qPrintable(resumed.error().message()));
        QVERIFY(scheduler.waitForIdle(60000));
        const auto record = (*project)->store().run(*resumed);
        QVERIFY2(record->state == RunState::Finished, qPrintable(record->error));
        QCOMPARE(record->inputs.value(0).path, QDir(movedTo).filePath(QStringLiteral("a.fa")));
        QCOMPARE(test::readAll(QDir((*project)->runDir(*resumed)).filePath(QStringLiteral("copy.txt"))), QByteArray(">a\nACGT\n"));
    }
};

QTEST_MAIN(TstResumeLocating)
#include "tst_resume_locating.moc"
