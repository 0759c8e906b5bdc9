// bioforge compare A B: what differs between two runs' provenance records
// (core/provenance/run_comparison.h), as text or JSON.

#include "cli_context.h"
#include "cli_json.h"
#include "commands.h"
#include "exit_codes.h"

#include "io/json_file.h"
#include "provenance/run_comparison.h"
#include "store/project.h"
#include "store/project_store.h"

#include <QDir>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <utility>

namespace bioforge::cli {

namespace {

QString took(qint64 seconds)
{
    if (seconds < 0)
        return QStringLiteral("—");
    return seconds < 120 ? QStringLiteral("%1 s").arg(seconds) : QStringLiteral("%1 min %2 s").arg(seconds / 60).arg(seconds % 60);
}

QJsonObject runJson(const core::RunRecord& r, qint64 seconds)
{
    return {{QStringLiteral("id"), r.runId},
            {QStringLiteral("plugin"), runPluginJson(r)},
            {QStringLiteral("verb"), r.verb},
            {QStringLiteral("state"), core::runStateName(r.state)},
            {QStringLiteral("title"), r.title},
            {QStringLiteral("created"), r.createdAt.toUTC().toString(Qt::ISODateWithMs)},
            {QStringLiteral("seconds"), seconds < 0 ? QJsonValue() : QJsonValue(double(seconds))}};
}

} // namespace

int cmdCompare(CliContext& ctx, const QStringList& args)
{
    const bool json = args.contains(QStringLiteral("--json"));
    QStringList ids = args;
    ids.removeAll(QStringLiteral("--json"));
    if (ids.size() != 2) {
        ctx.err() << "usage: bioforge compare <run-id | provenance.json | run folder> <run-id | provenance.json | run folder> [--json]" << Qt::endl;
        return kUsage;
    }
    // A run of another project (a colleague's re-run, a copy) by its record: its provenance.json or
    // its run folder (trial 25 T25-17: runs of one project only). Run ids are looked up in this project.
    core::Project* project = nullptr;
    core::RunRecord runs[2];
    for (int i = 0; i < 2; ++i) {
        const QFileInfo given(ids[i]);
        const QString file = given.isDir() ? QDir(ids[i]).filePath(QStringLiteral("provenance.json")) : ids[i];
        if (given.isDir() || given.isFile()) {
            auto json = core::readJsonObjectFile(file);
            auto run = json ? core::RunRecord::fromJson(*json) : core::Expected<core::RunRecord>(json.error());
            if (!run) {
                ctx.err() << "bioforge: " << file << ": not a run's record (" << run.error().message() << ")" << Qt::endl;
                return kNotFound;
            }
            runs[i] = std::move(*run);
            continue;
        }
        if (!project && !(project = ctx.project(false)))
            return kProjectError;
        auto run = project->store().run(ids[i]);
        if (!run) {
            ctx.err() << "bioforge: " << run.error().message() << " (a run of another project: give its provenance.json or its run folder)" << Qt::endl;
            return kNotFound;
        }
        runs[i] = std::move(*run);
    }
    const core::RunComparison c = core::compareRuns(runs[0], runs[1]);
    if (json) { // {a, b: {id, plugin, verb, state, title, created, seconds}, differences: [{section, key, a, b}], same: {section: count}}
        QJsonArray differences;
        for (const core::RunDifference& d : c.differences)
            differences.append(QJsonObject{{QStringLiteral("section"), d.section}, {QStringLiteral("key"), d.key},
                                           {QStringLiteral("a"), textOrNull(d.a)}, {QStringLiteral("b"), textOrNull(d.b)}});
        QJsonObject same;
        for (const auto& [section, count] : c.same)
            same.insert(section, count);
        ctx.out() << QJsonDocument(QJsonObject{{QStringLiteral("a"), runJson(runs[0], c.secondsA)}, {QStringLiteral("b"), runJson(runs[1], c.secondsB)},
                                               {QStringLiteral("differences"), differences}, {QStringLiteral("same"), same}})
                         .toJson(QJsonDocument::Indented);
        return kOk;
    }
    for (int i = 0; i < 2; ++i)
        ctx.out() << (i == 0 ? "A  " : "B  ") << runs[i].runId << "  " << runs[i].pluginId << ' ' << runs[i].verb << "  "
                  << core::runStateName(runs[i].state) << "  took " << took(i == 0 ? c.secondsA : c.secondsB) << "  " << runs[i].title << Qt::endl;
    if (c.differences.isEmpty()) {
        ctx.out() << "No recorded value differs." << Qt::endl;
    } else {
        ctx.out() << c.differences.size() << (c.differences.size() == 1 ? " difference:" : " differences:") << Qt::endl;
        const QString none = QStringLiteral("(none)");
        for (const core::RunDifference& d : c.differences)
            ctx.out() << "  " << d.section << ": " << d.key << Qt::endl
                      << "      A: " << (d.a.isEmpty() ? none : d.a) << Qt::endl
                      << "      B: " << (d.b.isEmpty() ? none : d.b) << Qt::endl;
    }
    QStringList same;
    for (const auto& [section, count] : c.same)
        same << QStringLiteral("%1 %2").arg(section).arg(count);
    if (!same.isEmpty())
        ctx.out() << "Values the same in both: " << same.join(QStringLiteral(", ")) << '.' << Qt::endl;
    return kOk;
}

} // namespace bioforge::cli
