#include "net/http_client.h"

#include "log/log.h"

#include <QEventLoop>
#include <QJsonArray>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QThread>
#include <QTimer>
#include <QUrlQuery>

#include <chrono>
#include <random>
#include <thread>

namespace bioforge::annotation {

QString displayUrl(const QUrl& url) { return url.toDisplayString(QUrl::RemoveQuery | QUrl::RemoveUserInfo); }

struct HttpClient::Attempt {
    enum class Kind { Ok, Retry, Fail, Response };
    Kind kind = Kind::Fail;
    bool hostFailure = false;           // counts against the circuit breaker
    std::optional<double> retryAfter;   // seconds the server asked for
    QString reason;
    HttpResponse response;
};

namespace {

// One QNetworkAccessManager per thread that sends (QNAM belongs to its thread).
QNetworkAccessManager& threadManager()
{
    thread_local std::unique_ptr<QNetworkAccessManager> manager;
    if (!manager)
        manager = std::make_unique<QNetworkAccessManager>();
    return *manager;
}

bool sleepUnlessStopped(double seconds, const std::function<bool()>& stop)
{
    const auto end = std::chrono::steady_clock::now() + std::chrono::duration_cast<std::chrono::steady_clock::duration>(std::chrono::duration<double>(seconds));
    while (std::chrono::steady_clock::now() < end) {
        if (stop && stop())
            return false;
        std::this_thread::sleep_for(std::min<std::chrono::steady_clock::duration>(std::chrono::milliseconds(50), end - std::chrono::steady_clock::now()));
    }
    return true;
}

} // namespace

HttpClient::HttpClient(std::shared_ptr<HostLimits> limits, HttpClientOptions options, const core::Clock& clock)
    : m_limits(std::move(limits)), m_options(std::move(options)), m_clock(clock), m_jitterSeed(m_options.seed)
{
}

HttpClient::~HttpClient() = default;

CircuitBreaker& HttpClient::breaker(const QUrl& url)
{
    const QString key = HostLimits::authority(url);
    std::lock_guard lock(m_mutex);
    auto it = m_breakers.find(key);
    if (it == m_breakers.end())
        it = m_breakers.insert(key, std::make_shared<CircuitBreaker>(m_clock, m_options.breakerThreshold, m_options.breakerOpenMilliseconds));
    return **it;
}

HttpClient::Attempt HttpClient::once(const HttpRequest& request, const std::function<bool()>& stop)
{
    Attempt a;
    QUrl url = request.url;
    if (const auto key = m_options.apiKeys.find(url.host()); key != m_options.apiKeys.end() && !key->second.isEmpty()) {
        QUrlQuery query(url);
        query.addQueryItem(key->first, key->second);
        url.setQuery(query);
    }
    QNetworkRequest q(url);
    q.setHeader(QNetworkRequest::UserAgentHeader, m_options.userAgent);
    q.setAttribute(QNetworkRequest::RedirectPolicyAttribute, QNetworkRequest::NoLessSafeRedirectPolicy);
    q.setTransferTimeout(request.timeoutMs);
    for (const auto& [name, value] : request.headers)
        q.setRawHeader(name, value);
    if (request.expect != HttpRequest::Expect::Any && !q.hasRawHeader("Accept"))
        q.setRawHeader("Accept", "application/json");
    ++m_sent;
    QNetworkReply* reply = threadManager().sendCustomRequest(q, request.method, request.body);
    QEventLoop loop;
    QObject::connect(reply, &QNetworkReply::finished, &loop, &QEventLoop::quit);
    // A pause or cancel aborts the request in flight (it waited for the transfer timeout, 30 s).
    bool stopped = false;
    QTimer poll;
    if (stop) {
        QObject::connect(&poll, &QTimer::timeout, reply, [&] {
            if (stop()) {
                stopped = true;
                reply->abort();
            }
        });
        poll.start(200);
    }
    if (!reply->isFinished())
        loop.exec();
    poll.stop();
    std::unique_ptr<QNetworkReply, void (*)(QNetworkReply*)> owner(reply, [](QNetworkReply* r) { r->deleteLater(); });
    const QString where = QStringLiteral("%1 %2").arg(QString::fromLatin1(request.method), displayUrl(request.url));
    if (stopped) {
        a.kind = Attempt::Kind::Fail;
        a.reason = QStringLiteral("%1: stopped").arg(displayUrl(request.url));
        return a;
    }
    a.response.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    if (reply->isOpen()) // an aborted (timed-out) reply is closed: reading it made Qt warn "device not open"
        a.response.body = reply->readAll();
    for (const auto& [name, value] : reply->rawHeaderPairs())
        a.response.headers.insert(name.toLower(), value);
    const int status = a.response.status;
    if (status == 0 && reply->error() == QNetworkReply::HostNotFoundError) { // no such host (or no network): waiting will not help
        a.kind = Attempt::Kind::Fail;
        a.hostFailure = true;
        a.reason = QStringLiteral("%1: host not found (no network, or a wrong address)").arg(where);
        return a;
    }
    if (status == 0) { // no HTTP answer: refused, dropped, timed out
        a.kind = Attempt::Kind::Retry;
        a.hostFailure = true;
        a.reason = reply->error() == QNetworkReply::OperationCanceledError || reply->error() == QNetworkReply::TimeoutError
                       ? QStringLiteral("%1: no answer within %2 s").arg(where, QString::number(request.timeoutMs / 1000.0))
                       : QStringLiteral("%1: %2").arg(where, reply->errorString().replace(url.toString(), displayUrl(url)));
        return a;
    }
    const std::optional<double> retryAfter = parseRetryAfter(a.response.headers.value("retry-after"), QDateTime::currentDateTimeUtc());
    if (status == 429 || status >= 500) {
        a.kind = Attempt::Kind::Retry;
        a.hostFailure = true;
        a.retryAfter = retryAfter;
        a.reason = QStringLiteral("%1: HTTP %2%3").arg(where, QString::number(status), status == 429 ? QStringLiteral(" (rate limited)") : QString());
        return a;
    }
    if (status == 403) {
        a.kind = Attempt::Kind::Fail;
        a.hostFailure = true;
        a.reason = QStringLiteral("%1: HTTP 403, the provider refuses the request (HGNC and CDNs answer a rate breach or a block so); not retried").arg(where);
        return a;
    }
    if (status >= 400) { // the query's problem (404 not found, 400 bad input): the caller decides
        a.kind = Attempt::Kind::Response;
        return a;
    }
    if (reply->error() != QNetworkReply::NoError) { // e.g. the connection dropped in the body
        a.kind = Attempt::Kind::Retry;
        a.hostFailure = true;
        a.reason = QStringLiteral("%1: the transfer broke off (%2)").arg(where, reply->errorString());
        return a;
    }
    bool lengthOk = false;
    const qint64 declared = a.response.headers.value("content-length").toLongLong(&lengthOk);
    if (lengthOk && !a.response.headers.contains("content-encoding") && a.response.body.size() < declared) {
        a.kind = Attempt::Kind::Retry;
        a.hostFailure = true;
        a.reason = QStringLiteral("%1: truncated body (%2 of %3 bytes)").arg(where, QString::number(a.response.body.size()), QString::number(declared));
        return a;
    }
    if (request.expect != HttpRequest::Expect::Any) {
        const QByteArray head = a.response.body.trimmed().left(64).toLower();
        if (head.startsWith('<')) {
            a.kind = Attempt::Kind::Fail;
            a.hostFailure = true;
            a.reason = QStringLiteral("%1: an HTML page where JSON was expected (a CAPTCHA or an error page)").arg(where);
            return a;
        }
        QJsonParseError e;
        a.response.json = QJsonDocument::fromJson(a.response.body, &e);
        if (e.error != QJsonParseError::NoError) {
            a.kind = Attempt::Kind::Retry; // most often a body cut short
            a.reason = QStringLiteral("%1: malformed JSON at byte %2 (%3)").arg(where, QString::number(e.offset), e.errorString());
            return a;
        }
        if (request.expect == HttpRequest::Expect::GraphQl) {
            const QJsonArray errors = a.response.json.object().value(QStringLiteral("errors")).toArray();
            if (!errors.isEmpty()) {
                a.kind = Attempt::Kind::Fail; // about the query, not the host: neither retried nor held against it
                a.reason = QStringLiteral("%1: GraphQL errors in a 200 answer: %2").arg(where, errors.first().toObject().value(QStringLiteral("message")).toString());
                return a;
            }
        }
    }
    a.kind = Attempt::Kind::Ok;
    return a;
}

core::Expected<HttpResponse> HttpClient::send(const HttpRequest& request, const std::function<bool()>& stop)
{
    CircuitBreaker& circuit = breaker(request.url);
    const std::shared_ptr<HostLimiter> limiter = m_limits->limiter(request.url);
    std::mt19937_64 rng(m_jitterSeed.fetch_add(1));
    QString lastReason;
    for (int attempt = 1; attempt <= m_options.retry.maxAttempts; ++attempt) {
        if (!circuit.allow())
            return core::Error(QStringLiteral("%1: circuit open after %2 failures in a row; the host is tried again in %3 s%4")
                                   .arg(HostLimits::authority(request.url), QString::number(circuit.consecutiveFailures()),
                                        QString::number(circuit.retryInMilliseconds() / 1000.0, 'f', 1),
                                        lastReason.isEmpty() ? QString() : QStringLiteral(" (last: %1)").arg(lastReason)));
        if (!limiter->acquire(stop))
            return core::Error(QStringLiteral("%1: stopped").arg(displayUrl(request.url)));
        Attempt a = once(request, stop);
        limiter->release();
        if (stop && stop())
            return core::Error(QStringLiteral("%1: stopped").arg(displayUrl(request.url)));
        a.response.attempts = attempt;
        if (a.kind == Attempt::Kind::Ok || a.kind == Attempt::Kind::Response) {
            circuit.recordSuccess();
            return a.response;
        }
        lastReason = a.reason;
        // A host that does not answer is said at once, each try (it sat at 0 % for minutes without a word).
        if (a.kind == Attempt::Kind::Retry && a.response.status == 0 && attempt < m_options.retry.maxAttempts)
            core::log::warn(QStringLiteral("%1; attempt %2 of %3, trying again").arg(a.reason, QString::number(attempt), QString::number(m_options.retry.maxAttempts)));
        if (a.kind == Attempt::Kind::Fail || attempt == m_options.retry.maxAttempts) {
            if (a.hostFailure)
                circuit.recordFailure();
            else
                circuit.recordSuccess(); // the host answered; the request was wrong
            return core::Error(attempt > 1 ? QStringLiteral("%1 (after %2 attempts)").arg(a.reason, QString::number(attempt)) : a.reason);
        }
        if (a.retryAfter) {
            if (*a.retryAfter > m_options.retry.maxRetryAfterSeconds) {
                circuit.recordFailure();
                return core::Error(QStringLiteral("%1; the server asks to wait %2 s, more than %3 s").arg(a.reason, QString::number(*a.retryAfter),
                                                                                                          QString::number(m_options.retry.maxRetryAfterSeconds)));
            }
            limiter->pauseFor(*a.retryAfter); // the whole host waits, every caller
        } else if (!sleepUnlessStopped(backoffSeconds(m_options.retry, attempt, rng), stop)) {
            return core::Error(QStringLiteral("%1: stopped").arg(displayUrl(request.url)));
        }
    }
    return core::Error(lastReason);
}

} // namespace bioforge::annotation
