#pragma once

// Checkpoint keys of a prediction run: one folder per stage and shard.

#include <QString>

namespace bioforge::viral {

inline QString shardKey(const char* stage, int shard) { return QStringLiteral("%1/shard-%2").arg(QLatin1String(stage)).arg(shard, 5, 10, QLatin1Char('0')); }
inline QString framesIndexKey() { return QStringLiteral("frames/index"); }

} // namespace bioforge::viral
