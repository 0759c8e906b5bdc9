// `bioforge verify <run-id> [--json]`: a run's inputs, model files and outputs hashed again and
// compared with its record (core/provenance/run_verification.h): same, changed, missing, or not
// recorded. Exit 0 when nothing changed or went, 5 otherwise (trial 25 T25-12).

#include "cli_context.h"
#include "commands.h"
#include "exit_codes.h"

#include "provenance/run_verification.h"
#include "store/project.h"
#include "store/project_store.h"

#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

namespace bioforge::cli {

constexpr qint64 kSaidBytes = qint64(256) << 20;

int cmdVerify(CliContext& ctx, const QStringList& args)
{
    const bool json = args.contains(QStringLiteral("--json"));
    QStringList ids = args;
    ids.removeAll(QStringLiteral("--json"));
    if (ids.size() != 1 || ids.first().startsWith(QLatin1Char('-'))) {
        ctx.err() << "usage: bioforge verify <run-id> [--json]" << Qt::endl;
        return kUsage;
    }
    core::Project* project = ctx.project(false);
    if (!project)
        return kProjectError;
    auto run = project->store().run(ids.first());
    if (!run) {
        ctx.err() << "bioforge: " << run.error().message() << " (bioforge runs lists them)" << Qt::endl;
        return exitCodeFor(run.error(), kProjectError);
    }
    const core::RunVerification v = core::verifyRunFiles(*run, project->runDir(run->runId), [&](const QString& path) {
        if (!json && !ctx.options().quiet && QFileInfo(path).size() >= kSaidBytes) // a large file takes a while: said
            ctx.err() << "hashing " << path << Qt::endl;
    });
    using S = core::FileCheck::State;
    if (json) {
        QJsonArray files;
        for (const core::FileCheck& f : v.files)
            files.append(QJsonObject{{QStringLiteral("role"), f.role},
                                     {QStringLiteral("name"), f.name},
                                     {QStringLiteral("path"), f.path},
                                     {QStringLiteral("recorded_sha256"), f.recorded.isEmpty() ? QJsonValue() : QJsonValue(f.recorded)},
                                     {QStringLiteral("sha256"), f.now.isEmpty() ? QJsonValue() : QJsonValue(f.now)},
                                     {QStringLiteral("state"), core::fileCheckStateName(f.state)}});
        ctx.out() << QJsonDocument(QJsonObject{{QStringLiteral("run"), run->runId},
                                               {QStringLiteral("files"), files},
                                               {QStringLiteral("same"), v.count(S::Same)},
                                               {QStringLiteral("changed"), v.count(S::Changed)},
                                               {QStringLiteral("missing"), v.count(S::Missing)},
                                               {QStringLiteral("not_recorded"), v.count(S::NotRecorded)}})
                         .toJson(QJsonDocument::Indented)
                  << Qt::flush;
        return v.allSame() ? kOk : kProjectError;
    }
    for (const core::FileCheck& f : v.files) {
        ctx.out() << QStringLiteral("  %1 %2 %3: %4")
                         .arg(core::fileCheckStateName(f.state), -12)
                         .arg(f.role, -15)
                         .arg(f.name, f.path.isEmpty() ? QStringLiteral("(given as text, no file to hash again)") : f.path);
        if (f.state == S::Changed)
            ctx.out() << " (SHA-256 " << f.now << ", recorded " << f.recorded << ")";
        ctx.out() << Qt::endl;
    }
    ctx.out() << "run " << run->runId << (run->title.isEmpty() ? QString() : QStringLiteral(" (%1)").arg(run->title)) << ": " << v.count(S::Same)
              << " file(s) as recorded (SHA-256), " << v.count(S::Changed) << " changed, " << v.count(S::Missing) << " missing";
    if (v.count(S::NotRecorded) > 0)
        ctx.out() << ", " << v.count(S::NotRecorded) << " without a checksum to compare (text given inline, a model folder)";
    ctx.out() << Qt::endl;
    return v.allSame() ? kOk : kProjectError;
}

} // namespace bioforge::cli
