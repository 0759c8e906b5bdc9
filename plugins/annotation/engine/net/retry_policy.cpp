#include "net/retry_policy.h"

#include <QLocale>
#include <QTimeZone>

#include <algorithm>
#include <cmath>

namespace bioforge::annotation {

std::optional<double> parseRetryAfter(const QByteArray& raw, const QDateTime& now)
{
    const QByteArray value = raw.trimmed();
    if (value.isEmpty())
        return std::nullopt;
    bool ok = false;
    const double seconds = value.toDouble(&ok);
    if (ok)
        return std::isfinite(seconds) && seconds >= 0 ? std::optional<double>(seconds) : std::nullopt;
    // IMF-fixdate, "Wed, 21 Oct 2015 07:28:00 GMT" (also the obsolete RFC 850 and asctime forms).
    const QString text = QString::fromLatin1(value);
    for (const char* format : {"ddd, dd MMM yyyy HH:mm:ss 'GMT'", "dddd, dd-MMM-yy HH:mm:ss 'GMT'", "ddd MMM d HH:mm:ss yyyy"}) {
        QDateTime when = QLocale::c().toDateTime(text, QLatin1String(format));
        if (!when.isValid())
            continue;
        when.setTimeSpec(Qt::UTC);
        if (when.date().year() < 100)
            when = when.addYears(2000);
        return std::max(0.0, double(now.msecsTo(when)) / 1000.0);
    }
    return std::nullopt;
}

double backoffSeconds(const RetryPolicy& policy, int attempt, std::mt19937_64& rng)
{
    const double base = std::min(policy.maxDelaySeconds, policy.initialDelaySeconds * std::pow(policy.multiplier, std::max(0, attempt - 1)));
    std::uniform_real_distribution<double> factor(1.0 - policy.jitter, 1.0 + policy.jitter);
    return base * factor(rng);
}

} // namespace bioforge::annotation
