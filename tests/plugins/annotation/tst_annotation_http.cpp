// The annotation HTTP client against a real server on loopback: each host's
// rate held (measured arrival times), Retry-After honoured in its three
// forms, one retry layer (requests counted), the circuit breaker opening
// and recovering, every content fault failing its request with a message
// that says which, API keys kept out of messages, a stop honoured while
// waiting.

#include "net/http_client.h"
#include "provider_server.h"

#include <QLocale>
#include <QTimeZone>
#include <QThread>
#include <QElapsedTimer>
#include <QtTest>

#include <algorithm>
#include <atomic>

using namespace bioforge;
using namespace bioforge::annotation;
using namespace bioforge::test;

namespace {

HttpClientOptions fastRetries(int attempts)
{
    HttpClientOptions o;
    o.retry.maxAttempts = attempts;
    o.retry.initialDelaySeconds = 0.02; // a retry that ignored Retry-After would come this soon
    o.retry.maxDelaySeconds = 0.05;
    return o;
}

std::shared_ptr<HostLimits> unlimited(const ProviderServer& server)
{
    auto limits = std::make_shared<HostLimits>();
    limits->setPolicy(HostLimits::authority(server.url(QStringLiteral("/"))), {1000.0, 1000, 16, QStringLiteral("test")});
    return limits;
}

HttpRequest get(const ProviderServer& server, const QString& path, HttpRequest::Expect expect = HttpRequest::Expect::Json)
{
    HttpRequest r;
    r.url = server.url(path);
    r.expect = expect;
    r.timeoutMs = 5000;
    return r;
}

} // namespace

class TstAnnotationHttp : public QObject {
    Q_OBJECT
private slots:
    void eachHostsRateIsHeld()
    {
        ProviderServer server;
        server.route(QStringLiteral("/"), [](const ProviderServer::Request&) { return ProviderServer::json("{}"); });
        auto limits = std::make_shared<HostLimits>();
        limits->setPolicy(HostLimits::authority(server.url(QStringLiteral("/"))), {5.0, 1, 2, QStringLiteral("test: 5/s")});
        HttpClient client(limits, fastRetries(1));
        // Two threads at once, six requests each: together they may not pass 5 per second.
        QList<QThread*> threads;
        std::atomic<int> failures{0};
        for (int t = 0; t < 2; ++t)
            threads << QThread::create([&] {
                for (int i = 0; i < 6; ++i)
                    failures += client.send(get(server, QStringLiteral("/r"))).hasValue() ? 0 : 1;
            });
        for (QThread* t : threads)
            t->start();
        for (QThread* t : threads) {
            QVERIFY(t->wait(30000));
            delete t;
        }
        QCOMPARE(failures.load(), 0);
        QList<qint64> at;
        for (const auto& r : server.requests())
            at << r.atMs;
        std::sort(at.begin(), at.end());
        QCOMPARE(at.size(), 12);
        qint64 closest = 1 << 30;
        for (int i = 1; i < at.size(); ++i)
            closest = std::min(closest, at[i] - at[i - 1]);
        // Each arrival may be late by scheduling jitter (up to ~25 ms seen under the
        // sanitizer build, more on a loaded CI machine: flake audit F-2); a late one
        // shortens the next gap by as much. An unlimited client gives gaps of a few
        // ms, which 100 ms still tells apart; the span below checks the long-run rate.
        QVERIFY2(closest >= 100, qPrintable(QStringLiteral("closest arrivals %1 ms apart at 5/s").arg(closest)));
        QVERIFY(at.last() - at.first() >= 11 * 200 - 50);
        qInfo("12 requests at 5/s from 2 threads: closest arrivals %lld ms apart, all in %lld ms", closest, at.last() - at.first());
    }

    void retryAfterIsHonoured_data()
    {
        QTest::addColumn<QByteArray>("value");
        QTest::addColumn<qint64>("atLeastMs");
        QTest::newRow("seconds") << QByteArray("1") << qint64(1000);
        QTest::newRow("fractional") << QByteArray("0.6") << qint64(600);
        QTest::newRow("HTTP-date") << QByteArray("date in 3 s") << qint64(0); // checked against the date itself, below
    }

