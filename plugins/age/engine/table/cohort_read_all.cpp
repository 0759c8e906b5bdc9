// readCohort and appendCohort (cohort_reader.h): a whole table read through
// CohortStream's chunks into one Cohort.

#include "table/cohort_reader.h"

namespace bioforge::age {

using core::Error;

void appendCohort(Cohort& to, Cohort&& from)
{
    if (to.rows() == 0 && to.markerNames.isEmpty()) {
        to = std::move(from);
        return;
    }
    to.ids += from.ids;
    for (auto [target, source] : {std::pair{&to.lines, &from.lines}})
        target->insert(target->end(), source->begin(), source->end());
    to.age.insert(to.age.end(), from.age.begin(), from.age.end());
    to.sex.insert(to.sex.end(), from.sex.begin(), from.sex.end());
    to.pregnant.insert(to.pregnant.end(), from.pregnant.begin(), from.pregnant.end());
    to.followupMonths.insert(to.followupMonths.end(), from.followupMonths.begin(), from.followupMonths.end());
    to.event.insert(to.event.end(), from.event.begin(), from.event.end());
    for (size_t m = 0; m < to.markers.size(); ++m)
        to.markers[m].insert(to.markers[m].end(), from.markers[m].begin(), from.markers[m].end());
    to.imputed.insert(to.imputed.end(), from.imputed.begin(), from.imputed.end());
    to.unread.insert(to.unread.end(), from.unread.begin(), from.unread.end());
}

core::Expected<Cohort> readCohort(const QString& path, const ColumnMapping& mapping, const BiomarkerSchema& schema,
                                  CohortReadReport* report, const CohortReadOptions& options)
{
    CohortReadReport local;
    auto stream = CohortStream::open(path, mapping, schema, report ? report : &local, options);
    if (!stream)
        return stream.error();
    Cohort all;
    all.source = path;
    for (;;) {
        Cohort chunk;
        auto more = stream->next(chunk, 1 << 16);
        if (!more)
            return more.error();
        if (!*more)
            break;
        appendCohort(all, std::move(chunk));
    }
    if (all.rows() == 0)
        return Error(QStringLiteral("%1: the table has a header but no rows").arg(path), Error::Kind::Invalid);
    return all;
}

} // namespace bioforge::age
