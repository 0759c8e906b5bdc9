#include "runs/input_relocation.h"

#include <QDir>
#include <QFileInfo>
#include <QJsonArray>

#include <algorithm>

namespace bioforge::core {
namespace {

QString absoluteClean(const QString& path) { return QDir::cleanPath(QFileInfo(path).absoluteFilePath()); }

// Where `oldPath` is under the moves: an exact file first, then the longest folder above it.
// Returns the new path and whether a move named it (a folder moved names every file under it).
QString movedPlace(const QString& oldPath, const QHash<QString, QString>& moves)
{
    QString best, to;
    for (auto it = moves.cbegin(); it != moves.cend(); ++it) {
        const QString from = absoluteClean(it.key());
        if (from == oldPath)
            return QFileInfo(it.value()).isDir() ? QDir(absoluteClean(it.value())).filePath(QFileInfo(oldPath).fileName()) : absoluteClean(it.value());
        if (oldPath.startsWith(from + QLatin1Char('/')) && from.size() > best.size()) {
            best = from;
            to = absoluteClean(it.value()) + oldPath.mid(from.size());
        }
    }
    return to;
}

} // namespace

Status InputRelocation::addMove(const QString& oldEqualsNew)
{
    const qsizetype eq = oldEqualsNew.indexOf(QLatin1Char('='));
    if (eq <= 0 || oldEqualsNew.endsWith(QLatin1Char('=')))
        return Error(QStringLiteral("--relocate %1: expected OLD=NEW (the path the run was started on, then where it is now: a file or a folder)")
                         .arg(oldEqualsNew));
    if (oldEqualsNew.indexOf(QLatin1Char('='), eq + 1) >= 0) { // which '=' parts them is told by the run's inputs
        ambiguousMoves << oldEqualsNew;
        return okStatus();
    }
    moves.insert(absoluteClean(oldEqualsNew.left(eq)), absoluteClean(oldEqualsNew.mid(eq + 1)));
    return okStatus();
}

Expected<QHash<QString, QString>> relocateInputs(const QList<FileRef>& recorded, const InputRelocation& given)
{
    QStringList inputs;
    for (const FileRef& f : recorded)
        if (QFileInfo(f.path).isAbsolute())
            inputs << QDir::cleanPath(f.path);
    const auto namesAnInput = [&](const QString& from) {
        return std::any_of(inputs.begin(), inputs.end(), [&](const QString& in) { return in == from || in.startsWith(from + QLatin1Char('/')); });
    };
    // OLD=NEW with several '=' (review 66 R66-12): parted at the first '=' whose left side names an
    // input or a folder above one; none does: at the first, said below as naming no input.
    InputRelocation relocation = given;
    for (const QString& text : given.ambiguousMoves) {
        qsizetype at = text.indexOf(QLatin1Char('='));
        for (qsizetype eq = at; eq > 0 && eq < text.size() - 1; eq = text.indexOf(QLatin1Char('='), eq + 1))
            if (namesAnInput(absoluteClean(text.left(eq)))) {
                at = eq;
                break;
            }
        relocation.moves.insert(absoluteClean(text.left(at)), absoluteClean(text.mid(at + 1)));
    }
    // A move that names no input is a typing slip said now, not a resume that says "gone" later.
    for (auto it = relocation.moves.cbegin(); it != relocation.moves.cend(); ++it) {
        const QString from = absoluteClean(it.key());
        if (!namesAnInput(from))
            return Error(QStringLiteral("--relocate %1=…: %1 is none of the run's inputs, nor a folder above one (its inputs: %2)")
                             .arg(from, inputs.isEmpty() ? QStringLiteral("none recorded") : inputs.join(QStringLiteral(", "))),
                         Error::Kind::NotFound);
    }
    QHash<QString, QString> moved;
    for (const FileRef& f : recorded) {
        const QString oldPath = QDir::cleanPath(f.path);
        if (!QFileInfo(oldPath).isAbsolute() || QFileInfo(oldPath).isFile())
            continue; // in place (or typed relative by an old version: not ours to guess)
        const QString name = QFileInfo(oldPath).fileName();
        QString place = movedPlace(oldPath, relocation.moves);
        const bool named = !place.isEmpty();
        for (qsizetype i = 0; place.isEmpty() && i < relocation.searchFolders.size(); ++i)
            if (const QString candidate = QDir(absoluteClean(relocation.searchFolders[i])).filePath(name); QFileInfo(candidate).isFile())
                place = candidate;
        if (place.isEmpty())
            continue;
        const QFileInfo there(place);
        if (!there.isFile())
            return Error(QStringLiteral("the input %1 is gone, and %2 (where --relocate puts it) is not a file").arg(oldPath, place), Error::Kind::NotFound);
        if (there.fileName() != name)
            return Error(QStringLiteral("the input %1 would be %2, another file name: the run's results name its input files, so a moved input "
                                        "keeps its name (move it as %3, or start a new run)")
                             .arg(oldPath, place, QDir(there.absolutePath()).filePath(name)));
        if (f.size > 0 && there.size() != f.size)
            return Error(QStringLiteral("%1 is %2 bytes; the run's input %3 was %4 bytes: not the file the run began with%5")
                             .arg(place, QString::number(there.size()), oldPath, QString::number(f.size),
                                  named ? QString() : QStringLiteral(" (found by its name in a --search folder)")));
        for (auto it = moved.cbegin(); it != moved.cend(); ++it)
            if (it.value() == absoluteClean(place))
                return Error(QStringLiteral("the inputs %1 and %2 would both be %3: say where each is now (--relocate OLD=NEW for each)")
                                 .arg(it.key(), oldPath, absoluteClean(place)));
        moved.insert(oldPath, absoluteClean(place));
    }
    return moved;
}

QJsonObject withRelocatedPaths(QJsonObject parameters, const QHash<QString, QString>& moved)
{
    if (moved.isEmpty())
        return parameters;
    const auto relocated = [&](const QJsonValue& v) -> QJsonValue {
        if (!v.isString() || !QFileInfo(v.toString()).isAbsolute())
            return v;
        const QString clean = QDir::cleanPath(v.toString());
        return moved.contains(clean) ? QJsonValue(moved.value(clean)) : v;
    };
    for (auto it = parameters.begin(); it != parameters.end(); ++it) {
        if (it->isArray()) {
            QJsonArray items = it->toArray();
            for (qsizetype i = 0; i < items.size(); ++i)
                items[i] = relocated(items[i]);
            *it = items;
        } else {
            *it = relocated(*it);
        }
    }
    return parameters;
}

} // namespace bioforge::core
