// Model download against a real HTTP server on loopback: a dropped connection
// is resumed with a Range request, a server that ignores Range is handled,
// and a file with the wrong checksum is deleted and never registered.

#include "io/sha256.h"
#include "log/logging.h"
#include "models/model_downloader.h"
#include "models/model_registry.h"
#include "support/loopback_http_server.h"
#include "support/test_support.h"

#include <QDateTime>
#include <QDir>
#include <QFileInfo>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QtTest>

using namespace bioforge::core;
using namespace bioforge::test;

class TstModelDownloader : public QObject {
    Q_OBJECT

    static QByteArray payload(int size)
    {
        QByteArray data(size, Qt::Uninitialized);
        quint32 x = 12345;
        for (int i = 0; i < size; ++i) {
            x = x * 1664525u + 1013904223u;
            data[i] = char(x >> 24);
        }
        return data;
    }

private slots:
    void initTestCase() { Logging::initialize(Logging::Console::Off); }

    void droppedConnectionIsResumed()
    {
        LoopbackHttpServer server;
        QVERIFY(server.start());
        const QByteArray weights = payload(300 * 1024);
        server.serve(QStringLiteral("/m/model.safetensors"), weights);
        server.dropOnceAfter(QStringLiteral("/m/model.safetensors"), 100 * 1024);
        QTemporaryDir dir;
        ModelDownloader downloader(dir.path());
        downloader.setRetryDelayMs(10);
        qint64 lastDone = 0;
        bool monotone = true;
        auto st = downloader.download({{QUrl(server.url(QStringLiteral("/m/model.safetensors"))), QStringLiteral("model.safetensors"),
                                        Sha256::ofData(weights), weights.size()}},
                                      [&](qint64 done, qint64 total) {
                                          monotone = monotone && done >= lastDone && done <= total;
                                          lastDone = done;
                                      });
        QVERIFY2(st, st ? "" : qPrintable(st.error().message()));
        QCOMPARE(readAll(dir.filePath(QStringLiteral("model.safetensors"))), weights);
        QVERIFY(!QFileInfo::exists(dir.filePath(QStringLiteral("model.safetensors.part"))));
        // Qt may itself resend once on a dropped connection, so count loosely:
        // the first request is plain and a later one continues with a Range.
        QVERIFY(server.requests().size() >= 2);
        QVERIFY(server.requests()[0].range.isEmpty());
        bool resumedWithRange = false;
        for (const auto& r : server.requests())
            resumedWithRange = resumedWithRange || (r.range.startsWith("bytes=") && r.range.mid(6).split('-').first().toLongLong() > 0);
        QVERIFY(resumedWithRange);
        QVERIFY(downloader.resumedRequests() >= 1);
        QVERIFY(monotone);
    }

    void serverIgnoringRangeStartsOver()
    {
        LoopbackHttpServer server;
        QVERIFY(server.start());
        server.setIgnoreRange(true);
        const QByteArray weights = payload(200 * 1024);
        server.serve(QStringLiteral("/w"), weights);
        server.dropOnceAfter(QStringLiteral("/w"), 50 * 1024);
        QTemporaryDir dir;
        ModelDownloader downloader(dir.path());
        downloader.setRetryDelayMs(10);
        QVERIFY(downloader.download({{QUrl(server.url(QStringLiteral("/w"))), QStringLiteral("w.bin"), Sha256::ofData(weights), -1}}));
        QCOMPARE(readAll(dir.filePath(QStringLiteral("w.bin"))), weights);
    }

    void wrongChecksumIsDeletedAndNeverRegistered()
    {
        LoopbackHttpServer server;
        QVERIFY(server.start());
        server.serve(QStringLiteral("/bad"), payload(4096));
        QTemporaryDir dir;
        const QString target = dir.filePath(QStringLiteral("models/bad"));
        ModelDownloader downloader(target);
        const QString expected = Sha256::ofData("what the config promised");
        auto st = downloader.download({{QUrl(server.url(QStringLiteral("/bad"))), QStringLiteral("model.bin"), expected, -1}});
        QVERIFY(!st);
        QVERIFY2(st.error().message().contains(QStringLiteral("checksum mismatch")), qPrintable(st.error().message()));
        QVERIFY(!QFileInfo::exists(QDir(target).filePath(QStringLiteral("model.bin"))));
        QVERIFY(!QFileInfo::exists(QDir(target).filePath(QStringLiteral("model.bin.part"))));
        // The caller registers only after success: the registry stays empty.
        ModelRegistry registry(dir.filePath(QStringLiteral("registry.json")));
        QVERIFY(registry.load());
        QVERIFY(registry.models().isEmpty());
    }

