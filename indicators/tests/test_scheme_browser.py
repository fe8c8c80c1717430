"""The office admin sets up a year's scheme in the browser, as a new user would (Chromium)."""

import copy
import os

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

import pytest  # noqa: E402

from evaluation.models import Campaign, CampaignUnit  # noqa: E402
from evaluation.roles import Role  # noqa: E402
from indicators.models import IndicatorNode  # noqa: E402
from indicators.selectors.scheme import scheme_document  # noqa: E402
from tests import factories  # noqa: E402

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]


@pytest.fixture
def office(transactional_db):
    tenant = factories.make_tenant("browser-a", "南平市效能办")
    return factories.make_member(tenant, Role.OFFICE_ADMIN, user=factories.make_user("xiaowang"))


def _scheme(document):
    document = copy.deepcopy(document)
    document.pop("campaign")
    return document


@pytest.mark.browser
def test_office_configures_a_year_from_the_nanping_template(office, live_server, artifacts_dir, tmp_path):
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", headless=True, args=CHROMIUM_ARGS)
        page = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN",
                                   accept_downloads=True).new_page()
        page.on("dialog", lambda dialog: dialog.accept())

        # logs in and finds the schemes in the menu
        page.goto(live_server.url + "/accounts/login/")
        page.get_by_label("用户名").fill("xiaowang")
        page.get_by_label("密码").fill(factories.PASSWORD)
        page.get_by_role("button", name="登录").click()
        page.get_by_role("navigation", name="主导航").get_by_role("link", name="考评方案").click()

        # creates the campaign from the Nanping template
        page.get_by_label("模板").select_option("nanping")
        page.get_by_label("年度").first.fill("2026")
        page.get_by_label("方案名称").first.fill("2026年度市直部门绩效评估和效能考评")
        page.get_by_role("button", name="新建方案").click()
        expect(page.get_by_role("heading", level=1)).to_contain_text("2026年度市直部门绩效评估和效能考评")
        campaign = Campaign.objects.get(tenant=office.tenant, year=2026)

        # sees each category's formula written out
        expect(page.locator(".sentences").first).to_contain_text(
            "总分 = 指标考核 × 0.5 + 公众评议 × 0.5 − 察访核验扣分(最高扣 5 分)")
        expect(page.locator(".sentences").nth(1)).to_contain_text(
            "总分 = 指标考核 × 0.7 + 民主测评 × 0.3 − 察访核验扣分(最高扣 5 分)")

        # changes a leaf's deduction in the tree editor: −5 per unfinished key task becomes −6
        page.get_by_role("link", name="指标体系").first.click()
        page.get_by_role("link", name="编辑 1.2.1").click()
        kinds = page.locator("#p-deduct_per_occurrence-kinds")
        expect(kinds).to_have_value("unfinished | 未完成重点任务 | 5")
        kinds.fill("unfinished | 未完成重点任务 | 6")
        expect(page.locator("[data-rule-preview]")).to_have_text("未完成重点任务每次−6;扣完本项分值为止,不低于 0")
        page.screenshot(path=str(artifacts_dir / "indicators-tree-editor-1280.png"), full_page=True)
        page.get_by_role("button", name="保存").click()
        expect(page.locator(".flash")).to_contain_text("已保存 1.2.1")
        expect(page.locator('li[data-code="1.2.1"] .node-rule')).to_contain_text("未完成重点任务每次−6")
        page.set_viewport_size({"width": 390, "height": 844})
        page.get_by_role("link", name="编辑 2.1.1").click()
        expect(page.locator("#node-editor")).to_be_visible()
        page.screenshot(path=str(artifacts_dir / "indicators-tree-editor-390.png"), full_page=True)
        page.set_viewport_size({"width": 1280, "height": 900})

        # adds a unit to category 2
        page.goto(live_server.url + f"/t/{office.tenant.slug}/scheme/campaigns/{campaign.pk}/")
        form = page.locator("form[data-unit-add]")
        form.get_by_label("单位代码").fill("U5")
        form.get_by_label("单位名称").fill("气象局")
        form.get_by_label("类别").select_option(label="C2 第二类 其他市直单位(效能考评)")
        form.get_by_role("button", name="添加单位").click()
        expect(page.locator('tr[data-unit="U5"] select')).to_have_value(
            str(campaign.categories.get(code="C2").pk))

        # exports Excel
        with page.expect_download() as download:
            page.get_by_role("link", name="导出 Excel").click()
        workbook = tmp_path / "scheme.xlsx"
        download.value.save_as(workbook)

        # imports it as a second campaign
        page.get_by_role("navigation", name="主导航").get_by_role("link", name="考评方案").click()
        page.get_by_label("方案文件(.xlsx 或 .json)").set_input_files(str(workbook))
        page.get_by_label("方案名称(留空则用文件中的)").fill("导入的副本")
        page.get_by_role("button", name="导入").click()
        expect(page.get_by_role("heading", level=1)).to_contain_text("导入的副本")
        browser.close()

    first = Campaign.objects.get(tenant=office.tenant, name="2026年度市直部门绩效评估和效能考评")
    second = Campaign.objects.get(tenant=office.tenant, name="导入的副本")
    a, b = _scheme(scheme_document(first)), _scheme(scheme_document(second))
    # field by field, so a difference names itself
    assert a.keys() == b.keys()
    for key in a:
        if key != "categories":
            assert a[key] == b[key], key
    for ca, cb in zip(a["categories"], b["categories"], strict=True):
        for field in ca:
            assert ca[field] == cb[field], (ca["code"], field)
    assert IndicatorNode.objects.get(category__campaign=second, code="1.2.1").params["kinds"][0]["deduction"] == "6"
    assert CampaignUnit.objects.get(campaign=second, unit__code="U5").category.code == "C2"