    void retryAfterIsHonoured()
    {
        QFETCH(QByteArray, value);
        QFETCH(qint64, atLeastMs);
        // An HTTP-date, made now (the other rows took their time), in whole seconds: the retry may
        // come no earlier than that second (a gap from the first request depended on the clock's
        // milliseconds and the set-up's time, and failed now and then: flake audit F-1).
        QDateTime date;
        if (value == "date in 3 s") {
            date = QDateTime::currentDateTimeUtc().addSecs(3);
            date.setTime(QTime(date.time().hour(), date.time().minute(), date.time().second()));
            value = QLocale::c().toString(date, QStringLiteral("ddd, dd MMM yyyy HH:mm:ss 'GMT'")).toLatin1();
        }
        ProviderServer server;
        server.route(QStringLiteral("/"), [](const ProviderServer::Request&) { return ProviderServer::json("{\"ok\":true}"); });
        server.inject(QStringLiteral("/"), {ProviderServer::retryAfter(value)});
        HttpClient client(unlimited(server), fastRetries(3));
        auto r = client.send(get(server, QStringLiteral("/lookup")));
        QVERIFY(r);
        QCOMPARE(r->attempts, 2);
        const auto requests = server.requests();
        QCOMPARE(requests.size(), 2);
        QVERIFY2(requests[1].atMs - requests[0].atMs >= atLeastMs - 30, qPrintable(QString::number(requests[1].atMs - requests[0].atMs)));
        if (date.isValid())
            QVERIFY2(requests[1].at.msecsTo(date) <= 30, qPrintable(QStringLiteral("retried at %1 for %2").arg(requests[1].at.toString(Qt::ISODateWithMs), value)));
    }

    void oneRetryLayerCountedInRequests()
    {
        ProviderServer server;
        server.route(QStringLiteral("/down"), [](const ProviderServer::Request&) { return ProviderServer::json("{}", 503); });
        server.route(QStringLiteral("/busy"), [](const ProviderServer::Request&) { return ProviderServer::json("{}", 429); });
        HttpClient client(unlimited(server), fastRetries(3));
        auto down = client.send(get(server, QStringLiteral("/down")));
        QVERIFY(!down);
        QVERIFY2(down.error().message().contains(QStringLiteral("503")) && down.error().message().contains(QStringLiteral("after 3 attempts")), qPrintable(down.error().message()));
        QCOMPARE(server.requests(QStringLiteral("/down")).size(), 3);
        QVERIFY(!client.send(get(server, QStringLiteral("/busy"))));
        QCOMPARE(server.requests(QStringLiteral("/busy")).size(), 3);
        QCOMPARE(client.requestsSent(), qint64(6));
    }

    void theBreakerOpensAndRecovers()
    {
        ProviderServer server;
        std::atomic<int> status{500};
        server.route(QStringLiteral("/"), [&](const ProviderServer::Request&) { return ProviderServer::json("{}", status.load()); });
        core::ManualClock clock(0);
        HttpClientOptions o = fastRetries(1);
        o.breakerThreshold = 2;
        o.breakerOpenMilliseconds = 1000;
        HttpClient client(unlimited(server), o, clock);
        const QUrl url = server.url(QStringLiteral("/"));
        QVERIFY(!client.send(get(server, QStringLiteral("/a"))));
        QCOMPARE(client.breaker(url).state(), CircuitBreaker::State::Closed);
        QVERIFY(!client.send(get(server, QStringLiteral("/a"))));
        QCOMPARE(client.breaker(url).state(), CircuitBreaker::State::Open);
        auto refused = client.send(get(server, QStringLiteral("/a")));
        QVERIFY(!refused);
        QVERIFY2(refused.error().message().contains(QStringLiteral("circuit open")), qPrintable(refused.error().message()));
        QCOMPARE(server.requests().size(), 2); // refused without a request
        clock.advance(1000);
        QCOMPARE(client.breaker(url).state(), CircuitBreaker::State::HalfOpen);
        QVERIFY(!client.send(get(server, QStringLiteral("/a")))); // the trial fails: open again
        QCOMPARE(client.breaker(url).state(), CircuitBreaker::State::Open);
        clock.advance(1000);
        status = 200;
        QVERIFY(client.send(get(server, QStringLiteral("/a"))));
        QCOMPARE(client.breaker(url).state(), CircuitBreaker::State::Closed);
        QCOMPARE(server.requests().size(), 4);
    }