    void missingFileIsAClearErrorWithoutRetries()
    {
        LoopbackHttpServer server;
        QVERIFY(server.start());
        QTemporaryDir dir;
        ModelDownloader downloader(dir.path());
        auto st = downloader.download({{QUrl(server.url(QStringLiteral("/absent"))), QStringLiteral("x"), QString(64, QLatin1Char('0')), -1}});
        QVERIFY(!st);
        QVERIFY(st.error().message().contains(QStringLiteral("404")));
        QCOMPARE(server.requests().size(), 1);
        // Nothing to resume from: no empty .part is left to be taken for a model's file.
        QVERIFY(!QFileInfo::exists(dir.filePath(QStringLiteral("x.part"))));
        QVERIFY(ModelDownloader::isWorkFile(QStringLiteral("sub/m.gguf.part")) && ModelDownloader::isWorkFile(QStringLiteral("m.gguf.part.json")));
        QVERIFY(!ModelDownloader::isWorkFile(QStringLiteral("m.gguf")) && !ModelDownloader::isWorkFile(QStringLiteral("partition.json")));
    }

    // A URL's percent escapes ("%2F", "%3A") are not QString::arg placeholders: the message quotes
    // the URL as given and still fills every field (a chain of .arg() calls replaced "%2" inside
    // the URL with the status code).
    void urlWithPercentEscapesIsQuotedVerbatim()
    {
        LoopbackHttpServer server;
        QVERIFY(server.start());
        QTemporaryDir dir;
        ModelDownloader downloader(dir.path());
        const QUrl url(server.url(QStringLiteral("/org%2Fmodel%3Av1")));
        auto st = downloader.download({{url, QStringLiteral("x"), QString(64, QLatin1Char('0')), -1}});
        QVERIFY(!st);
        const QString message = st.error().message();
        QVERIFY2(message.startsWith(url.toString() + QStringLiteral(": HTTP 404 (")), qPrintable(message));
        // The reason is the server's answer, not a "short body" of the error page.
        QVERIFY2(!message.contains(QStringLiteral("connection closed")), qPrintable(message));
    }

    void stopKeepsThePartialFileForLater()
    {
        LoopbackHttpServer server;
        QVERIFY(server.start());
        const QByteArray weights = payload(64 * 1024);
        server.serve(QStringLiteral("/s"), weights);
        QTemporaryDir dir;
        ModelDownloader downloader(dir.path());
        auto st = downloader.download({{QUrl(server.url(QStringLiteral("/s"))), QStringLiteral("s"), Sha256::ofData(weights), -1}},
                                      {}, [] { return true; });
        QVERIFY(!st);
        QVERIFY(st.error().message().contains(QStringLiteral("stopped")));
        QVERIFY(downloader.download({{QUrl(server.url(QStringLiteral("/s"))), QStringLiteral("s"), Sha256::ofData(weights), -1}}));
        QCOMPARE(readAll(dir.filePath(QStringLiteral("s"))), weights);
    }

    // A server that accepts the connection and never answers: the transfer timeout is said as
    // such, naming the host and the time (Qt reports its own abort as "Operation canceled"), and
    // nothing kept is not "0 bytes kept".
    void aServerThatNeverAnswersIsSaidAsATimeout()
    {
        QTcpServer silent; // the kernel completes the handshake; nobody reads or writes
        QVERIFY(silent.listen(QHostAddress::LocalHost));
        QTemporaryDir dir;
        ModelDownloader downloader(dir.path());
        downloader.setTransferTimeoutMs(300);
        downloader.setMaxAttempts(2);
        downloader.setRetryDelayMs(10);
        const QString url = QStringLiteral("http://127.0.0.1:%1/x.tsv").arg(silent.serverPort());
        auto st = downloader.download({{QUrl(url), QStringLiteral("x.tsv"), QString(64, QLatin1Char('0')), -1}});
        QVERIFY(!st);
        const QString said = st.error().message();
        QVERIFY2(said.contains(QStringLiteral("failed after 2 attempts: no answer from 127.0.0.1:%1 within 0.3 s").arg(silent.serverPort()))
                     && !said.contains(QStringLiteral("canceled"), Qt::CaseInsensitive),
                 qPrintable(said));

        // One that answers, sends 100 of 1000 bytes and stalls: said with what came.
        QTcpServer stalling;
        QVERIFY(stalling.listen(QHostAddress::LocalHost));
        connect(&stalling, &QTcpServer::newConnection, this, [&stalling] {
            while (QTcpSocket* socket = stalling.nextPendingConnection())
                connect(socket, &QTcpSocket::readyRead, socket, [socket] {
                    socket->readAll();
                    if (socket->property("answered").toBool())
                        return;
                    socket->setProperty("answered", true);
                    socket->write("HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n" + QByteArray(100, 'a'));
                });
        });
        QTemporaryDir stalled;
        ModelDownloader second(stalled.path());
        second.setTransferTimeoutMs(300);
        second.setMaxAttempts(2);
        second.setRetryDelayMs(10);
        auto part = second.download({{QUrl(QStringLiteral("http://127.0.0.1:%1/y.tsv").arg(stalling.serverPort())), QStringLiteral("y.tsv"),
                                      QString(64, QLatin1Char('0')), -1}});
        QVERIFY(!part);
        QVERIFY2(part.error().message().contains(QStringLiteral("no data from 127.0.0.1:%1 for 0.3 s after 100 bytes").arg(stalling.serverPort())),
                 qPrintable(part.error().message()));
    }

