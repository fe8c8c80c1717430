"""Excel exports of survey results (测评结果导出)."""

from __future__ import annotations

from io import BytesIO

from openpyxl import Workbook
from openpyxl.styles import Font

from surveys.models import DemocraticEvaluation, Survey
from surveys.selectors.progress import quota_progress
from surveys.selectors.results import democratic_results, public_results


def _bold_header(sheet, headers: list[str]) -> None:
    sheet.append(headers)
    for cell in sheet[1]:
        cell.font = Font(bold=True)


def survey_results_workbook(*, survey: Survey) -> bytes:
    results = public_results(survey)
    book = Workbook()
    sheet = book.active
    sheet.title = "单位得分"
    _bold_header(
        sheet,
        ["单位代码", "单位", *results.option_labels, "不了解", "有效评价", "平均分", "95%置信区间下限", "95%置信区间上限",
         "加权得分", "加权下限", "加权上限"],
    )
    for row in results.rows:
        plain, weighted = row.stats.plain, row.stats.weighted
        sheet.append([
            row.code, row.name, *row.by_option, row.stats.answered,
            plain.score if plain else None, plain.low if plain else None, plain.high if plain else None,
            weighted.score if weighted else None, weighted.low if weighted else None,
            weighted.high if weighted else None,
        ])
    strata = book.create_sheet("分层")
    _bold_header(strata, ["单位代码", "单位", "层", "有效评价", "平均分"])
    for row in results.rows:
        for stratum, n, score in row.strata:
            strata.append([row.code, row.name, str(stratum) if stratum else "(未分层)", n, score])
    progress = quota_progress(survey)
    quota = book.create_sheet("配额")
    _bold_header(quota, ["层", "配额", "已回收", "完成率%"])
    for item in progress.strata:
        quota.append([str(item.stratum) if item.stratum else "(未分层)", item.quota, item.responses, item.percent])
    out = BytesIO()
    book.save(out)
    return out.getvalue()


def democratic_results_workbook(*, evaluation: DemocraticEvaluation) -> bytes:
    results = democratic_results(evaluation)
    book = Workbook()
    sheet = book.active
    sheet.title = "民主测评"
    labels = [str(label) for _v, label in results.choices]
    _bold_header(sheet, ["单位代码", "单位", "测评对象组", *labels, "组得分", "综合得分"])
    for row in results.rows:
        for group, counts, score in row.groups:
            sheet.append([
                row.code, row.name, group.name, *[counts.get(v, 0) for v, _l in results.choices], score, row.score,
            ])
    out = BytesIO()
    book.save(out)
    return out.getvalue()
