#include "io/text_decoding.h"

namespace bioforge::core {

qsizetype firstInvalidUtf8(QByteArrayView bytes)
{
    const auto* s = reinterpret_cast<const unsigned char*>(bytes.constData());
    const qsizetype n = bytes.size();
    qsizetype i = 0;
    while (i < n) {
        const unsigned char c = s[i];
        if (c < 0x80) {
            ++i;
            continue;
        }
        int length = 0;
        unsigned char low = 0x80, high = 0xbf; // the allowed range of the second byte
        if (c >= 0xc2 && c <= 0xdf) {
            length = 2;
        } else if (c >= 0xe0 && c <= 0xef) {
            length = 3;
            if (c == 0xe0)
                low = 0xa0; // no overlong forms
            if (c == 0xed)
                high = 0x9f; // no surrogates
        } else if (c >= 0xf0 && c <= 0xf4) {
            length = 4;
            if (c == 0xf0)
                low = 0x90;
            if (c == 0xf4)
                high = 0x8f; // nothing above U+10FFFF
        } else {
            return i;
        }
        if (i + length > n)
            return i;
        if (s[i + 1] < low || s[i + 1] > high)
            return i;
        for (int k = 2; k < length; ++k)
            if (s[i + k] < 0x80 || s[i + k] > 0xbf)
                return i;
        i += length;
    }
    return -1;
}

Expected<QString> decodeUtf8Line(const QByteArray& bytes, const QString& path, qint64 line)
{
    const qsizetype bad = firstInvalidUtf8(bytes);
    if (bad >= 0)
        return Error(QStringLiteral("%1:%2: byte %3 (0x%4) is not valid UTF-8; save the file as UTF-8 text")
                         .arg(path, QString::number(line), QString::number(bad + 1), QStringLiteral("%1").arg(uchar(bytes[bad]), 2, 16, QLatin1Char('0'))));
    return QString::fromUtf8(bytes);
}

QString decodeArgument(const QByteArray& bytes)
{
    QString out;
    qsizetype from = 0;
    while (from < bytes.size()) {
        const QByteArray rest = QByteArray::fromRawData(bytes.constData() + from, bytes.size() - from);
        const qsizetype bad = firstInvalidUtf8(rest);
        if (bad < 0) {
            out += QString::fromUtf8(rest);
            break;
        }
        out += QString::fromUtf8(rest.constData(), bad);
        out += QChar(char16_t(0xdc00 + uchar(rest[bad])));
        from += bad + 1;
    }
    return out;
}

QByteArray encodeArgument(const QString& text)
{
    QByteArray out;
    qsizetype runStart = 0;
    for (qsizetype i = 0; i < text.size(); ++i) {
        const char16_t c = text[i].unicode();
        const bool escaped = c >= 0xdc80 && c <= 0xdcff && (i == 0 || !text[i - 1].isHighSurrogate());
        if (!escaped)
            continue;
        out += QStringView(text).mid(runStart, i - runStart).toUtf8();
        out += char(c - 0xdc00);
        runStart = i + 1;
    }
    out += QStringView(text).mid(runStart).toUtf8();
    return out;
}

} // namespace bioforge::core
