#include "provider_server.h"

#include <QElapsedTimer>
#include <QMutexLocker>
#include <QPointer>
#include <QSemaphore>
#include <QTcpServer>
#include <QTcpSocket>
#include <QThread>
#include <QTimer>

#include <chrono>

namespace bioforge::test {

struct ProviderServer::State {
    mutable QMutex mutex;
    QList<std::pair<QString, Handler>> routes;
    QList<std::pair<QString, QList<Response>>> faults;
    QList<Request> requests;
};

namespace {

qint64 steadyMs()
{
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

const char* reasonPhrase(int status)
{
    switch (status) {
    case 200: return "OK";
    case 303: return "See Other";
    case 400: return "Bad Request";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 429: return "Too Many Requests";
    case 500: return "Internal Server Error";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    default: return "Status";
    }
}

void answer(QTcpSocket* socket, const ProviderServer::Response& r)
{
    if (r.drop) {
        socket->abort();
        return;
    }
    QByteArray head = "HTTP/1.1 " + QByteArray::number(r.status) + ' ' + reasonPhrase(r.status) + "\r\n";
    bool typed = false;
    for (const auto& [name, value] : r.headers) {
        head += name + ": " + value + "\r\n";
        typed = typed || name.toLower() == "content-type";
    }
    if (!typed)
        head += "Content-Type: application/json\r\n";
    head += "Content-Length: " + QByteArray::number(r.body.size()) + "\r\nConnection: close\r\n\r\n";
    if (r.cutAfter >= 0) {
        socket->write(head + r.body.left(r.cutAfter));
        socket->flush();
        socket->waitForBytesWritten(1000);
        socket->abort();
        return;
    }
    socket->write(head + r.body);
    socket->disconnectFromHost();
}

// Lives in the server thread.
class Listener : public QObject {
public:
    explicit Listener(std::shared_ptr<ProviderServer::State> state) : m_state(std::move(state))
    {
        connect(&m_server, &QTcpServer::newConnection, this, [this] {
            while (QTcpSocket* s = m_server.nextPendingConnection())
                serve(s);
        });
    }
    quint16 listen() { return m_server.listen(QHostAddress::LocalHost, 0) ? m_server.serverPort() : 0; }

private:
    void serve(QTcpSocket* socket)
    {
        auto buffer = std::make_shared<QByteArray>();
        connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
        connect(socket, &QTcpSocket::readyRead, this, [this, socket, buffer] {
            buffer->append(socket->readAll());
            const qsizetype end = buffer->indexOf("\r\n\r\n");
            if (end < 0)
                return;
            ProviderServer::Request request;
            const QList<QByteArray> lines = buffer->left(end).split('\n');
            const QList<QByteArray> first = lines.value(0).trimmed().split(' ');
            request.method = first.value(0);
            const QByteArray target = first.value(1);
            const qsizetype q = target.indexOf('?');
            request.path = QString::fromLatin1(q < 0 ? target : target.left(q));
            request.query = q < 0 ? QString() : QString::fromLatin1(target.mid(q + 1));
            for (const QByteArray& line : lines.mid(1)) {
                const qsizetype colon = line.indexOf(':');
                if (colon > 0)
                    request.headers.insert(line.left(colon).trimmed().toLower(), line.mid(colon + 1).trimmed());
            }
            const qint64 length = request.headers.value("content-length").toLongLong();
            if (buffer->size() - (end + 4) < length)
                return; // the body is still coming
            request.body = buffer->mid(end + 4, length);
            buffer->clear();
            request.atMs = steadyMs();
            request.at = QDateTime::currentDateTimeUtc();
            disconnect(socket, &QTcpSocket::readyRead, this, nullptr);
            respond(socket, request);
        });
    }

    void respond(QTcpSocket* socket, const ProviderServer::Request& request)
    {
        ProviderServer::Response r{404, "{\"error\":\"no route\"}", {}, 0, -1, false};
        {
            QMutexLocker lock(&m_state->mutex);
            m_state->requests.append(request);
            bool faulted = false;
            for (auto& [prefix, queue] : m_state->faults)
                if (request.path.startsWith(prefix) && !queue.isEmpty()) {
                    r = queue.takeFirst();
                    faulted = true;
                    break;
                }
            if (!faulted)
                for (const auto& [prefix, handler] : m_state->routes)
                    if (request.path.startsWith(prefix)) {
                        lock.unlock();
                        r = handler(request);
                        break;
                    }
        }
        QPointer<QTcpSocket> guard(socket);
        if (r.delayMs > 0)
            QTimer::singleShot(r.delayMs, this, [guard, r] {
                if (guard)
                    answer(guard, r);
            });
        else
            answer(socket, r);
    }

    std::shared_ptr<ProviderServer::State> m_state;
    QTcpServer m_server;
};

} // namespace

// The server thread: makes the listener there (its sockets belong to it), says its port, runs the loop.
class ServerThread : public QThread {
public:
    explicit ServerThread(std::shared_ptr<ProviderServer::State> state) : m_state(std::move(state)) {}
    quint16 waitForPort()
    {
        m_ready.acquire();
        return m_port;
    }

protected:
    void run() override
    {
        Listener listener(m_state);
        m_port = listener.listen();
        m_ready.release();
        exec();
    }

private:
    std::shared_ptr<ProviderServer::State> m_state;
    QSemaphore m_ready;
    quint16 m_port = 0;
};

ProviderServer::ProviderServer() : m_state(std::make_shared<State>())
{
    auto* thread = new ServerThread(m_state);
    m_thread = thread;
    thread->start();
    m_port = thread->waitForPort();
}

ProviderServer::~ProviderServer()
{
    m_thread->quit();
    m_thread->wait();
    delete m_thread;
}

QUrl ProviderServer::url(const QString& pathAndQuery) const { return QUrl(QStringLiteral("http://127.0.0.1:%1%2").arg(m_port).arg(pathAndQuery)); }

void ProviderServer::route(const QString& pathPrefix, Handler handler)
{
    QMutexLocker lock(&m_state->mutex);
    m_state->routes.prepend({pathPrefix, std::move(handler)}); // the newest route wins
}

void ProviderServer::inject(const QString& pathPrefix, const QList<Response>& faults)
{
    QMutexLocker lock(&m_state->mutex);
    for (auto& [prefix, queue] : m_state->faults)
        if (prefix == pathPrefix) {
            queue += faults;
            return;
        }
    m_state->faults.append({pathPrefix, faults});
}

QList<ProviderServer::Request> ProviderServer::requests(const QString& pathPrefix) const
{
    QMutexLocker lock(&m_state->mutex);
    QList<Request> out;
    for (const Request& r : m_state->requests)
        if (r.path.startsWith(pathPrefix))
            out << r;
    return out;
}

void ProviderServer::clearRequests()
{
    QMutexLocker lock(&m_state->mutex);
    m_state->requests.clear();
}

ProviderServer::Response ProviderServer::json(const QByteArray& body, int status) { return {status, body, {}, 0, -1, false}; }

ProviderServer::Response ProviderServer::retryAfter(const QByteArray& value, int status)
{
    return {status, "{\"error\":\"slow down\"}", {{"Retry-After", value}}, 0, -1, false};
}

} // namespace bioforge::test
