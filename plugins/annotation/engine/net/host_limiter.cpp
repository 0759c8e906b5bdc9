#include "net/host_limiter.h"

#include <algorithm>

namespace bioforge::annotation {

HostLimiter::HostLimiter(HostPolicy policy) : m_policy(std::move(policy)), m_tokens(m_policy.burst), m_refilled(Clock::now()), m_pausedUntil(Clock::now()) {}

bool HostLimiter::acquire(const std::function<bool()>& stop)
{
    std::unique_lock lock(m_mutex);
    for (;;) {
        if (stop && stop())
            return false;
        const Clock::time_point now = Clock::now();
        m_tokens = std::min(m_policy.burst, m_tokens + std::chrono::duration<double>(now - m_refilled).count() * m_policy.requestsPerSecond);
        m_refilled = now;
        Clock::time_point ready = now;
        if (now < m_pausedUntil)
            ready = m_pausedUntil;
        else if (m_tokens < 1.0)
            ready = now + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>((1.0 - m_tokens) / m_policy.requestsPerSecond));
        if (ready <= now && m_inFlight < m_policy.concurrency) {
            m_tokens -= 1.0;
            ++m_inFlight;
            return true;
        }
        // Wake for the next token, a freed slot, a new pause, or a stop check.
        const Clock::time_point wake = ready > now ? std::min(ready, now + std::chrono::milliseconds(50)) : now + std::chrono::milliseconds(50);
        m_changed.wait_until(lock, wake);
    }
}

void HostLimiter::release()
{
    {
        std::lock_guard lock(m_mutex);
        m_inFlight = std::max(0, m_inFlight - 1);
    }
    m_changed.notify_all();
}

void HostLimiter::pauseFor(double seconds)
{
    {
        std::lock_guard lock(m_mutex);
        const Clock::time_point until = Clock::now() + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
        m_pausedUntil = std::max(m_pausedUntil, until);
        m_tokens = std::min(m_tokens, 0.0); // the pause ends with no saved-up burst
    }
    m_changed.notify_all();
}

int HostLimiter::inFlight() const
{
    std::lock_guard lock(m_mutex);
    return m_inFlight;
}

QHash<QString, HostPolicy> HostLimits::documentedDefaults()
{
    // Sources: docs/annotation.md "Rate limits" (provider pages as summarised in the reference study).
    return {
        {QStringLiteral("rest.genenames.org"), {8.0, 1, 2, QStringLiteral("HGNC REST: at most 10 requests/s, else 403")}},
        {QStringLiteral("gnomad.broadinstitute.org"), {10.0 / 60.0, 1, 1, QStringLiteral("gnomAD API: about 10 requests/minute (forum reports)")}},
        {QStringLiteral("eutils.ncbi.nlm.nih.gov"), {3.0, 1, 2, QStringLiteral("NCBI E-utilities: 3 requests/s, 10 with an API key")}},
        {QStringLiteral("www.ncbi.nlm.nih.gov"), {3.0, 1, 1, QStringLiteral("PubTator3: no more than 3 requests/s")}},
        {QStringLiteral("rest.ensembl.org"), {15.0, 1, 3, QStringLiteral("Ensembl REST: 55,000 requests/hour (~15/s)")}},
        {QStringLiteral("rest.uniprot.org"), {5.0, 1, 2, QStringLiteral("UniProt REST: no published limit; 5/s as Kidney-Genetics-DB")}},
        {QStringLiteral("ontology.jax.org"), {2.0, 1, 1, QStringLiteral("JAX ontology API: no published limit; 2/s")}},
        {QStringLiteral("www.mousemine.org"), {2.0, 1, 1, QStringLiteral("MouseMine: no published limit; 2/s")}},
        {QStringLiteral("string-db.org"), {1.0, 1, 1, QStringLiteral("STRING API: wait about 1 s between calls")}},
        {QStringLiteral("gtexportal.org"), {1.0, 1, 1, QStringLiteral("GTEx Portal API: no published limit; not in parallel")}},
    };
}

HostLimits::HostLimits() : m_policies(documentedDefaults()) {}

QString HostLimits::authority(const QUrl& url)
{
    return url.port() > 0 ? QStringLiteral("%1:%2").arg(url.host(), QString::number(url.port())) : url.host();
}

void HostLimits::setPolicy(const QString& authority, const HostPolicy& policy)
{
    std::lock_guard lock(m_mutex);
    m_policies.insert(authority, policy);
    m_limiters.remove(authority); // the next request gets a limiter with the new policy
}

void HostLimits::resetPolicy(const QString& authority)
{
    const QHash<QString, HostPolicy> defaults = documentedDefaults();
    std::lock_guard lock(m_mutex);
    if (defaults.contains(authority))
        m_policies.insert(authority, defaults.value(authority));
    else
        m_policies.remove(authority);
    m_limiters.remove(authority);
}

std::shared_ptr<HostLimiter> HostLimits::limiter(const QUrl& url)
{
    const QString key = authority(url);
    std::lock_guard lock(m_mutex);
    auto it = m_limiters.find(key);
    if (it == m_limiters.end())
        it = m_limiters.insert(key, std::make_shared<HostLimiter>(m_policies.value(key, HostPolicy{2.0, 1, 1, QStringLiteral("default for hosts without a documented limit")})));
    return *it;
}

} // namespace bioforge::annotation
