// kill -9 in the middle of an annotate run, then `bioforge resume`, through the
// real program: nothing stored is fetched again and the run completes (a run over
// every NCBI gene of org.Hs.eg.db); and the kill -9 property over a demo run at
// seeded random points, byte-identical to an uninterrupted one.

#include "annotation_cli_test_base.h"
#include "annotation_test_support.h"
#include "identity/orgdb.h"
#include "store/sqlite_db.h"
#include "support/kill_resume.h"
#include "support/test_support.h"

#include <QCryptographicHash>
#include <QDeadlineTimer>
#include <QDirIterator>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QSqlQuery>
#include <QtTest>

#include <csignal>

using namespace bioforge;
using namespace bioforge::annotation;
using namespace bioforge::annotation::test;
using namespace bioforge::test;

class TstAnnotationKillResume : public AnnotationCliTestBase {
    Q_OBJECT

private slots:
    void killDashNineThenResumeRedoesNothingStored()
    {
        const QString orgdb = OrgDb::findInstalled();
        if (orgdb.isEmpty())
            QSKIP("org.Hs.eg.db is not installed (Debian: r-bioc-org.hs.eg.db)");
        // Every NCBI gene of the OrgDb, annotated from it: long enough to be killed in the middle.
        auto db = SqliteDb::openReadOnly(orgdb);
        QVERIFY(db);
        QByteArray list;
        QSqlQuery q((*db)->database());
        QVERIFY(q.exec(QStringLiteral("SELECT gene_id FROM genes")));
        qint64 genes = 0;
        while (q.next()) {
            list += q.value(0).toByteArray() + '\n';
            ++genes;
        }
        const QString listPath = m_dir.filePath(QStringLiteral("all-genes.txt"));
        QVERIFY(writeAll(listPath, list));
        const QString lib = m_dir.filePath(QStringLiteral("orgdb-library.sqlite"));
        QCOMPARE(run(base(QStringLiteral("killed")) + QStringList{QStringLiteral("annotation"), QStringLiteral("import-bulk"), QStringLiteral("orgdb"), orgdb,
                                                                  QStringLiteral("--library"), lib}).code, 0);
        QProcess p;
        start(p, base(QStringLiteral("killed")) + QStringList{QStringLiteral("run"), QStringLiteral("annotation"), QStringLiteral("annotate"), listPath,
                                                            QStringLiteral("--library"), lib, QStringLiteral("--sources"), QStringLiteral("orgdb"),
                                                            QStringLiteral("--identity"), QStringLiteral("orgdb"), QStringLiteral("--batch"), QStringLiteral("50")});
        QVERIFY(p.waitForStarted());
        // Wait for stored values (the condition; the deadline only bounds a run that never stores:
        // every gene is resolved before the first value, which took over a minute on a loaded CI
        // machine: flake audit F-3), then kill.
        QString store;
        qint64 storedBefore = 0;
        const QDeadlineTimer deadline(300000);
        while (storedBefore == 0 && !deadline.hasExpired() && p.state() == QProcess::Running) {
            if (store.isEmpty()) {
                QDirIterator it(m_dir.filePath(QStringLiteral("killed/checkpoints")), {QStringLiteral("progress.sqlite")}, QDir::Files, QDirIterator::Subdirectories);
                if (it.hasNext())
                    store = it.next();
            }
            if (!store.isEmpty()) {
                auto s = SqliteDb::openReadOnly(store);
                if (s) {
                    QSqlQuery c((*s)->database());
                    if (c.exec(QStringLiteral("SELECT count(*) FROM result")) && c.next())
                        storedBefore = c.value(0).toLongLong();
                }
            }
            p.waitForFinished(10);
        }
        QVERIFY2(p.state() == QProcess::Running, qPrintable(QStringLiteral("the run ended before it was killed: ") + QString::fromLocal8Bit(p.readAllStandardError().right(2000))));
        ::kill(pid_t(p.processId()), SIGKILL);
        QVERIFY(p.waitForFinished(30000));
        QVERIFY(storedBefore > 0);
        QMap<QString, QString> before;
        {
            auto s = SqliteDb::openReadOnly(store);
            QVERIFY(s);
            QSqlQuery c((*s)->database());
            QVERIFY(c.exec(QStringLiteral("SELECT gene_key, fetched_at FROM result")));
            while (c.next())
                before.insert(c.value(0).toString(), c.value(1).toString());
        }
        QVERIFY2(before.size() < genes, "the run finished before it was killed");
        const Result resumed = run(base(QStringLiteral("killed")) + QStringList{QStringLiteral("resume")});
        QVERIFY2(resumed.code == 0, qPrintable(resumed.err));
        auto s = SqliteDb::openReadOnly(store);
        QVERIFY(s);
        QSqlQuery c((*s)->database());
        QVERIFY(c.exec(QStringLiteral("SELECT gene_key, fetched_at FROM result")));
        qint64 after = 0, unchanged = 0;
        while (c.next()) {
            ++after;
            if (before.contains(c.value(0).toString()))
                unchanged += before.value(c.value(0).toString()) == c.value(1).toString() ? 1 : 0;
        }
        QCOMPARE(unchanged, qint64(before.size())); // stored before the kill: not fetched again
        QVERIFY(after > before.size());
        // The resumed run records the gene list it annotated, with its SHA-256 (a resume once
        // recorded no input at all).
        const QString resumedId = QRegularExpression(QStringLiteral("resumed as run (\\S+)")).match(resumed.err).captured(1);
        QVERIFY2(!resumedId.isEmpty(), qPrintable(resumed.err));
        const QString provenance = m_dir.filePath(QStringLiteral("killed/runs/%1/provenance.json").arg(resumedId));
        const QJsonArray inputs = QJsonDocument::fromJson(readAll(provenance)).object().value(QStringLiteral("inputs")).toArray();
        QCOMPARE(inputs.size(), 1);
        QCOMPARE(inputs[0].toObject().value(QStringLiteral("sha256")).toString(), QString::fromLatin1(QCryptographicHash::hash(list, QCryptographicHash::Sha256).toHex()));
        qInfo("killed after %lld of the values, resumed to %lld", qint64(before.size()), after);
    }

