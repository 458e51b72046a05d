"""The desk rows a build keeps in its temporary file come back as they went in."""

from __future__ import annotations

from report.desk import (
    AgencyDesk,
    ComplianceRow,
    FigureChange,
    PlanChangeRow,
    PlanItem,
    RemovedRow,
    RevisionRow,
    VersionStamp,
)
from report.site import _DESK_JSON


def test_every_kind_of_desk_row_survives_the_file_of_desks() -> None:
    desk = AgencyDesk(
        revisions=[RevisionRow(1, "青禾县司法局", "青禾县", 2023, 7, "报告</script>",
                               [VersionStamp(1, 70, "2024-03-01", None), VersionStamp(2, 71, None, "Tue, 05 Mar")],
                               [FigureChange("案件", "12件", "15件")], 2)],
        plans=[PlanChangeRow(1, "青禾县司法局", "青禾县", 2022, 2023, "agencies/1-2023.html", None,
                             {"dropped": 1, "changed": 1}, [PlanItem("c1", "推进普法\n工作")],
                             [("旧的说法", "新的说法")], [])],
        compliance=[ComplianceRow(1, "青禾县司法局", "青禾县", None, "missing_year", "缺 2021 年", None)],
        removed=[RemovedRow(1, "青禾县司法局", "青禾县", 2021, 5, "旧报告", "2024-06-01")],
    )  # fmt: skip
    line = _DESK_JSON.dumps(desk)
    assert "\n" not in line  # a desk a line
    back = _DESK_JSON.loads(line)
    assert back == desk and back.plans[0].changed[0] == ("旧的说法", "新的说法")
