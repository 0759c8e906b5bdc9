// bioforge inspect: verify a run's checkpoints and show tensor statistics.

#include "cli_context.h"
#include "cli_json.h"
#include "commands.h"
#include "exit_codes.h"
#include "store_check.h"

#include "checkpoint/checkpoint_inspector.h"
#include "checkpoint/state_summary.h"
#include "io/json_file.h"
#include "store/project.h"

#include <QDir>
#include <QDirIterator>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSet>

#include <algorithm>
#include <cmath>
#include <map>

namespace bioforge::cli {

namespace {

QJsonValue finiteOrNull(double v) { return std::isfinite(v) ? QJsonValue(v) : QJsonValue(); }

QJsonArray shapeArray(const std::vector<qint64>& shape)
{
    QJsonArray dims;
    for (qint64 d : shape)
        dims.append(d);
    return dims;
}

// `inspect --json`: one object, the keys stable; each entry's state whole (as --full prints it).
// A folder that holds no project database but lies inside a project (a run's scratch, as a validate
// run keeps its stage checkpoints in runs/<id>/validation/): no project of its own.
bool insideAnotherProject(const QDir& folder)
{
    if (QFileInfo::exists(folder.filePath(QStringLiteral("project.sqlite"))))
        return false;
    for (QDir above = folder; above.cdUp();)
        if (QFileInfo::exists(above.filePath(QStringLiteral("project.sqlite"))))
            return true;
    return false;
}

QJsonObject entriesJson(const QString& folder, const QList<core::CheckpointEntryReport>& entries)
{
    QJsonArray list;
    int bad = 0;
    for (const core::CheckpointEntryReport& e : entries) {
        bad += e.verified ? 0 : 1;
        QJsonArray tensors;
        for (const core::TensorStats& t : e.tensors) {
            QJsonObject tensor{{QStringLiteral("name"), t.name}, {QStringLiteral("dtype"), t.dtype}, {QStringLiteral("shape"), shapeArray(t.shape)},
                               {QStringLiteral("bytes"), t.bytes}, {QStringLiteral("elements"), t.elements}};
            for (const auto& [key, value] : {std::pair{"min", t.min}, {"max", t.max}, {"mean", t.mean}, {"std", t.std}})
                tensor.insert(QLatin1String(key), t.numeric ? finiteOrNull(value) : QJsonValue());
            tensor.insert(QStringLiteral("nan"), t.numeric ? QJsonValue(t.nanCount) : QJsonValue());
            tensor.insert(QStringLiteral("inf"), t.numeric ? QJsonValue(t.infCount) : QJsonValue());
            tensors.append(tensor);
        }
        list.append(QJsonObject{{QStringLiteral("key"), e.key},
                                {QStringLiteral("verified"), e.verified},
                                {QStringLiteral("error"), e.verified ? QJsonValue() : QJsonValue(e.error)},
                                // What a BAD entry's manifest could not tell: null, not 0 or "".
                                {QStringLiteral("schema"), e.verified ? QJsonValue(e.jobSchema) : QJsonValue()},
                                {QStringLiteral("created"), e.verified ? textOrNull(e.created) : QJsonValue()},
                                {QStringLiteral("state"), e.verified ? QJsonValue(e.state) : QJsonValue()},
                                {QStringLiteral("tensors"), tensors}});
    }
    return {{QStringLiteral("folder"), QFileInfo(folder).absoluteFilePath()}, {QStringLiteral("entries"), list}, {QStringLiteral("bad"), bad}};
}

} // namespace

int cmdInspect(CliContext& ctx, const QStringList& args)
{
    QStringList given = args;
    const bool full = given.removeAll(QStringLiteral("--full")) > 0;
    const bool json = given.removeAll(QStringLiteral("--json")) > 0;
    if (given.size() != 1 || given.first().startsWith(QLatin1String("--"))) {
        ctx.err() << "usage: bioforge inspect <run-id | checkpoint folder> [--full] [--json]" << Qt::endl;
        return kUsage;
    }
    QString folder = given.first();
    const bool givenFolder = QFileInfo(folder).isDir();
    if (!givenFolder) {
        core::Project* project = ctx.project(false);
        if (!project)
            return kProjectError;
        auto run = project->store().run(folder);
        if (!run) {
            ctx.err() << "bioforge: " << folder << " is neither a folder nor a run: " << run.error().message() << Qt::endl;
            return kNotFound;
        }
        folder = project->checkpointDir(run->checkpointId);
        if (!QFileInfo(folder).isDir()) { // said "0 entries", as if all were well
            ctx.err() << "bioforge: run " << run->runId << " has no checkpoint folder: " << folder
                      << " does not exist (the run wrote no checkpoint, or the folder was deleted or moved)" << Qt::endl;
            return kNotFound;
        }
    }
    // A folder inside a run's checkpoint folder (…/checkpoints/<id>/henaw, one entry's own folder):
    // its entries' keys are relative to the checkpoint folder, so they are verified from there — from
    // the sub-folder every healthy entry read as BAD ("manifest belongs to key 'henaw/member-00'").
    if (givenFolder) {
        QDirIterator it(folder, {QStringLiteral("manifest.json")}, QDir::Files, QDirIterator::Subdirectories);
        if (it.hasNext()) {
            const QString manifest = it.next();
            const auto read = core::readJsonObjectFile(manifest, 1 << 20);
            const QString key = read ? read->value(QLatin1String("key")).toString() : QString();
            const QString relative = QDir(folder).relativeFilePath(QFileInfo(manifest).absolutePath());
            if (!key.isEmpty() && key != relative && (relative == QLatin1String(".") || key.endsWith(QLatin1Char('/') + relative))) {
                const qsizetype up = key.count(QLatin1Char('/')) + 1 - (relative == QLatin1String(".") ? 0 : relative.count(QLatin1Char('/')) + 1);
                QDir root(folder);
                for (qsizetype i = 0; i < up; ++i)
                    root.cdUp();
                if (QFileInfo(root.filePath(key)).absoluteFilePath() != QFileInfo(manifest).absolutePath()) // a foreign or hand-made manifest
                    root = QDir(folder);
                else // (on stderr under --json: stdout is the JSON alone)
                    (json ? ctx.err() : ctx.out()) << folder << " is inside the checkpoint folder " << root.absolutePath()
                                                   << ": its entries are verified from there" << Qt::endl;
                folder = root.absolutePath();
            }
        }
    }
    // A folder above runs' checkpoint folders (<project>/checkpoints, a project, a folder of projects:
    // `inspect ~` walked and hashed a whole home, five projects' runs verified as one folder, and
    // <project>/checkpoints called every healthy entry BAD): refused before anything is read, naming
    // the projects and how many runs each holds. A run's own checkpoint folder is not (a cluster run's
    // holds its tasks' projects, each with its shard run's checkpoints, inspected with it).
    const bool runCheckpointFolder = QFileInfo(folder).absoluteDir().dirName() == QLatin1String("checkpoints");
    if (givenFolder && !runCheckpointFolder) {
        std::map<QString, QSet<QString>> runsOfProject; // project folder -> its runs' checkpoint folders below `folder`
        const QString top = QDir(folder).absolutePath();
        for (QDirIterator it(top, {QStringLiteral("manifest.json")}, QDir::Files, QDirIterator::Subdirectories); it.hasNext();) {
            for (QDir dir = QFileInfo(it.next()).absoluteDir(); dir.absolutePath().size() > top.size(); ) {
                const QString here = dir.absolutePath();
                if (!dir.cdUp())
                    break;
                // `here` is a run's checkpoint folder when its parent is a checkpoints folder, unless that lies
                // inside another project without being one (a validate run's scratch in its run folder; a
                // checkpoints folder copied alone, with no project around it, still counts).
                if (QDir project = dir; dir.dirName() == QLatin1String("checkpoints") && project.cdUp() && !insideAnotherProject(project)) {
                    runsOfProject[project.absolutePath()].insert(here);
                    break;
                }
            }
        }
        if (!runsOfProject.empty()) {
            QStringList projects;
            qsizetype runs = 0;
            for (const auto& [project, folders] : runsOfProject) {
                runs += folders.size();
                projects << QStringLiteral("%1 (%2)").arg(project, folders.size() == 1 ? QStringLiteral("1 run") : QStringLiteral("%1 runs").arg(folders.size()));
            }
            ctx.err() << "bioforge: " << folder << " holds the checkpoint folders of " << runs << (runs == 1 ? " run" : " runs") << ", not one run's: "
                      << (projects.size() == 1 ? "the project " : "the projects ") << projects.mid(0, 5).join(QStringLiteral(", "))
                      << (projects.size() > 5 ? QStringLiteral(", … (%1 projects)").arg(projects.size()) : QString())
                      << "; inspect one run: bioforge --project PROJECT inspect RUN-ID (bioforge --project PROJECT runs lists them), or its folder "
                      << "PROJECT/checkpoints/RUN-ID" << Qt::endl;
            return kNotFound;
        }
    }
    const auto entries = core::CheckpointInspector::inspect(folder);
    // A run's SQLite store beside its entries (an annotate run keeps its state there, not in entries).
    const QList<StoreCheck> stores = checkSqliteStores(folder);
    // A folder typed by hand that holds no entry: "0 entries, fine" only for a run's checkpoint folder
    // (<project>/checkpoints/<id>, empty before its first checkpoint) or a folder holding a run's store
    // (an annotate run's checkpoint folder copied elsewhere; a project's own project.sqlite is not one);
    // any other folder is a mistake.
    const bool runStore = std::any_of(stores.begin(), stores.end(), [](const StoreCheck& s) { return s.file != QLatin1String("project.sqlite"); });
    if (givenFolder && entries.isEmpty() && !runStore && !runCheckpointFolder) {
        ctx.err() << "bioforge: " << folder << " holds no checkpoint entry (no manifest.json in it or below) and no run store (*.sqlite); give a run id "
                  << "(bioforge runs) or a run's checkpoint folder (<project>/checkpoints/<id>)" << Qt::endl;
        return kNotFound;
    }
    int badStores = 0;
    for (const StoreCheck& s : stores)
        badStores += s.ok ? 0 : 1;
    if (json) {
        QJsonObject all = entriesJson(folder, entries);
        QJsonArray storesJson;
        for (const StoreCheck& s : stores) {
            QJsonObject tables;
            for (const auto& [name, rows] : s.tables)
                tables.insert(name, rows);
            storesJson.append(QJsonObject{{QStringLiteral("file"), s.file}, {QStringLiteral("bytes"), s.bytes}, {QStringLiteral("ok"), s.ok},
                                          {QStringLiteral("integrity"), s.integrity}, {QStringLiteral("tables"), tables}});
        }
        all.insert(QStringLiteral("stores"), storesJson);
        ctx.out() << QJsonDocument(all).toJson(QJsonDocument::Indented) << Qt::flush;
        return all.value(QLatin1String("bad")).toInt() == 0 && badStores == 0 ? kOk : kProjectError;
    }
    ctx.out() << "checkpoints in " << folder << ": " << entries.size() << (entries.size() == 1 ? " entry" : " entries") << Qt::endl;
    for (const StoreCheck& s : stores) {
        QStringList tables;
        for (const auto& [name, rows] : s.tables)
            tables << QStringLiteral("%1 %2").arg(name).arg(rows);
        ctx.out() << (s.ok ? "ok   " : "BAD  ") << "store " << s.file << " (" << s.bytes << " bytes): SQLite quick_check " << s.integrity
                  << (tables.isEmpty() ? QString() : QStringLiteral("; rows: ") + tables.join(QStringLiteral(", "))) << Qt::endl;
    }
    int bad = badStores;
    for (const core::CheckpointEntryReport& e : entries) {
        if (!e.verified) { // what its manifest says is not to be trusted: only why (as the JSON's nulls)
            ++bad;
            ctx.out() << "BAD  " << e.key << Qt::endl << "     " << e.error << Qt::endl;
            continue;
        }
        ctx.out() << "ok   " << e.key << "  schema " << e.jobSchema << "  " << e.created << Qt::endl;
        // Summarised: a frame shard's state lists every contig (--full prints it whole).
        if (!e.state.isEmpty() && full)
            ctx.out() << "     state " << QJsonDocument(e.state).toJson(QJsonDocument::Indented) << Qt::flush;
        else if (!e.state.isEmpty())
            ctx.out() << "     state " << core::StateSummary::of(e.state) << Qt::endl;
        for (const core::TensorStats& t : e.tensors) {
            ctx.out() << "     " << t.name << ' ' << t.dtype << ' ' << t.shapeText() << ' ' << t.bytes << " B";
            if (t.numeric)
                ctx.out() << QStringLiteral("  min %1 max %2 mean %3 std %4 nan %5 inf %6")
                                 .arg(QString::number(t.min, 'g', 6), QString::number(t.max, 'g', 6), QString::number(t.mean, 'g', 6),
                                      QString::number(t.std, 'g', 6), QString::number(t.nanCount), QString::number(t.infCount));
            ctx.out() << Qt::endl;
        }
    }
    return bad == 0 ? kOk : kProjectError;
}

} // namespace bioforge::cli
