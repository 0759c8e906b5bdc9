#pragma once

// A real HTTP/1.1 server on 127.0.0.1 in its own thread, for the annotation
// client and sources: routes by path prefix to handlers that answer in each
// provider's documented format, and faults injected on demand in front of
// them — latency, 429 with Retry-After (integer, fractional, HTTP-date),
// 403, 500/503, dropped connections, malformed JSON, GraphQL errors in a
// 200, HTML instead of JSON, bodies cut short of their Content-Length.
// Every request is recorded with its arrival time.

#include <QByteArray>
#include <QDateTime>
#include <QHash>
#include <QList>
#include <QMutex>
#include <QString>
#include <QUrl>

#include <functional>
#include <memory>

class QThread;

namespace bioforge::test {

class ProviderServer {
public:
    struct Request {
        QByteArray method;
        QString path, query;
        QHash<QByteArray, QByteArray> headers; // lower-case names
        QByteArray body;
        qint64 atMs = 0; // steady clock
        QDateTime at;    // wall clock (UTC), for a Retry-After date
    };
    struct Response {
        int status = 200;
        QByteArray body;
        QList<std::pair<QByteArray, QByteArray>> headers;
        int delayMs = 0;     // before answering
        qint64 cutAfter = -1; // send this many body bytes under the full Content-Length, then close
        bool drop = false;   // close the connection without an answer
    };
    using Handler = std::function<Response(const Request&)>;

    ProviderServer();
    ~ProviderServer();
    quint16 port() const { return m_port; }
    QUrl url(const QString& pathAndQuery) const;

    void route(const QString& pathPrefix, Handler handler);
    // The next requests under `pathPrefix` get these answers, one each, before the handler answers again.
    void inject(const QString& pathPrefix, const QList<Response>& faults);
    QList<Request> requests(const QString& pathPrefix = {}) const;
    void clearRequests();

    // Ready-made answers.
    static Response json(const QByteArray& body, int status = 200);
    static Response retryAfter(const QByteArray& value, int status = 429);

    struct State; // shared with the server thread

private:
    std::shared_ptr<State> m_state;
    QThread* m_thread = nullptr;
    quint16 m_port = 0;
};

} // namespace bioforge::test
