#pragma once

// Honest rate limits, shared by every source and thread: one limiter per
// host (token bucket: `requestsPerSecond` with a burst, plus a cap on
// requests in flight), and a host-wide pause when a server answers with
// Retry-After, so no caller fires into a rate limit another caller just hit.
// Defaults are at or below each provider's documented limit
// (docs/annotation.md); settings override them per host.

#include <QHash>
#include <QString>
#include <QUrl>

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>

namespace bioforge::annotation {

struct HostPolicy {
    double requestsPerSecond = 3.0;
    double burst = 1.0;   // tokens the bucket holds
    int concurrency = 2;  // requests in flight
    QString source;       // where the figure comes from, for the docs and the page
};

class HostLimiter {
public:
    explicit HostLimiter(HostPolicy policy);
    // Waits until a request may start (a token and a free slot, no pause);
    // false when `stop` says so first (checked every 50 ms).
    bool acquire(const std::function<bool()>& stop);
    void release();
    // Nobody starts before `seconds` from now (Retry-After).
    void pauseFor(double seconds);
    const HostPolicy& policy() const { return m_policy; }
    int inFlight() const;

private:
    using Clock = std::chrono::steady_clock;
    HostPolicy m_policy;
    mutable std::mutex m_mutex;
    std::condition_variable m_changed;
    double m_tokens;
    Clock::time_point m_refilled;
    Clock::time_point m_pausedUntil;
    int m_inFlight = 0;
};

// The limiters of every host, by URL authority ("host" or "host:port").
class HostLimits {
public:
    HostLimits();
    // The documented or conservative default for each provider's API host.
    static QHash<QString, HostPolicy> documentedDefaults();
    void setPolicy(const QString& authority, const HostPolicy& policy);
    // Back to the documented default (or the fallback for hosts without one).
    void resetPolicy(const QString& authority);
    std::shared_ptr<HostLimiter> limiter(const QUrl& url); // kept alive by its users across a policy change
    static QString authority(const QUrl& url);

private:
    std::mutex m_mutex;
    QHash<QString, HostPolicy> m_policies;
    QHash<QString, std::shared_ptr<HostLimiter>> m_limiters;
};

} // namespace bioforge::annotation
