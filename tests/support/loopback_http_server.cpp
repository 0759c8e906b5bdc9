#include "support/loopback_http_server.h"

#include <QCryptographicHash>
#include <QTcpSocket>

namespace bioforge::test {

LoopbackHttpServer::LoopbackHttpServer(QObject* parent) : QObject(parent)
{
    connect(&m_server, &QTcpServer::newConnection, this, &LoopbackHttpServer::onConnection);
}

bool LoopbackHttpServer::start() { return m_server.listen(QHostAddress::LocalHost, 0); }

QString LoopbackHttpServer::url(const QString& path) const
{
    return QStringLiteral("http://127.0.0.1:%1%2").arg(port()).arg(path);
}

void LoopbackHttpServer::onConnection()
{
    while (QTcpSocket* socket = m_server.nextPendingConnection()) {
        auto buffer = std::make_shared<QByteArray>();
        connect(socket, &QTcpSocket::readyRead, this, [this, socket, buffer] {
            buffer->append(socket->readAll());
            const qsizetype end = buffer->indexOf("\r\n\r\n");
            if (end < 0)
                return;
            const QByteArray head = buffer->left(end);
            buffer->remove(0, end + 4);
            respond(socket, head);
        });
        connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
    }
}

QByteArray LoopbackHttpServer::etagOf(const QByteArray& content)
{
    return '"' + QCryptographicHash::hash(content, QCryptographicHash::Sha1).toHex().left(16) + '"';
}

void LoopbackHttpServer::respond(QTcpSocket* socket, const QByteArray& head)
{
    const QList<QByteArray> lines = head.split('\n');
    const QList<QByteArray> first = lines.value(0).trimmed().split(' ');
    Request request;
    request.path = QString::fromLatin1(first.value(1));
    for (const QByteArray& line : lines.mid(1)) {
        const qsizetype colon = line.indexOf(':');
        if (colon > 0 && line.left(colon).trimmed().toLower() == "range")
            request.range = line.mid(colon + 1).trimmed();
        if (colon > 0 && line.left(colon).trimmed().toLower() == "if-range")
            request.ifRange = line.mid(colon + 1).trimmed();
        if (colon > 0 && line.left(colon).trimmed().toLower() == "if-none-match")
            request.ifNoneMatch = line.mid(colon + 1).trimmed();
        if (colon > 0 && line.left(colon).trimmed().toLower() == "if-modified-since")
            request.ifModifiedSince = line.mid(colon + 1).trimmed();
    }
    m_requests.append(request);
    if (!m_files.contains(request.path)) {
        socket->write("HTTP/1.1 404 Not Found\r\nContent-Length: 9\r\nConnection: close\r\n\r\nnot found");
        socket->disconnectFromHost();
        return;
    }
    const QByteArray& content = m_files.value(request.path);
    qint64 start = 0;
    const QByteArray etag = etagOf(content);
    const bool unchanged = (!request.ifNoneMatch.isEmpty() && request.ifNoneMatch == etag) || (request.ifNoneMatch.isEmpty() && request.ifModifiedSince == kLastModified);
    if (unchanged && !m_ignoreConditionals) {
        socket->write("HTTP/1.1 304 Not Modified\r\nETag: " + etag + "\r\nConnection: close\r\n\r\n");
        socket->disconnectFromHost();
        return;
    }
    const bool sameVersion = request.ifRange.isEmpty() || request.ifRange == etag || request.ifRange == kLastModified;
    if (!m_ignoreRange && sameVersion && request.range.startsWith("bytes=")) {
        start = request.range.mid(6, request.range.indexOf('-') - 6).toLongLong();
        if (start >= content.size()) {
            socket->write("HTTP/1.1 416 Range Not Satisfiable\r\nContent-Range: bytes */" + QByteArray::number(content.size())
                          + "\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
            socket->disconnectFromHost();
            return;
        }
    }
    const QByteArray body = content.mid(start);
    QByteArray response = start > 0 ? "HTTP/1.1 206 Partial Content\r\n" : "HTTP/1.1 200 OK\r\n";
    response += "Content-Type: application/octet-stream\r\n";
    response += "Accept-Ranges: bytes\r\n";
    response += "ETag: " + etag + "\r\n";
    response += QByteArray("Last-Modified: ") + kLastModified + "\r\n";
    response += "Content-Length: " + QByteArray::number(body.size()) + "\r\n";
    if (start > 0)
        response += "Content-Range: bytes " + QByteArray::number(start) + '-' + QByteArray::number(content.size() - 1) + '/'
                    + QByteArray::number(content.size()) + "\r\n";
    response += "Connection: close\r\n\r\n";
    if (m_dropAfter.contains(request.path)) {
        const qint64 cut = m_dropAfter.take(request.path);
        socket->write(response + body.left(cut));
        socket->flush();
        socket->abort(); // the connection drops mid-body
        return;
    }
    socket->write(response + body);
    socket->disconnectFromHost();
}

} // namespace bioforge::test
