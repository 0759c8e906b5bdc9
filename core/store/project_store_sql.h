#pragma once

// SQL helpers of the project store's files (project_store.cpp, project_store_runs.cpp).

#include <QDateTime>
#include <QSqlError>
#include <QSqlQuery>
#include <QString>
#include <QVariant>

namespace bioforge::core::sql {

inline QString sqlError(const QSqlQuery& q) { return q.lastError().text(); }

// QtSql binds a null QString as SQL NULL; text columns declared NOT NULL need "".
inline QString text(const QString& s) { return s.isNull() ? QStringLiteral("") : s; }

// A time as stored (UTC, ISO 8601 with milliseconds), or NULL when it is not set.
inline QVariant timeOrNull(const QDateTime& t) { return t.isValid() ? QVariant(t.toUTC().toString(Qt::ISODateWithMs)) : QVariant(); }

} // namespace bioforge::core::sql
