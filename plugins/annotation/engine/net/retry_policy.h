#pragma once

// When to try a request again, and how long to wait first: exponential
// backoff with jitter (delay = min(initial × multiplier^(attempt-1), max) ×
// a factor in [1 - jitter, 1 + jitter]) unless the server says otherwise in
// Retry-After (RFC 9110 §10.2.3: delay-seconds — some providers send a
// fraction, Ensembl for one — or an HTTP-date).

#include <QByteArray>
#include <QDateTime>

#include <optional>
#include <random>

namespace bioforge::annotation {

struct RetryPolicy {
    int maxAttempts = 4;          // requests in all, the first included
    double initialDelaySeconds = 1.0;
    double multiplier = 2.0;
    double maxDelaySeconds = 60.0;
    double jitter = 0.2;
    double maxRetryAfterSeconds = 600; // a longer Retry-After fails the request instead of waiting
};

// Seconds to wait from `now`; nullopt when the value is absent or neither form.
std::optional<double> parseRetryAfter(const QByteArray& value, const QDateTime& now);
// The backoff before attempt `attempt + 1` (attempt counts from 1).
double backoffSeconds(const RetryPolicy& policy, int attempt, std::mt19937_64& rng);

} // namespace bioforge::annotation
