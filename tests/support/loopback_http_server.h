#pragma once

// A minimal HTTP/1.1 file server on 127.0.0.1 for download tests. It serves
// byte ranges with an ETag per content (If-Range with another ETag gets the
// whole file, as RFC 9110 §13.1.5 says), a fixed Last-Modified, can drop the
// connection part-way through a response (once per path) and records every
// request. If-None-Match with the content's ETag, or If-Modified-Since with
// kLastModified, is answered 304 Not Modified. It lives on the test's thread: a client's
// nested event loop drives it too.

#include <QByteArray>
#include <QHash>
#include <QList>
#include <QObject>
#include <QString>
#include <QTcpServer>

namespace bioforge::test {

class LoopbackHttpServer : public QObject {
    Q_OBJECT
public:
    struct Request {
        QString path;
        QByteArray range; // value of the Range header, empty if none
        QByteArray ifRange;
        QByteArray ifNoneMatch, ifModifiedSince;
    };
    static QByteArray etagOf(const QByteArray& content);
    static constexpr const char* kLastModified = "Tue, 15 Nov 1994 08:12:31 GMT";

    explicit LoopbackHttpServer(QObject* parent = nullptr);
    bool start();
    quint16 port() const { return m_server.serverPort(); }
    QString url(const QString& path) const;

    void serve(const QString& path, const QByteArray& content) { m_files.insert(path, content); }
    // The next response for `path` is cut off after `bytes` body bytes.
    void dropOnceAfter(const QString& path, qint64 bytes) { m_dropAfter.insert(path, bytes); }
    void setIgnoreRange(bool ignore) { m_ignoreRange = ignore; }
    void setIgnoreConditionals(bool ignore) { m_ignoreConditionals = ignore; } // always 200, as some servers do
    const QList<Request>& requests() const { return m_requests; }

private:
    void onConnection();
    void respond(QTcpSocket* socket, const QByteArray& head);

    QTcpServer m_server;
    QHash<QString, QByteArray> m_files;
    QHash<QString, qint64> m_dropAfter;
    QList<Request> m_requests;
    bool m_ignoreRange = false;
    bool m_ignoreConditionals = false;
};

} // namespace bioforge::test
