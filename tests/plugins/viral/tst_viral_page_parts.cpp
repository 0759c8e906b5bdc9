// The viral page's parts on their own, offscreen: the setup panel keeps its
// FASTA list and cluster choice for the next start and passes the precision
// and the cluster options to the run; a cluster run where no Slurm cluster
// answers is refused off the UI thread, nothing recorded; damaged result
// tables name the file. A run from the page and its results: tst_viral_page.cpp.

#include "contig_results.h"
#include "run_setup_panel.h"
#include "settings/workbench_settings.h"
#include "store/project.h"
#include "store/project_store.h"
#include "viral_page_fixture.h"

#include <QCheckBox>
#include <QComboBox>
#include <QFile>
#include <QJsonObject>
#include <QLabel>
#include <QScopeGuard>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QtTest>

using namespace bioforge;
using namespace bioforge::viral;
using namespace bioforge::test;

class TstViralPageParts : public ViralPageFixture {
    Q_OBJECT

private slots:
    void initTestCase()
    {
        QVERIFY(openPage());
        QVERIFY(writePageFasta());
    }

    void theFastaListIsKeptForTheNextStart()
    {
        const QString fasta = m_dir.filePath(QStringLiteral("page.fa"));
        {
            RunSetupPanel first;
            first.addInputs({fasta});
        }
        RunSetupPanel second;
        QVERIFY(second.inputs().contains(fasta));
        QFile::rename(fasta, fasta + QStringLiteral(".moved")); // a file gone since is not offered again
        RunSetupPanel third;
        QVERIFY(!third.inputs().contains(fasta));
        QFile::rename(fasta + QStringLiteral(".moved"), fasta);
    }

    // The encoder precision choice reaches the run's parameters (fp32 unless chosen).
    void thePrecisionChoiceReachesTheParameters()
    {
        RunSetupPanel panel;
        auto* choice = panel.findChild<QComboBox*>(QStringLiteral("precisionChoice"));
        QVERIFY(choice);
        QCOMPARE(panel.parameters().value(QLatin1String("precision")).toString(), QStringLiteral("fp32"));
        choice->setCurrentIndex(choice->findData(QStringLiteral("bf16")));
        QCOMPARE(panel.parameters().value(QLatin1String("precision")).toString(), QStringLiteral("bf16"));
        choice->setCurrentIndex(choice->findData(QStringLiteral("int8")));
        QCOMPARE(panel.parameters().value(QLatin1String("precision")).toString(), QStringLiteral("int8"));
        QVERIFY(choice->currentText().contains(QStringLiteral("approximate")));
    }

    // "Run on the Slurm cluster" adds the options kept in Settings to the run's parameters.
    void theClusterChoiceSendsTheSettingsOptions()
    {
        core::WorkbenchSettings().setClusterOptions({{QStringLiteral("backend"), QStringLiteral("slurm")}, {QStringLiteral("shards"), 3},
                                                     {QStringLiteral("partition"), QStringLiteral("gpu")}});
        RunSetupPanel panel;
        auto* check = panel.findChild<QCheckBox*>(QStringLiteral("clusterCheck"));
        QVERIFY(check);
        QVERIFY(!panel.parameters().contains(QLatin1String("cluster")));
        if (QStandardPaths::findExecutable(QStringLiteral("sbatch")).isEmpty()) {
            QVERIFY(!check->isEnabled());
            QVERIFY(check->toolTip().contains(QLatin1String("sbatch")));
            QSKIP("no Slurm client here: the choice is disabled, as it should be");
        }
        check->setChecked(true);
        const QJsonObject cluster = panel.parameters().value(QLatin1String("cluster")).toObject();
        QCOMPARE(cluster.value(QLatin1String("shards")).toInt(), 3);
        QCOMPARE(cluster.value(QLatin1String("partition")).toString(), QStringLiteral("gpu"));
        // Kept for the next start, as the page's inputs are (a run meant for the cluster went to this
        // machine after a restart: trial 22).
        {
            RunSetupPanel next;
            QVERIFY(next.findChild<QCheckBox*>(QStringLiteral("clusterCheck"))->isChecked());
        }
        check->setChecked(false);
        RunSetupPanel after;
        QVERIFY(!after.findChild<QCheckBox*>(QStringLiteral("clusterCheck"))->isChecked());
    }

