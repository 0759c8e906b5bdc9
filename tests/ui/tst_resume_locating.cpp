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
    void answer(bool locate, const QString& folder, QString& said) { answerEach(locate, locate ? QStringList{folder} : QStringList{}, said); }

    // Answers the questions to come with `folders`, one each, in order (or Cancel once, unless `locate`).
    void answerEach(bool locate, QStringList folders, QString& said)
    {
        QTimer::singleShot(0, this, [this, locate, folders, &said] {
            auto* box = qobject_cast<QMessageBox*>(QApplication::activeModalWidget());
            if (!box)
                return;
            said = box->text();
            QAbstractButton* button = locate ? box->findChild<QAbstractButton*>(QStringLiteral("locateInputsButton")) : box->button(QMessageBox::Cancel);
            if (locate)
                QTimer::singleShot(0, this, [this, folders, &said] {
                    if (auto* dialog = qobject_cast<QFileDialog*>(QApplication::activeModalWidget())) {
                        dialog->selectFile(folders.first());
                        if (folders.size() > 1)
                            answerEach(true, folders.mid(1), said);
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

        // Two inputs moved to two folders: asked again for the one the first folder lacks (review 66 R66-5).
        const QString b = dir.filePath(QStringLiteral("in/b.fa")), a = dir.filePath(QStringLiteral("in/a.fa"));
        QVERIFY(QFile::rename(QDir(movedTo).filePath(QStringLiteral("a.fa")), a));
        {
            QFile f(b);
            QVERIFY(f.open(QIODevice::WriteOnly) && f.write(">b\nGGCC\n") == 8);
        }
        auto both = runs.start(QStringLiteral("lists"), QStringLiteral("copy"), {{QStringLiteral("inputs"), QJsonArray{a, b}}});
        QVERIFY(both && scheduler.waitForIdle(60000));
        const QString otherFolder = dir.filePath(QStringLiteral("elsewhere"));
        QVERIFY(QDir().mkpath(otherFolder));
        QVERIFY(QFile::rename(a, QDir(movedTo).filePath(QStringLiteral("a.fa"))) && QFile::rename(b, QDir(otherFolder).filePath(QStringLiteral("b.fa"))));
        answerEach(true, QStringList{movedTo, otherFolder}, said);
        const auto twice = resumeLocatingInputs(runs, *both, &parent);
        QVERIFY2(twice, twice ? "" : qPrintable(twice.error().message()));
        QVERIFY2(said.contains(QStringLiteral("in none of the folders chosen")) && said.contains(b) && !said.contains(a), qPrintable(said));
        QVERIFY(scheduler.waitForIdle(60000));
        const auto together = (*project)->store().run(*twice);
        QVERIFY2(together->state == RunState::Finished, qPrintable(together->error));
        QCOMPARE(test::readAll(QDir((*project)->runDir(*twice)).filePath(QStringLiteral("copy.txt"))), QByteArray(">a\nACGT\n>b\nGGCC\n"));
    }
};

QTEST_MAIN(TstResumeLocating)
#include "tst_resume_locating.moc"