    // kill -9 at seeded random points (support/kill_resume.h) of an offline run of
    // the demo panel over every demo source, one value stored per transaction:
    // BIOFORGE_KILL_ROUNDS rounds, 2 by default.
    void killDashNineAtRandomPointsThenResumeIsByteIdentical()
    {
        const QString lib = m_dir.filePath(QStringLiteral("kill-library.sqlite"));
        const std::pair<const char*, const char*> files[] = {
            {"hgnc", "hgnc_complete_set.panel.txt"}, {"hgnc", "withdrawn.panel.txt"}, {"gnomad", "demo_gnomad_constraint_metrics.tsv"},
            {"gtex", "demo_GTEx_gene_median_tpm.gct.gz"}, {"clinvar", "demo_clinvar_variant_summary.txt.gz"}, {"hpo", "demo_genes_to_phenotype.txt"},
            {"ensembl", "demo_Homo_sapiens.gtf.gz"}, {"ensembl", "demo_MANE.summary.txt.gz"}, {"uniprot", "demo_uniprotkb_human.tsv"}};
        for (const auto& [source, file] : files)
            QCOMPARE(run(base(QStringLiteral("kill-import")) + QStringList{QStringLiteral("annotation"), QStringLiteral("import-bulk"), QLatin1String(source),
                                                                           annotationDemoPath(QLatin1String(file)), QStringLiteral("--library"), lib}).code, 0);
        QByteArray genes;
        for (const QByteArray& line : readAll(annotationDemoPath(QStringLiteral("hgnc_complete_set.panel.txt"))).split('\n').mid(1))
            if (const QList<QByteArray> f = line.split('\t'); f.size() > 1)
                genes += f[1] + '\n';
        const QString list = m_dir.filePath(QStringLiteral("kill-genes.txt"));
        QVERIFY(writeAll(list, genes));

        KillResumeSpec spec;
        spec.name = QStringLiteral("annotation annotate");
        spec.workDir = m_dir.filePath(QStringLiteral("kill-property"));
        spec.environment = isolatedEnvironment(m_dir.filePath(QStringLiteral("home")));
        spec.start = [=](const QString& project) {
            return QStringList{QStringLiteral("--project"), project, QStringLiteral("run"), QStringLiteral("annotation"), QStringLiteral("annotate"),
                               QStringLiteral("--genes"), list, QStringLiteral("--library"), lib, QStringLiteral("--batch"), QStringLiteral("1")};
        };
        spec.progress = [](const QString& project) {
            QDirIterator it(QDir(project).filePath(QStringLiteral("checkpoints")), {QStringLiteral("progress.sqlite")}, QDir::Files, QDirIterator::Subdirectories);
            if (!it.hasNext())
                return 0;
            auto db = SqliteDb::openReadOnly(it.next());
            if (!db)
                return 0;
            QSqlQuery q((*db)->database());
            return q.exec(QStringLiteral("SELECT count(*) FROM result")) && q.next() ? q.value(0).toInt() : 0;
        };
        spec.outputs = [](const QString& project, const QString& runId) {
            // annotations.json says when each value was fetched: the one field that is the clock's, left out.
            static const QRegularExpression fetched(QStringLiteral("\"fetched_at\": *\"[^\"]*\""));
            QByteArray all;
            for (const char* name : {"annotations.tsv", "coverage.tsv", "resolution.tsv", "summary.json", "annotations.json"})
                all += QString::fromUtf8(readAll(QDir(project).filePath(QStringLiteral("runs/%1/%2").arg(runId, QLatin1String(name)))))
                           .replace(fetched, QStringLiteral("\"fetched_at\": \"\""))
                           .toUtf8();
            return all;
        };
        QString error;
        spec.expected = referenceOutputs(spec, &error);
        QVERIFY2(!spec.expected.isEmpty(), qPrintable(error));
        const int total = spec.progress(QDir(spec.workDir).filePath(QStringLiteral("reference")));
        QVERIFY2(total > 20, qPrintable(QString::number(total)));
        spec.maxStep = total / 2;
        const KillResumeOutcome outcome = killResumeProperty(spec);
        QVERIFY2(outcome.failure.isEmpty(), qPrintable(outcome.failure));
        QVERIFY(outcome.kills >= outcome.rounds);
        qInfo("kill -9 property, annotation: %d rounds, %d kills, every output identical (%d stored values a run)", outcome.rounds, outcome.kills, total);
    }
};

QTEST_GUILESS_MAIN(TstAnnotationKillResume)
#include "tst_annotation_kill_resume.moc"