    // A cluster run asks whether a Slurm cluster answers on a worker thread (a controller that is
    // down takes scontrol's timeout): the page waits disabled, then says why nothing was recorded.
    void aClusterRunWithoutAClusterIsRefusedOffTheUiThread()
    {
        auto* check = m_page->setup()->findChild<QCheckBox*>(QStringLiteral("clusterCheck"));
        QVERIFY(check);
        if (!check->isEnabled())
            QSKIP("no Slurm client here: the choice is disabled");
        const QByteArray conf = qgetenv("SLURM_CONF");
        auto restore = qScopeGuard([&] { // also when a check below fails
            check->setChecked(false);
            if (conf.isNull())
                qunsetenv("SLURM_CONF");
            else
                qputenv("SLURM_CONF", conf);
        });
        qputenv("SLURM_CONF", m_dir.filePath(QStringLiteral("no-such-slurm.conf")).toLocal8Bit());
        check->setChecked(true);
        const qsizetype before = m_session->project()->store().runs()->size();
        QCOMPARE(m_page->start(QStringLiteral("predict")), QString());
        QVERIFY(!m_page->setup()->isEnabled()); // the answer comes through the event loop, never here
        auto* status = m_page->setup()->findChildren<QLabel*>().last();
        QTRY_VERIFY_WITH_TIMEOUT(m_page->setup()->isEnabled(), 60000);
        QVERIFY2(status->text().contains(QStringLiteral("no Slurm cluster answers on this machine")), qPrintable(status->text()));
        QCOMPARE(m_session->project()->store().runs()->size(), before);
    }

    // A run folder damaged after the run (an empty or cut frames.tsv): the results fail to load
    // with the file and line named, never an erase past the end of a short header.
    void damagedResultTablesNameTheFile()
    {
        QTemporaryDir dir;
        auto write = [&](const QString& name, const QByteArray& content) {
            QFile f(dir.filePath(name));
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write(content);
        };
        auto row = [](int n, const QByteArray& first) {
            QByteArrayList cells{first};
            for (int i = 1; i < n; ++i)
                cells << QByteArray::number(i);
            return cells.join('\t') + '\n';
        };
        write(QStringLiteral("contigs.tsv"), row(11, "contig") + row(11, "c1"));
        write(QStringLiteral("chunks.tsv"), row(7, "contig") + row(7, "c1"));
        write(QStringLiteral("frames.tsv"), row(9, "contig") + row(9, "c1"));
        QVERIFY(ContigResults::load(dir.path()));
        for (const QByteArray& frames : {QByteArray(), QByteArray("contig\tframe\n") + row(9, "c1"), QByteArray("\n")}) {
            write(QStringLiteral("frames.tsv"), frames);
            auto r = ContigResults::load(dir.path());
            QVERIFY(!r);
            QVERIFY2(r.error().message().contains(dir.filePath(QStringLiteral("frames.tsv"))), qPrintable(r.error().message()));
        }
        write(QStringLiteral("frames.tsv"), row(9, "contig") + "c1\t2\n");
        auto shortRow = ContigResults::load(dir.path());
        QVERIFY(!shortRow);
        QVERIFY2(shortRow.error().message().contains(QStringLiteral("frames.tsv:2:")), qPrintable(shortRow.error().message()));
    }

    void cleanupTestCase()
    {
        m_page.reset();
        m_session.reset();
    }
};

QTEST_MAIN(TstViralPageParts)
#include "tst_viral_page_parts.moc"