    // A provider's bulk file: no published checksum, so the size the server
    // declares is checked; a resume continues only the same version (If-Range),
    // the provider's date becomes the file's, and a second call reuses it.
    void fileWithoutChecksumIsCheckedAgainstTheServersSize()
    {
        LoopbackHttpServer server;
        QVERIFY(server.start());
        const QByteArray v1 = payload(256 * 1024);
        server.serve(QStringLiteral("/clinvar/variant_summary.txt.gz"), v1);
        server.dropOnceAfter(QStringLiteral("/clinvar/variant_summary.txt.gz"), 64 * 1024);
        QTemporaryDir dir;
        ModelDownloader downloader(dir.path());
        downloader.setRetryDelayMs(10);
        DownloadItem item{QUrl(server.url(QStringLiteral("/clinvar/variant_summary.txt.gz"))), QStringLiteral("clinvar/variant_summary.txt.gz"), {}, -1, true};
        auto st = downloader.download({item});
        QVERIFY2(st, st ? "" : qPrintable(st.error().message()));
        const QString path = dir.filePath(QStringLiteral("clinvar/variant_summary.txt.gz"));
        QCOMPARE(readAll(path), v1);
        QCOMPARE(downloader.downloaded().size(), 1);
        QCOMPARE(downloader.downloaded().first().sha256, Sha256::ofData(v1));
        QCOMPARE(downloader.downloaded().first().etag, QString::fromLatin1(LoopbackHttpServer::etagOf(v1)));
        QCOMPARE(QFileInfo(path).lastModified().toUTC(), QDateTime::fromString(QStringLiteral("1994-11-15T08:12:31Z"), Qt::ISODate));
        bool resumedSameVersion = false;
        for (const auto& r : server.requests())
            resumedSameVersion = resumedSameVersion || (!r.range.isEmpty() && r.ifRange == LoopbackHttpServer::etagOf(v1));
        QVERIFY(resumedSameVersion);
        // Again: reused from its sidecar, no request.
        const int before = int(server.requests().size());
        QVERIFY(downloader.download({item}));
        QCOMPARE(int(server.requests().size()), before);
        QVERIFY(downloader.downloaded().first().reused);
    }

    void aFileChangedOnTheServerDuringAResumeStartsOver()
    {
        LoopbackHttpServer server;
        QVERIFY(server.start());
        const QByteArray v1 = payload(200 * 1024), v2 = payload(230 * 1024).mid(7);
        server.serve(QStringLiteral("/f"), v1);
        server.dropOnceAfter(QStringLiteral("/f"), 50 * 1024);
        QTemporaryDir dir;
        ModelDownloader downloader(dir.path());
        downloader.setRetryDelayMs(10);
        downloader.setMaxAttempts(1); // stop after the cut: 50 KiB of v1 kept
        DownloadItem item{QUrl(server.url(QStringLiteral("/f"))), QStringLiteral("f"), {}, -1, true};
        QVERIFY(!downloader.download({item}));
        QVERIFY(QFileInfo(dir.filePath(QStringLiteral("f.part"))).size() > 0);
        server.serve(QStringLiteral("/f"), v2); // a new release meanwhile
        downloader.setMaxAttempts(3);
        auto st = downloader.download({item});
        QVERIFY2(st, st ? "" : qPrintable(st.error().message()));
        QCOMPARE(readAll(dir.filePath(QStringLiteral("f"))), v2); // never v1's head glued to v2's tail
    }

    void missingChecksumIsRefused()
    {
        QTemporaryDir dir;
        ModelDownloader downloader(dir.path());
        QVERIFY(!downloader.download({{QUrl(QStringLiteral("http://127.0.0.1:1/x")), QStringLiteral("x"), QString(), -1}}));
    }
};

QTEST_GUILESS_MAIN(TstModelDownloader)
#include "tst_model_downloader.moc"