    void contentFaultsFailTheirRequestAndSayWhich()
    {
        ProviderServer server;
        const QByteArray hundred(100, 'x');
        server.route(QStringLiteral("/html"), [](const ProviderServer::Request&) {
            return ProviderServer::Response{200, "<!DOCTYPE html><html><body>Please verify you are human</body></html>", {{"Content-Type", "text/html"}}, 0, -1, false};
        });
        server.route(QStringLiteral("/graphql"),
                     [](const ProviderServer::Request&) { return ProviderServer::json("{\"data\":{\"gene\":null},\"errors\":[{\"message\":\"Gene not found\"}]}"); });
        server.route(QStringLiteral("/forbidden"), [](const ProviderServer::Request&) { return ProviderServer::json("{}", 403); });
        server.route(QStringLiteral("/cut"), [hundred](const ProviderServer::Request&) { return ProviderServer::Response{200, "{\"a\":\"" + hundred + "\"}", {}, 0, 20, false}; });
        server.route(QStringLiteral("/malformed"), [](const ProviderServer::Request&) { return ProviderServer::json("{\"a\": [1, 2"); });
        server.route(QStringLiteral("/drop"), [](const ProviderServer::Request&) { return ProviderServer::Response{200, {}, {}, 0, -1, true}; });
        server.route(QStringLiteral("/missing"), [](const ProviderServer::Request&) { return ProviderServer::json("{\"error\":\"no such gene\"}", 404); });
        server.route(QStringLiteral("/slow"), [](const ProviderServer::Request&) { return ProviderServer::Response{200, "{}", {}, 3000, -1, false}; });
        HttpClient client(unlimited(server), fastRetries(3));
        struct Case {
            const char* path;
            HttpRequest::Expect expect;
            const char* says;
            int requests;
        };
        const Case cases[] = {
            {"/html", HttpRequest::Expect::Json, "HTML page where JSON was expected", 1},
            {"/graphql", HttpRequest::Expect::GraphQl, "Gene not found", 1},
            {"/forbidden", HttpRequest::Expect::Json, "403", 1},
            {"/cut", HttpRequest::Expect::Json, "", -3}, // closed mid-answer: Qt may resend once too (seen 4 in one run)
            {"/malformed", HttpRequest::Expect::Json, "malformed JSON", 3},
            {"/drop", HttpRequest::Expect::Json, "closed", -3},
        };
        for (const Case& c : cases) {
            auto r = client.send(get(server, QLatin1String(c.path), c.expect));
            QVERIFY2(!r, c.path);
            QVERIFY2(r.error().message().contains(QLatin1String(c.says)), qPrintable(r.error().message()));
            QVERIFY2(r.error().message().contains(QLatin1String(c.path)), qPrintable(r.error().message())); // names what failed
            // A connection closed before (or, when the close and the bytes race, during) the answer:
            // QNetworkAccessManager itself sends an idempotent request once more on a new connection
            // (RFC 9110 §9.2.2) — at most one more in all here.
            const qsizetype n = server.requests(QLatin1String(c.path)).size();
            QVERIFY2(c.requests > 0 ? n == c.requests : (n >= -c.requests && n <= -c.requests + 1),
                     qPrintable(QStringLiteral("%1: %2 requests").arg(QLatin1String(c.path)).arg(n)));
        }
        auto missing = client.send(get(server, QStringLiteral("/missing")));
        QVERIFY(missing);
        QCOMPARE(missing->status, 404); // the caller's "not found", not a failure
        HttpRequest slow = get(server, QStringLiteral("/slow"));
        slow.timeoutMs = 300;
        auto timedOut = client.send(slow);
        QVERIFY(!timedOut);
        QVERIFY2(timedOut.error().message().contains(QStringLiteral("no answer within")), qPrintable(timedOut.error().message()));
    }

