#pragma once

// Expected<T>: the result of an operation that can fail on user data.
// It holds either a value or an Error whose message names the file, the
// record and what was expected. Bad input is reported through it, never
// through abort/assert.

#include <QString>

#include <utility>
#include <variant>

namespace bioforge::core {

class Error {
public:
    // What went wrong, for callers that answer differently (the command line's exit codes,
    // docs/cli.md): most errors are Failed; NotFound names a missing file, model, run or device;
    // Invalid a value the caller gave that cannot be used as given (a usage error); Io a file or
    // the project that could not be written or read back.
    enum class Kind { Failed, NotFound, Invalid, Io };

    Error() = default;
    explicit Error(QString message, Kind kind = Kind::Failed) : m_message(std::move(message)), m_kind(kind) {}

    const QString& message() const { return m_message; }
    Kind kind() const { return m_kind; }
    // Prefixes context ("reading X: ") so callers can add where the error arose; keeps the kind.
    Error withContext(const QString& context) const { return Error(context + QStringLiteral(": ") + m_message, m_kind); }

private:
    QString m_message;
    Kind m_kind = Kind::Failed;
};

template <typename T>
class [[nodiscard]] Expected {
public:
    Expected(T value) : m_state(std::in_place_index<0>, std::move(value)) {}
    Expected(Error error) : m_state(std::in_place_index<1>, std::move(error)) {}

    bool hasValue() const { return m_state.index() == 0; }
    explicit operator bool() const { return hasValue(); }

    // Access to the value is only valid after checking hasValue().
    T& operator*() & { return std::get<0>(m_state); }
    const T& operator*() const& { return std::get<0>(m_state); }
    // By value: `for (x : *f())` over a temporary must not dangle.
    T operator*() && { return std::get<0>(std::move(m_state)); }
    T* operator->() { return &std::get<0>(m_state); }
    const T* operator->() const { return &std::get<0>(m_state); }

    const Error& error() const { return std::get<1>(m_state); }
    T valueOr(T fallback) const { return hasValue() ? std::get<0>(m_state) : std::move(fallback); }

private:
    std::variant<T, Error> m_state;
};

template <>
class [[nodiscard]] Expected<void> {
public:
    Expected() = default;
    Expected(Error error) : m_error(std::move(error)), m_failed(true) {}

    bool hasValue() const { return !m_failed; }
    explicit operator bool() const { return hasValue(); }
    const Error& error() const { return m_error; }

private:
    Error m_error;
    bool m_failed = false;
};

using Status = Expected<void>;

inline Status okStatus() { return {}; }

} // namespace bioforge::core
