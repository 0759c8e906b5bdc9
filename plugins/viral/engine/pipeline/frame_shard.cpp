#include "pipeline/frame_shard.h"

#include "sequence/chunker.h"

#include <QCryptographicHash>
#include <QJsonArray>
#include <QRegularExpression>

namespace bioforge::viral {

using core::Error;

std::string FrameShard::frameId(size_t frame) const
{
    const ShardFrame& f = frames[frame];
    return chunkId(contigs[size_t(f.contig)].id, f.chunk) + f.frame;
}

QString FrameShard::digest() const
{
    QCryptographicHash h(QCryptographicHash::Sha256);
    for (size_t i = 0; i < frames.size(); ++i)
        h.addData(QByteArray::fromStdString(frameId(i) + '\t' + frames[i].nucleotide + '\t' + frames[i].protein + '\n'));
    return QString::fromLatin1(h.result().toHex());
}

QJsonObject FrameShard::state() const
{
    QJsonArray list;
    for (const ShardContig& c : contigs) {
        QJsonObject o{{QStringLiteral("file"), c.file},
                      {QStringLiteral("id"), QString::fromStdString(c.id)},
                      {QStringLiteral("length"), double(c.length)},
                      {QStringLiteral("sha256"), c.sha256},
                      {QStringLiteral("chunks"), c.chunks},
                      {QStringLiteral("reused"), c.reused}};
        if (c.continued)
            o.insert(QStringLiteral("continued"), true);
        if (c.continues)
            o.insert(QStringLiteral("continues"), true);
        list.append(o);
    }
    return {{QStringLiteral("contigs"), list}, {QStringLiteral("frames"), double(frames.size())}, {QStringLiteral("digest"), digest()}};
}

QByteArray FrameShard::framesBlob() const
{
    QByteArray out;
    for (const ShardFrame& f : frames) {
        out += QByteArray::number(f.contig) + '\t' + QByteArray::number(f.chunk) + '\t' + QByteArray::fromStdString(f.frame) + '\t'
               + QByteArray::fromStdString(f.nucleotide) + '\t' + QByteArray::fromStdString(f.protein) + '\n';
    }
    return out;
}

core::Expected<FrameShard> FrameShard::fromCheckpoint(const QJsonObject& state, const QByteArray& framesBlob, const QString& key)
{
    FrameShard s;
    for (const QJsonValue& v : state.value(QLatin1String("contigs")).toArray()) {
        const QJsonObject o = v.toObject();
        s.contigs.push_back({o.value(QLatin1String("file")).toInt(), o.value(QLatin1String("id")).toString().toStdString(),
                             o.value(QLatin1String("length")).toInteger(), o.value(QLatin1String("sha256")).toString(),
                             o.value(QLatin1String("chunks")).toInt(), o.value(QLatin1String("reused")).toBool(),
                             o.value(QLatin1String("continued")).toBool(), o.value(QLatin1String("continues")).toBool()});
        static const QRegularExpression hex(QStringLiteral("^[0-9a-f]{64}$"));
        if (!hex.match(s.contigs.back().sha256).hasMatch())
            return Error(QStringLiteral("%1: contig %2 has no valid SHA-256").arg(key, QString::number(s.contigs.size())));
    }
    const QList<QByteArray> lines = framesBlob.split('\n');
    for (qsizetype i = 0; i < lines.size(); ++i) {
        if (lines[i].isEmpty())
            continue;
        const QList<QByteArray> f = lines[i].split('\t');
        bool okContig = false, okChunk = false;
        const int contig = f.size() == 5 ? f[0].toInt(&okContig) : -1;
        const int chunk = f.size() == 5 ? f[1].toInt(&okChunk) : 0;
        if (!okContig || !okChunk || contig < 0 || contig >= int(s.contigs.size()))
            return Error(QStringLiteral("%1: frames line %2 is not 'contig, chunk, frame, nucleotide, protein'").arg(key, QString::number(i + 1)));
        s.frames.push_back({contig, chunk, f[2].toStdString(), f[3].toStdString(), f[4].toStdString()});
    }
    if (s.frames.size() != size_t(state.value(QLatin1String("frames")).toInteger(-1)) || s.digest() != state.value(QLatin1String("digest")).toString())
        return Error(QStringLiteral("%1: the frames do not match their recorded count and digest").arg(key));
    return s;
}

} // namespace bioforge::viral
