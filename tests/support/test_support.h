#pragma once

// Helpers shared by the tests: fixture paths, temporary folders, file bytes.

#include <QByteArray>
#include <QProcessEnvironment>
#include <QString>

namespace bioforge::test {

QString fixturePath(const QString& relative); // under ../shared/fixtures
bool fixturesAvailable();
QString casePath(const QString& relative);    // under ../shared/cases (inputs a new user's trial failed on)
QByteArray readAll(const QString& path);
int checkpointManifestCount(const QString& folder); // manifest.json files below folder: committed checkpoint entries
bool writeAll(const QString& path, const QByteArray& data);
QString binPath(const QString& program);      // a program in the build's bin/
// The environment a program under test runs in: HOME and the XDG folders in
// `home` (settings, registry and data stay in the test's folder), no
// BIOFORGE_PROJECT, and no BIOFORGE_FIXTURES_DIR (the product never reads ../shared).
QProcessEnvironment isolatedEnvironment(const QString& home);

} // namespace bioforge::test