    void anUnknownHostFailsAtOnce()
    {
        auto limits = std::make_shared<HostLimits>();
        limits->setPolicy(QStringLiteral("provider.invalid"), {1000.0, 10, 4, QStringLiteral("test")});
        HttpClient client(limits, fastRetries(4));
        HttpRequest r;
        r.url = QUrl(QStringLiteral("http://provider.invalid/api")); // RFC 2606: never resolves
        r.timeoutMs = 5000;
        auto answer = client.send(r);
        QVERIFY(!answer);
        QCOMPARE(client.requestsSent(), qint64(1)); // waiting would not help: not retried
        QVERIFY2(answer.error().message().contains(QStringLiteral("provider.invalid")), qPrintable(answer.error().message()));
    }

    void apiKeysStayOutOfMessages()
    {
        ProviderServer server;
        server.route(QStringLiteral("/"), [](const ProviderServer::Request&) { return ProviderServer::json("{}", 500); });
        HttpClientOptions o = fastRetries(1);
        o.apiKeys.insert(QStringLiteral("127.0.0.1"), {QStringLiteral("api_key"), QStringLiteral("SECRET123")});
        HttpClient client(unlimited(server), o);
        auto r = client.send(get(server, QStringLiteral("/esearch.fcgi?db=clinvar&term=PKD1[gene]")));
        QVERIFY(!r);
        QVERIFY(!r.error().message().contains(QStringLiteral("SECRET123")));
        QVERIFY(server.requests().first().query.contains(QStringLiteral("api_key=SECRET123")));
    }

    void aStopEndsTheWait()
    {
        ProviderServer server;
        server.route(QStringLiteral("/"), [](const ProviderServer::Request&) { return ProviderServer::json("{}"); });
        server.inject(QStringLiteral("/"), {ProviderServer::retryAfter("30")});
        HttpClient client(unlimited(server), fastRetries(3));
        std::atomic<bool> stop{false};
        QString error;
        QThread* t = QThread::create([&] {
            auto r = client.send(get(server, QStringLiteral("/x")), [&] { return stop.load(); });
            error = r ? QString() : r.error().message();
        });
        t->start();
        QTRY_COMPARE_WITH_TIMEOUT(server.requests().size(), 1, 10000);
        stop = true;
        QVERIFY(t->wait(5000)); // well before the 30 s
        delete t;
        QVERIFY2(error.contains(QStringLiteral("stopped")), qPrintable(error));
        // A request in flight to a host that does not answer is aborted too (a pause waited out the
        // transfer timeout).
        ProviderServer quiet; // another host: the first one's Retry-After holds every request to it
        quiet.route(QStringLiteral("/silent"), [](const ProviderServer::Request&) { return ProviderServer::Response{200, "{}", {}, 60000, -1, false}; });
        HttpClient quietClient(unlimited(quiet), fastRetries(3));
        stop = false;
        HttpRequest silent = get(quiet, QStringLiteral("/silent"));
        silent.timeoutMs = 30000;
        QElapsedTimer clock;
        QThread* inFlight = QThread::create([&] {
            auto r = quietClient.send(silent, [&] { return stop.load(); });
            error = r ? QString() : r.error().message();
        });
        inFlight->start();
        QTRY_VERIFY_WITH_TIMEOUT(!quiet.requests(QStringLiteral("/silent")).isEmpty(), 10000);
        clock.start();
        stop = true;
        QVERIFY(inFlight->wait(10000));
        delete inFlight;
        QVERIFY2(clock.elapsed() < 10000 && error.contains(QStringLiteral("stopped")), qPrintable(error));
    }

    void retryAfterForms()
    {
        const QDateTime now = QDateTime(QDate(2026, 11, 30), QTime(12, 0, 0), Qt::UTC);
        QCOMPARE(parseRetryAfter("120", now).value_or(-1), 120.0);
        QCOMPARE(parseRetryAfter("0.25", now).value_or(-1), 0.25);
        QCOMPARE(parseRetryAfter("Mon, 30 Nov 2026 12:00:05 GMT", now).value_or(-1), 5.0);
        QCOMPARE(parseRetryAfter("Mon, 30 Nov 2026 11:00:00 GMT", now).value_or(-1), 0.0); // in the past: no wait
        QVERIFY(!parseRetryAfter("soon", now));
        QVERIFY(!parseRetryAfter("", now));
        QVERIFY(!parseRetryAfter("-3", now));
    }
};

QTEST_GUILESS_MAIN(TstAnnotationHttp)
#include "tst_annotation_http.moc"
