#pragma once

// A table sorted by a click on a header, in its model's own order until then:
// QTableView::setSortingEnabled alone sorts at once by the first column,
// descending (a cohort listed last person first).

#include <QTableView>

namespace bioforge::ui {

inline void sortOnHeaderClick(QTableView* view)
{
    view->setSortingEnabled(true);
    view->sortByColumn(-1, Qt::AscendingOrder);
}

} // namespace bioforge::ui
