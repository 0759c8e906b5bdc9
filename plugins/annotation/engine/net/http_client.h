#pragma once

// The one HTTP client every source uses (QNetworkAccessManager, one per
// worker thread, driven by a local event loop: call it from a job's thread,
// never the UI thread). Per request: the host's limiter (rate and
// concurrency), its circuit breaker, a timeout, and ONE retry layer —
// sources never retry on their own — with exponential backoff and jitter on
// 429, 5xx, timeouts, dropped connections and truncated bodies, honouring
// Retry-After (seconds, fractional seconds or an HTTP-date) for the whole
// host. The content is checked: an HTML page where JSON was expected (a
// CAPTCHA), a GraphQL `errors` field inside a 200, a 403 (HGNC's answer to
// a rate breach), a body shorter than its Content-Length — each fails the
// request with a message that says which. API keys go into the query from
// settings and never into a message or the log.

#include "jobs/clock.h"
#include "net/circuit_breaker.h"
#include "net/host_limiter.h"
#include "net/retry_policy.h"
#include "util/expected.h"

#include <QByteArray>
#include <QHash>
#include <QJsonDocument>
#include <QList>
#include <QUrl>

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>

namespace bioforge::annotation {

struct HttpRequest {
    enum class Expect { Any, Json, GraphQl };
    QByteArray method = "GET";
    QUrl url;
    QByteArray body;
    QList<std::pair<QByteArray, QByteArray>> headers;
    Expect expect = Expect::Any;
    int timeoutMs = 30000;
};

struct HttpResponse {
    int status = 0;
    QByteArray body;
    QHash<QByteArray, QByteArray> headers; // names in lower case
    QJsonDocument json;                     // Expect::Json / GraphQl, on 2xx
    int attempts = 0;
};

struct HttpClientOptions {
    QByteArray userAgent = "BioForge-Workbench (annotation; +https://bioforge.invalid)";
    RetryPolicy retry;
    int breakerThreshold = 5;
    qint64 breakerOpenMilliseconds = 60000;
    // Query parameters added for a host, e.g. eutils.ncbi.nlm.nih.gov -> ("api_key", key): never shown.
    QHash<QString, std::pair<QString, QString>> apiKeys;
    quint64 seed = 1; // of the jitter
};

class HttpClient {
public:
    HttpClient(std::shared_ptr<HostLimits> limits, HttpClientOptions options, const core::Clock& clock = core::SteadyClock::instance());
    ~HttpClient();

    // 2xx (content checked) and 4xx other than 403/429 come back as a
    // response; everything else as an error naming the host, the path and
    // the reason, after the retries the policy allows.
    core::Expected<HttpResponse> send(const HttpRequest& request, const std::function<bool()>& stop = {});

    CircuitBreaker& breaker(const QUrl& url);
    std::shared_ptr<HostLimits> limits() const { return m_limits; }
    qint64 requestsSent() const { return m_sent.load(); } // on the wire, every attempt

private:
    struct Attempt;
    Attempt once(const HttpRequest& request, const std::function<bool()>& stop);

    std::shared_ptr<HostLimits> m_limits;
    HttpClientOptions m_options;
    const core::Clock& m_clock;
    std::mutex m_mutex;
    QHash<QString, std::shared_ptr<CircuitBreaker>> m_breakers;
    std::atomic<qint64> m_sent{0};
    std::atomic<quint64> m_jitterSeed;
};

// `url` without its query (where API keys live), for messages and logs.
QString displayUrl(const QUrl& url);

} // namespace bioforge::annotation
